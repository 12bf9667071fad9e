-- recon_ledger: what the processor's own payment records expect the settlement report to hold.
-- A payment captured (or later settled, refunded, charged back) expects a Settled line on its
-- business date; a refunded one also a Refunded line, a charged-back one a Chargeback line, on
-- the business date of that change. Items of the reconciliation's horizon only.
--
-- `local_day(ts)` is the day number of the business date of an instant and `date_day(d)` that of
-- a date; each engine expands them in its own dialect. Parameters: from_day, as_of_day.
WITH expecting AS (
    SELECT
        payment_id,
        currency,
        amount,
        channel,
        status,
        local_day(created_at) AS created_day,
        local_day(updated_at) AS updated_day
    FROM silver.payments
    WHERE status IN ('captured', 'settled', 'refunded', 'charged_back')
),
items AS (
    SELECT payment_id, 'Settled' AS record_type, currency, amount, channel, created_day AS origin_day
    FROM expecting
    UNION ALL
    SELECT
        payment_id,
        CASE WHEN status = 'refunded' THEN 'Refunded' ELSE 'Chargeback' END AS record_type,
        currency,
        amount,
        channel,
        updated_day AS origin_day
    FROM expecting
    WHERE status IN ('refunded', 'charged_back')
)
SELECT payment_id, record_type, currency, amount, channel, origin_day
FROM items
WHERE origin_day BETWEEN {{ from_day }} AND {{ as_of_day }}

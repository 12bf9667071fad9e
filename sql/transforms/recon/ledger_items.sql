-- recon_ledger: what the processor's own payment records expect the settlement report to hold.
-- A payment captured (or later settled, refunded, charged back) expects a Settled line on its
-- business date; a refunded one also a Refunded line, a charged-back one a Chargeback line, on
-- the business date of that change. Items of the reconciliation's horizon only.
--
-- `local_day(ts)` is the day number of the business date of an instant, `date_day(d)` that of
-- a date, and `utc_instant('text')` a timestamp literal; each engine expands them in its own
-- dialect. Parameters: from_day, as_of_day, and created_from and created_before, instants that
-- hold those days with a day to spare: a payment is read when it was created, or last changed,
-- inside them, so that the scan skips silver's months and files that lie before the horizon.
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
      AND (created_at >= utc_instant('{{ created_from }}') OR updated_at >= utc_instant('{{ created_from }}'))
      AND created_at < utc_instant('{{ created_before }}')
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

-- gold.ctr_candidates for one business date.
--
-- A Currency Transaction Report is due when a customer's cash in, or cash out, of one business
-- day adds up to more than USD 10,000 over all channels (31 CFR 1010.311; multiple transactions
-- are aggregated, 1010.313). Cash in and cash out are never netted. Amounts are converted to
-- USD at the rate of the business date and rounded to the cent per transaction.
--
-- A customer with a CTR exemption in force (decisions.exemption_events) keeps its candidates,
-- with the exemption's reason in `exemption`; the exports and deadlines leave them out.
--
-- Parameters: business_date (YYYY-MM-DD), timezone (IANA name of the business calendar),
-- created_from and created_before (instants.sql).
{% import "decisions/ctr_exemptions.sql" as exemptions -%}
{% import "transforms/instants.sql" as instants -%}
WITH cash AS (
    SELECT
        t.transaction_id,
        t.customer_id,
        t.transaction_type,
        t.amount,
        t.currency,
        t.channel,
        t.created_at,
        CAST(to_local_time(t.created_at AT TIME ZONE '{{ timezone }}') AS DATE) AS business_date
    FROM silver.transactions AS t
    WHERE t.status = 'posted'
      AND t.transaction_type IN ('cash_deposit', 'cash_withdrawal')
      AND {{ instants.within("t.created_at", created_from, created_before) }}
),
priced AS (
    SELECT
        c.*,
        CAST(c.amount * r.usd_rate AS DECIMAL(18, 2)) AS amount_usd
    FROM cash AS c
    JOIN silver.fx_rates AS r
      ON r.rate_date = c.business_date AND r.currency = c.currency
    WHERE c.business_date = DATE '{{ business_date }}'
)
SELECT
    p.customer_id,
    cu.full_name AS customer_name,
    CASE p.transaction_type WHEN 'cash_deposit' THEN 'cash_in' ELSE 'cash_out' END AS direction,
    CAST(SUM(p.amount_usd) AS DECIMAL(18, 2)) AS total_amount_usd,
    COUNT(*) AS transaction_count,
    array_sort(array_distinct(array_agg(p.channel))) AS channels,
    array_agg(p.transaction_id ORDER BY p.created_at, p.transaction_id) AS transaction_ids,
    e.reason AS exemption,
    p.business_date
FROM priced AS p
LEFT JOIN silver.customers AS cu ON cu.customer_id = p.customer_id
LEFT JOIN {{ exemptions.in_force(business_date) }} AS e ON e.customer_id = p.customer_id
GROUP BY
    p.customer_id,
    cu.full_name,
    e.reason,
    CASE p.transaction_type WHEN 'cash_deposit' THEN 'cash_in' ELSE 'cash_out' END,
    p.business_date
HAVING SUM(p.amount_usd) > 10000
ORDER BY p.customer_id, direction

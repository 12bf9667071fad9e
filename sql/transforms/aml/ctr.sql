-- Rule ctr: a customer's cash in, or cash out, of one business day over the CTR threshold, all
-- channels aggregated (31 CFR 1010.311, 1010.313). Cash in and out are never netted.
-- Totals first, evidence only for the days over the threshold: collecting ids for every
-- customer-day would cost more than the whole rule.
WITH cash AS (
    SELECT * FROM aml_movements
    WHERE transaction_type IN ('cash_deposit', 'cash_withdrawal')
      AND day_number BETWEEN {{ from_day }} AND {{ to_day }}
),
over_threshold AS (
    SELECT customer_id, direction, day_number, SUM(amount_usd) AS total, COUNT(*) AS transactions
    FROM cash
    GROUP BY customer_id, direction, day_number
    HAVING SUM(amount_usd) > {{ threshold_usd }}
)
SELECT
    o.customer_id,
    MIN(c.account_id) AS account_id,
    MIN(c.business_date) AS business_date,
    CAST({{ score }} AS BIGINT) AS score,
    CAST(o.total AS DECIMAL(18, 2)) AS amount_usd,
    array_agg(c.transaction_id ORDER BY c.created_at, c.transaction_id) AS transaction_ids,
    array_agg(DISTINCT c.account_id) AS account_ids,
    concat(
        'cash ', o.direction, ' of USD ', CAST(CAST(o.total AS DECIMAL(18, 2)) AS VARCHAR),
        ' in ', CAST(o.transactions AS VARCHAR),
        ' transactions on one business day, over the CTR threshold of USD {{ threshold_usd }}'
    ) AS reason
FROM over_threshold AS o
JOIN cash AS c
  ON c.customer_id = o.customer_id AND c.direction = o.direction AND c.day_number = o.day_number
GROUP BY o.customer_id, o.direction, o.day_number, o.total, o.transactions

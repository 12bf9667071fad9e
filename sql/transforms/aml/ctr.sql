-- Rule ctr: a customer's cash in, or cash out, of one business day over the CTR threshold, all
-- channels aggregated (31 CFR 1010.311, 1010.313). Cash in and out are never netted.
SELECT
    customer_id,
    MIN(account_id) AS account_id,
    business_date,
    CAST({score} AS BIGINT) AS score,
    CAST(SUM(amount_usd) AS DECIMAL(18, 2)) AS amount_usd,
    array_agg(transaction_id ORDER BY created_at, transaction_id) AS transaction_ids,
    array_agg(DISTINCT account_id) AS account_ids,
    concat(
        'cash ', direction, ' of USD ', CAST(CAST(SUM(amount_usd) AS DECIMAL(18, 2)) AS VARCHAR),
        ' in ', CAST(COUNT(*) AS VARCHAR),
        ' transactions on one business day, over the CTR threshold of USD {threshold_usd}'
    ) AS reason
FROM aml_movements
WHERE transaction_type IN ('cash_deposit', 'cash_withdrawal')
  AND day_number BETWEEN {from_day} AND {to_day}
GROUP BY customer_id, direction, business_date
HAVING SUM(amount_usd) > {threshold_usd}

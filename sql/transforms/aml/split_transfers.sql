-- Rule split_transfers: one account pays the same beneficiary {min_transfers} times or more on
-- one business day.
SELECT
    MIN(customer_id) AS customer_id,
    account_id,
    business_date,
    CAST(LEAST(100, {score} + 5 * (COUNT(*) - {min_transfers})) AS BIGINT) AS score,
    CAST(SUM(amount_usd) AS DECIMAL(18, 2)) AS amount_usd,
    array_agg(transaction_id ORDER BY created_at, transaction_id) AS transaction_ids,
    [account_id, counterparty_account_id] AS account_ids,
    concat(
        CAST(COUNT(*) AS VARCHAR), ' transfers to account ', counterparty_account_id,
        ' on one business day, USD ', CAST(CAST(SUM(amount_usd) AS DECIMAL(18, 2)) AS VARCHAR), ' in all'
    ) AS reason
FROM aml_movements
WHERE transaction_type = 'transfer_out'
  AND counterparty_account_id IS NOT NULL
  AND day_number BETWEEN {from_day} AND {to_day}
GROUP BY account_id, counterparty_account_id, business_date
HAVING COUNT(*) >= {min_transfers}

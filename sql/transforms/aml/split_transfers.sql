-- Rule split_transfers: one account pays the same beneficiary {{ min_transfers }} times or more on
-- one business day. Counts first, evidence only for the days that qualify.
WITH transfers AS (
    SELECT * FROM aml_movements
    WHERE transaction_type = 'transfer_out'
      AND counterparty_account_id IS NOT NULL
      AND day_number BETWEEN {{ from_day }} AND {{ to_day }}
),
repeated AS (
    SELECT account_id, counterparty_account_id, day_number, COUNT(*) AS transfers, SUM(amount_usd) AS total
    FROM transfers
    GROUP BY account_id, counterparty_account_id, day_number
    HAVING COUNT(*) >= {{ min_transfers }}
)
SELECT
    MIN(t.customer_id) AS customer_id,
    r.account_id,
    MIN(t.business_date) AS business_date,
    CAST(LEAST(100, {{ score }} + 5 * (r.transfers - {{ min_transfers }})) AS BIGINT) AS score,
    CAST(r.total AS DECIMAL(18, 2)) AS amount_usd,
    array_agg(t.transaction_id ORDER BY t.created_at, t.transaction_id) AS transaction_ids,
    [r.account_id, r.counterparty_account_id] AS account_ids,
    concat(
        CAST(r.transfers AS VARCHAR), ' transfers to account ', r.counterparty_account_id,
        ' on one business day, USD ', CAST(CAST(r.total AS DECIMAL(18, 2)) AS VARCHAR), ' in all'
    ) AS reason
FROM repeated AS r
JOIN transfers AS t
  ON t.account_id = r.account_id
 AND t.counterparty_account_id = r.counterparty_account_id
 AND t.day_number = r.day_number
GROUP BY r.account_id, r.counterparty_account_id, r.day_number, r.transfers, r.total

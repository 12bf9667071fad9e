-- Rule gather_scatter: a hub receives from at least {min_sources} distinct senders and pays at
-- least {min_beneficiaries} distinct beneficiaries within {window_days} days, passing on
-- {min_forward_ratio} or more of what it received. An alert needs a payment out on its date.
WITH legs AS (
    SELECT * FROM aml_movements
    WHERE transaction_type IN ('transfer_in', 'transfer_out')
      AND counterparty_account_id IS NOT NULL
),
triggers AS (
    SELECT DISTINCT account_id, day_number, business_date
    FROM legs
    WHERE transaction_type = 'transfer_out' AND day_number BETWEEN {from_day} AND {to_day}
)
SELECT
    MIN(l.customer_id) AS customer_id,
    t.account_id,
    t.business_date,
    CAST({score} AS BIGINT) AS score,
    CAST(SUM(CASE WHEN l.transaction_type = 'transfer_in' THEN l.amount_usd ELSE 0 END) AS DECIMAL(18, 2)) AS amount_usd,
    array_agg(l.transaction_id ORDER BY l.created_at, l.transaction_id) AS transaction_ids,
    array_concat([t.account_id], array_agg(DISTINCT l.counterparty_account_id)) AS account_ids,
    concat(
        'USD ', CAST(CAST(SUM(CASE WHEN l.transaction_type = 'transfer_in' THEN l.amount_usd ELSE 0 END) AS DECIMAL(18, 2)) AS VARCHAR),
        ' gathered from ',
        CAST(COUNT(DISTINCT CASE WHEN l.transaction_type = 'transfer_in' THEN l.counterparty_account_id END) AS VARCHAR),
        ' senders and USD ',
        CAST(CAST(SUM(CASE WHEN l.transaction_type = 'transfer_out' THEN l.amount_usd ELSE 0 END) AS DECIMAL(18, 2)) AS VARCHAR),
        ' scattered to ',
        CAST(COUNT(DISTINCT CASE WHEN l.transaction_type = 'transfer_out' THEN l.counterparty_account_id END) AS VARCHAR),
        ' beneficiaries within {window_days} days'
    ) AS reason
FROM triggers AS t
JOIN legs AS l
  ON l.account_id = t.account_id
 AND l.day_number <= t.day_number
 AND l.day_number > t.day_number - {window_days}
GROUP BY t.account_id, t.business_date
HAVING COUNT(DISTINCT CASE WHEN l.transaction_type = 'transfer_in' THEN l.counterparty_account_id END) >= {min_sources}
   AND COUNT(DISTINCT CASE WHEN l.transaction_type = 'transfer_out' THEN l.counterparty_account_id END) >= {min_beneficiaries}
   AND SUM(CASE WHEN l.transaction_type = 'transfer_in' THEN l.amount_usd ELSE 0 END) >= {min_total_usd}
   AND SUM(CASE WHEN l.transaction_type = 'transfer_out' THEN l.amount_usd ELSE 0 END)
       >= {min_forward_ratio} * SUM(CASE WHEN l.transaction_type = 'transfer_in' THEN l.amount_usd ELSE 0 END)

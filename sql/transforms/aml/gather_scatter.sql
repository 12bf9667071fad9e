-- Rule gather_scatter: a hub receives from at least {min_sources} distinct senders and pays at
-- least {min_beneficiaries} distinct beneficiaries within {window_days} days, passing on
-- {min_forward_ratio} or more of what it received. An alert needs a payment out on its date.
-- Counts first, evidence only for the windows that qualify.
WITH legs AS (
    SELECT * FROM aml_movements
    WHERE transaction_type IN ('transfer_in', 'transfer_out')
      AND counterparty_account_id IS NOT NULL
),
-- Distinct counterparties are counted by grouping twice and pair-days spread over their
-- windows, as in the fan-in rule.
pair_days AS (
    SELECT account_id, transaction_type, counterparty_account_id, day_number,
           SUM(amount_usd) AS amount
    FROM legs
    GROUP BY account_id, transaction_type, counterparty_account_id, day_number
),
spread AS (
    SELECT account_id, transaction_type, counterparty_account_id, amount,
           unnest(range(day_number, day_number + {window_days})) AS window_end
    FROM pair_days
),
windowed AS (
    SELECT account_id, window_end, transaction_type, counterparty_account_id, SUM(amount) AS amount
    FROM spread
    WHERE window_end BETWEEN {from_day} AND {to_day}
    GROUP BY account_id, window_end, transaction_type, counterparty_account_id
),
counted AS (
    SELECT
        account_id, window_end AS day_number,
        SUM(CASE WHEN transaction_type = 'transfer_in' THEN 1 ELSE 0 END) AS sources,
        SUM(CASE WHEN transaction_type = 'transfer_out' THEN 1 ELSE 0 END) AS beneficiaries,
        SUM(CASE WHEN transaction_type = 'transfer_in' THEN amount ELSE 0 END) AS gathered,
        SUM(CASE WHEN transaction_type = 'transfer_out' THEN amount ELSE 0 END) AS scattered
    FROM windowed
    GROUP BY account_id, window_end
    HAVING SUM(CASE WHEN transaction_type = 'transfer_in' THEN 1 ELSE 0 END) >= {min_sources}
       AND SUM(CASE WHEN transaction_type = 'transfer_out' THEN 1 ELSE 0 END) >= {min_beneficiaries}
       AND SUM(CASE WHEN transaction_type = 'transfer_in' THEN amount ELSE 0 END) >= {min_total_usd}
       AND SUM(CASE WHEN transaction_type = 'transfer_out' THEN amount ELSE 0 END)
           >= {min_forward_ratio} * SUM(CASE WHEN transaction_type = 'transfer_in' THEN amount ELSE 0 END)
),
-- An alert needs a payment out on its date.
qualifying AS (
    SELECT c.*, t.business_date
    FROM counted AS c
    JOIN (SELECT DISTINCT account_id, day_number, business_date FROM legs
          WHERE transaction_type = 'transfer_out') AS t
      ON t.account_id = c.account_id AND t.day_number = c.day_number
)
SELECT
    MIN(l.customer_id) AS customer_id,
    q.account_id,
    q.business_date,
    CAST({score} AS BIGINT) AS score,
    CAST(q.gathered AS DECIMAL(18, 2)) AS amount_usd,
    array_agg(l.transaction_id ORDER BY l.created_at, l.transaction_id) AS transaction_ids,
    array_concat([q.account_id], array_agg(DISTINCT l.counterparty_account_id)) AS account_ids,
    concat(
        'USD ', CAST(CAST(q.gathered AS DECIMAL(18, 2)) AS VARCHAR), ' gathered from ',
        CAST(q.sources AS VARCHAR), ' senders and USD ',
        CAST(CAST(q.scattered AS DECIMAL(18, 2)) AS VARCHAR), ' scattered to ',
        CAST(q.beneficiaries AS VARCHAR), ' beneficiaries within {window_days} days'
    ) AS reason
FROM qualifying AS q
JOIN legs AS l
  ON l.account_id = q.account_id
 AND l.day_number <= q.day_number
 AND l.day_number > q.day_number - {window_days}
GROUP BY q.account_id, q.day_number, q.business_date, q.sources, q.beneficiaries, q.gathered, q.scattered

-- Rules fan_in and fan_out: transfers with at least {min_counterparties} distinct
-- {counterparties} within {window_days} days, USD {min_total_usd} or more in all. {leg} is
-- transfer_in for fan-in and transfer_out for fan-out; an alert needs a transfer on its date.
-- Counts first, evidence only for the windows that qualify.
WITH legs AS (
    SELECT * FROM aml_movements
    WHERE transaction_type = '{leg}' AND counterparty_account_id IS NOT NULL
),
triggers AS (
    SELECT DISTINCT account_id, day_number, business_date
    FROM legs
    WHERE day_number BETWEEN {from_day} AND {to_day}
),
-- Distinct counterparties are counted by grouping twice: a COUNT(DISTINCT) per window
-- keeps a set per group, which costs far more memory.
pair_days AS (
    SELECT account_id, counterparty_account_id, day_number,
           SUM(amount_usd) AS amount, COUNT(*) AS transfers
    FROM legs
    GROUP BY account_id, counterparty_account_id, day_number
),
windowed AS (
    SELECT t.account_id, t.day_number, t.business_date, p.counterparty_account_id,
           SUM(p.amount) AS amount, SUM(p.transfers) AS transfers
    FROM triggers AS t
    JOIN pair_days AS p
      ON p.account_id = t.account_id
     AND p.day_number <= t.day_number
     AND p.day_number > t.day_number - {window_days}
    GROUP BY t.account_id, t.day_number, t.business_date, p.counterparty_account_id
),
qualifying AS (
    SELECT account_id, day_number, business_date,
           COUNT(*) AS counterparties, SUM(amount) AS total, SUM(transfers) AS transfers
    FROM windowed
    GROUP BY account_id, day_number, business_date
    HAVING COUNT(*) >= {min_counterparties} AND SUM(amount) >= {min_total_usd}
)
SELECT
    MIN(l.customer_id) AS customer_id,
    q.account_id,
    q.business_date,
    CAST(LEAST(100, {score} + 2 * (q.counterparties - {min_counterparties})) AS BIGINT) AS score,
    CAST(q.total AS DECIMAL(18, 2)) AS amount_usd,
    array_agg(l.transaction_id ORDER BY l.created_at, l.transaction_id) AS transaction_ids,
    array_concat([q.account_id], array_agg(DISTINCT l.counterparty_account_id)) AS account_ids,
    concat(
        CAST(q.counterparties AS VARCHAR), ' distinct {counterparties} within {window_days} days: USD ',
        CAST(CAST(q.total AS DECIMAL(18, 2)) AS VARCHAR), ' in ', CAST(q.transfers AS VARCHAR),
        ' transfers'
    ) AS reason
FROM qualifying AS q
JOIN legs AS l
  ON l.account_id = q.account_id
 AND l.day_number <= q.day_number
 AND l.day_number > q.day_number - {window_days}
GROUP BY q.account_id, q.day_number, q.business_date, q.counterparties, q.total, q.transfers

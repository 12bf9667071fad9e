-- Rules fan_in and fan_out: transfers with at least {min_counterparties} distinct
-- {counterparties} within {window_days} days, USD {min_total_usd} or more in all. {leg} is
-- transfer_in for fan-in and transfer_out for fan-out; an alert needs a transfer on its date.
WITH legs AS (
    SELECT * FROM aml_movements
    WHERE transaction_type = '{leg}' AND counterparty_account_id IS NOT NULL
),
triggers AS (
    SELECT DISTINCT account_id, day_number, business_date
    FROM legs
    WHERE day_number BETWEEN {from_day} AND {to_day}
)
SELECT
    MIN(l.customer_id) AS customer_id,
    t.account_id,
    t.business_date,
    CAST(LEAST(100, {score} + 2 * (COUNT(DISTINCT l.counterparty_account_id) - {min_counterparties})) AS BIGINT) AS score,
    CAST(SUM(l.amount_usd) AS DECIMAL(18, 2)) AS amount_usd,
    array_agg(l.transaction_id ORDER BY l.created_at, l.transaction_id) AS transaction_ids,
    array_concat([t.account_id], array_agg(DISTINCT l.counterparty_account_id)) AS account_ids,
    concat(
        CAST(COUNT(DISTINCT l.counterparty_account_id) AS VARCHAR),
        ' distinct {counterparties} within {window_days} days: USD ',
        CAST(CAST(SUM(l.amount_usd) AS DECIMAL(18, 2)) AS VARCHAR), ' in ',
        CAST(COUNT(*) AS VARCHAR), ' transfers'
    ) AS reason
FROM triggers AS t
JOIN legs AS l
  ON l.account_id = t.account_id
 AND l.day_number <= t.day_number
 AND l.day_number > t.day_number - {window_days}
GROUP BY t.account_id, t.business_date
HAVING COUNT(DISTINCT l.counterparty_account_id) >= {min_counterparties}
   AND SUM(l.amount_usd) >= {min_total_usd}

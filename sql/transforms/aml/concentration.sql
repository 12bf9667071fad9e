-- Rules fan_in and fan_out: transfers with at least {{ min_counterparties }} distinct
-- {{ counterparties }} within {{ window_days }} days, USD {{ min_total_usd }} or more in all. {{ leg }} is
-- transfer_in for fan-in and transfer_out for fan-out; an alert needs a transfer on its date.
-- Counts first, evidence only for the windows that qualify.
WITH legs AS (
    SELECT * FROM aml_movements
    WHERE transaction_type = '{{ leg }}' AND counterparty_account_id IS NOT NULL
),
-- Distinct counterparties are counted by grouping twice (a COUNT(DISTINCT) per window keeps a
-- set per group), and each pair-day is spread over the windows it belongs to, the ones ending
-- on its day and on the {{ window_days }} - 1 days after, rather than joined to them.
pair_days AS (
    SELECT account_id, counterparty_account_id, day_number,
           SUM(amount_usd) AS amount, COUNT(*) AS transfers
    FROM legs
    GROUP BY account_id, counterparty_account_id, day_number
),
spread AS (
    SELECT account_id, counterparty_account_id, amount, transfers,
           unnest(range(day_number, day_number + {{ window_days }})) AS window_end
    FROM pair_days
),
windowed AS (
    SELECT account_id, window_end, counterparty_account_id,
           SUM(amount) AS amount, SUM(transfers) AS transfers
    FROM spread
    WHERE window_end BETWEEN {{ from_day }} AND {{ to_day }}
    GROUP BY account_id, window_end, counterparty_account_id
),
counted AS (
    SELECT account_id, window_end AS day_number,
           COUNT(*) AS counterparties, SUM(amount) AS total, SUM(transfers) AS transfers
    FROM windowed
    GROUP BY account_id, window_end
    HAVING COUNT(*) >= {{ min_counterparties }} AND SUM(amount) >= {{ min_total_usd }}
),
-- An alert needs a transfer on its date.
qualifying AS (
    SELECT c.*, t.business_date
    FROM counted AS c
    JOIN (SELECT DISTINCT account_id, day_number, business_date FROM legs) AS t
      ON t.account_id = c.account_id AND t.day_number = c.day_number
)
SELECT
    MIN(l.customer_id) AS customer_id,
    q.account_id,
    q.business_date,
    CAST(LEAST(100, {{ score }} + 2 * (q.counterparties - {{ min_counterparties }})) AS BIGINT) AS score,
    CAST(q.total AS DECIMAL(18, 2)) AS amount_usd,
    array_agg(l.transaction_id ORDER BY l.created_at, l.transaction_id) AS transaction_ids,
    array_concat([q.account_id], array_agg(DISTINCT l.counterparty_account_id)) AS account_ids,
    concat(
        CAST(q.counterparties AS VARCHAR), ' distinct {{ counterparties }} within {{ window_days }} days: USD ',
        CAST(CAST(q.total AS DECIMAL(18, 2)) AS VARCHAR), ' in ', CAST(q.transfers AS VARCHAR),
        ' transfers'
    ) AS reason
FROM qualifying AS q
JOIN legs AS l
  ON l.account_id = q.account_id
 AND l.day_number <= q.day_number
 AND l.day_number > q.day_number - {{ window_days }}
GROUP BY q.account_id, q.day_number, q.business_date, q.counterparties, q.total, q.transfers

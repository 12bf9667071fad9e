-- Rule peer_outlier: a customer's volume of one day is USD {{ min_amount_usd }} or more and at least
-- {{ multiplier }} times the median day of its peer group (customer type and industry or
-- occupation) over the {{ lookback_days }} days before the run's last date; groups of fewer than
-- {{ min_peers }} customers are not compared. Evidence only for the days that qualify.
WITH daily AS (
    SELECT customer_id, day_number, SUM(amount_usd) AS volume
    FROM aml_movements
    WHERE day_number > {{ to_day }} - {{ lookback_days }}
    GROUP BY customer_id, day_number
),
peers AS (
    SELECT customer_id,
           concat(customer_type, '/', COALESCE(industry, occupation, 'unknown')) AS peer_group
    FROM silver.customers
),
groups AS (
    SELECT p.peer_group, median(d.volume) AS typical_day, COUNT(DISTINCT d.customer_id) AS members
    FROM daily AS d
    JOIN peers AS p ON p.customer_id = d.customer_id
    GROUP BY p.peer_group
),
outliers AS (
    SELECT d.customer_id, d.day_number, d.volume, g.typical_day, g.members, p.peer_group
    FROM daily AS d
    JOIN peers AS p ON p.customer_id = d.customer_id
    JOIN groups AS g ON g.peer_group = p.peer_group
    WHERE d.day_number BETWEEN {{ from_day }} AND {{ to_day }}
      AND d.volume >= {{ min_amount_usd }}
      AND g.members >= {{ min_peers }}
      AND d.volume >= {{ multiplier }} * g.typical_day
)
SELECT
    o.customer_id,
    MIN(m.account_id) AS account_id,
    MIN(m.business_date) AS business_date,
    CAST({{ score }} AS BIGINT) AS score,
    CAST(o.volume AS DECIMAL(18, 2)) AS amount_usd,
    array_agg(m.transaction_id ORDER BY m.created_at, m.transaction_id) AS transaction_ids,
    array_agg(DISTINCT m.account_id) AS account_ids,
    concat(
        'USD ', CAST(CAST(o.volume AS DECIMAL(18, 2)) AS VARCHAR), ' in one day against a median day of USD ',
        CAST(CAST(o.typical_day AS DECIMAL(18, 2)) AS VARCHAR), ' among ', CAST(o.members AS VARCHAR),
        ' peers (', o.peer_group, ')'
    ) AS reason
FROM outliers AS o
JOIN aml_movements AS m ON m.customer_id = o.customer_id AND m.day_number = o.day_number
GROUP BY o.customer_id, o.day_number, o.volume, o.typical_day, o.members, o.peer_group

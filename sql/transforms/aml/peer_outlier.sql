-- Rule peer_outlier: a customer's volume of one day is USD {min_amount_usd} or more and at least
-- {multiplier} times the median day of its peer group (customer type and industry or
-- occupation) over the {lookback_days} days before the run's last date; groups of fewer than
-- {min_peers} customers are not compared.
WITH daily AS (
    SELECT customer_id, day_number, business_date, SUM(amount_usd) AS volume,
           array_agg(transaction_id ORDER BY created_at, transaction_id) AS transaction_ids,
           array_agg(DISTINCT account_id) AS account_ids
    FROM aml_movements
    WHERE day_number > {to_day} - {lookback_days}
    GROUP BY customer_id, day_number, business_date
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
)
SELECT
    d.customer_id,
    d.account_ids[1] AS account_id,
    d.business_date,
    CAST({score} AS BIGINT) AS score,
    CAST(d.volume AS DECIMAL(18, 2)) AS amount_usd,
    d.transaction_ids,
    d.account_ids,
    concat(
        'USD ', CAST(CAST(d.volume AS DECIMAL(18, 2)) AS VARCHAR), ' in one day against a median day of USD ',
        CAST(CAST(g.typical_day AS DECIMAL(18, 2)) AS VARCHAR), ' among ', CAST(g.members AS VARCHAR),
        ' peers (', p.peer_group, ')'
    ) AS reason
FROM daily AS d
JOIN peers AS p ON p.customer_id = d.customer_id
JOIN groups AS g ON g.peer_group = p.peer_group
WHERE d.day_number BETWEEN {from_day} AND {to_day}
  AND d.volume >= {min_amount_usd}
  AND g.members >= {min_peers}
  AND d.volume >= {multiplier} * g.typical_day

-- Rule velocity_spike: a customer's volume (in and out) of one day is USD {min_amount_usd} or
-- more and at least {multiplier} times its average day over the {baseline_days} days before,
-- counted from its first movement when that is later; customers seen for fewer than
-- {min_history_days} days have no baseline yet.
WITH daily AS (
    SELECT customer_id, day_number, business_date, SUM(amount_usd) AS volume,
           array_agg(transaction_id ORDER BY created_at, transaction_id) AS transaction_ids,
           array_agg(DISTINCT account_id) AS account_ids
    FROM aml_movements
    GROUP BY customer_id, day_number, business_date
),
first_seen AS (
    SELECT customer_id, MIN(day_number) AS first_day FROM daily GROUP BY customer_id
),
candidates AS (
    SELECT d.*, LEAST({baseline_days}, d.day_number - f.first_day) AS observed_days
    FROM daily AS d
    JOIN first_seen AS f ON f.customer_id = d.customer_id
    WHERE d.day_number BETWEEN {from_day} AND {to_day}
      AND d.volume >= {min_amount_usd}
      AND d.day_number - f.first_day >= {min_history_days}
),
baseline AS (
    SELECT c.customer_id, c.day_number, COALESCE(SUM(d.volume), 0) AS prior_volume
    FROM candidates AS c
    LEFT JOIN daily AS d
      ON d.customer_id = c.customer_id
     AND d.day_number < c.day_number
     AND d.day_number >= c.day_number - {baseline_days}
    GROUP BY c.customer_id, c.day_number
)
SELECT
    c.customer_id,
    c.account_ids[1] AS account_id,
    c.business_date,
    CAST({score} AS BIGINT) AS score,
    CAST(c.volume AS DECIMAL(18, 2)) AS amount_usd,
    c.transaction_ids,
    c.account_ids,
    concat(
        'USD ', CAST(CAST(c.volume AS DECIMAL(18, 2)) AS VARCHAR), ' in one day against an average day of USD ',
        CAST(CAST(b.prior_volume / c.observed_days AS DECIMAL(18, 2)) AS VARCHAR),
        ' over the ', CAST(c.observed_days AS VARCHAR), ' days before'
    ) AS reason
FROM candidates AS c
JOIN baseline AS b ON b.customer_id = c.customer_id AND b.day_number = c.day_number
WHERE c.volume >= {multiplier} * b.prior_volume / c.observed_days

-- Rule velocity_spike: a customer's volume (in and out) of one day is USD {{ min_amount_usd }} or
-- more and at least {{ multiplier }} times its average active day over the {{ baseline_days }}
-- days before. A customer seen for fewer than {{ min_history_days }} days, or active on fewer
-- than {{ min_active_days }} of those days, has no baseline yet: most accounts move money a few
-- days a month, and against an average diluted by idle days every active day would be a spike.
-- Evidence only for the days that qualify.
WITH daily AS (
    SELECT customer_id, day_number, volume FROM aml_customer_days
),
first_seen AS (
    SELECT customer_id, MIN(day_number) AS first_day FROM daily GROUP BY customer_id
),
candidates AS (
    SELECT d.*
    FROM daily AS d
    JOIN first_seen AS f ON f.customer_id = d.customer_id
    WHERE d.day_number BETWEEN {{ from_day }} AND {{ to_day }}
      AND d.volume >= {{ min_amount_usd }}
      AND d.day_number - f.first_day >= {{ min_history_days }}
),
spikes AS (
    SELECT c.customer_id, c.day_number, c.volume,
           COUNT(*) AS active_days, SUM(d.volume) AS prior_volume
    FROM candidates AS c
    JOIN daily AS d
      ON d.customer_id = c.customer_id
     AND d.day_number < c.day_number
     AND d.day_number >= c.day_number - {{ baseline_days }}
    GROUP BY c.customer_id, c.day_number, c.volume
    HAVING COUNT(*) >= {{ min_active_days }}
       AND c.volume >= {{ multiplier }} * SUM(d.volume) / COUNT(*)
)
SELECT
    s.customer_id,
    MIN(m.account_id) AS account_id,
    MIN(m.business_date) AS business_date,
    CAST({{ score }} AS BIGINT) AS score,
    CAST(s.volume AS DECIMAL(18, 2)) AS amount_usd,
    array_agg(m.transaction_id ORDER BY m.created_at, m.transaction_id) AS transaction_ids,
    array_agg(DISTINCT m.account_id) AS account_ids,
    concat(
        'USD ', CAST(CAST(s.volume AS DECIMAL(18, 2)) AS VARCHAR),
        ' in one day against an average active day of USD ',
        CAST(CAST(s.prior_volume / s.active_days AS DECIMAL(18, 2)) AS VARCHAR),
        ' over its ', CAST(s.active_days AS VARCHAR), ' active days of the {{ baseline_days }} before'
    ) AS reason
FROM spikes AS s
JOIN aml_movements AS m ON m.customer_id = s.customer_id AND m.day_number = s.day_number
GROUP BY s.customer_id, s.day_number, s.volume, s.active_days, s.prior_volume

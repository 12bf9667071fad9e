-- Rule peer_outlier: a customer's volume of one day is USD {{ min_amount_usd }} or more and lies
-- {{ min_deviations }} standard deviations or more above the days of its peers (same customer
-- type and industry or occupation) of the {{ lookback_days }} days before it, on a log scale:
-- day volumes spread over orders of magnitude, and a fixed multiple of the median is an everyday
-- event in a wide group and never reached in a narrow one. A customer's peers are the others of
-- its group, never itself, and their baseline is the days before the day judged, so that two
-- outliers of one day do not hide each other. A day is not judged on fewer than {{ min_peers }}
-- peers active in its look-back or {{ min_peer_days }} of their active days. The deviation is a float (a statistic, not money); amounts stay decimal.
{#- The sums of the days of `source` that share `key` with a day judged and lie in the
    look-back before it. #}
{% macro look_back_sums(source, key, lookback_days) -%}
SELECT c.customer_id, c.day_number, SUM(s.days) AS days, SUM(s.log_sum) AS log_sum,
           SUM(s.log_square_sum) AS log_square_sum
    FROM candidates AS c
    JOIN {{ source }} AS s
      ON s.{{ key }} = c.{{ key }}
     AND s.day_number >= c.day_number - {{ lookback_days }}
     AND s.day_number < c.day_number
    GROUP BY c.customer_id, c.day_number
{%- endmacro %}
WITH daily AS (
    SELECT customer_id, day_number, volume
    FROM aml_customer_days
    WHERE day_number >= {{ from_day }} - {{ lookback_days }} AND day_number <= {{ to_day }}
),
peers AS (
    SELECT customer_id,
           concat(customer_type, '/', COALESCE(industry, occupation, 'unknown')) AS peer_group
    FROM silver.customers
),
logged AS (
    SELECT d.customer_id, d.day_number, d.volume, p.peer_group,
           ln(CAST(d.volume AS DOUBLE)) AS log_volume,
           -- What the day adds to a baseline.
           1 AS days,
           ln(CAST(d.volume AS DOUBLE)) AS log_sum,
           ln(CAST(d.volume AS DOUBLE)) * ln(CAST(d.volume AS DOUBLE)) AS log_square_sum
    FROM daily AS d
    JOIN peers AS p ON p.customer_id = d.customer_id
    WHERE d.volume > 0
),
-- Sums per group and day: a baseline is the sums of its days, less the customer's own.
group_days AS (
    SELECT peer_group, day_number, COUNT(*) AS days, SUM(log_volume) AS log_sum,
           SUM(log_volume * log_volume) AS log_square_sum
    FROM logged
    GROUP BY peer_group, day_number
),
candidates AS (
    SELECT * FROM logged
    WHERE day_number BETWEEN {{ from_day }} AND {{ to_day }}
      AND volume >= {{ min_amount_usd }}
),
-- How many of a group's customers were active in the look-back before each candidate's day.
-- A customer's active day covers the days after it until its next active day, and at most
-- lookback_days: counted as +1 where that span starts and -1 after it ends, summed in day
-- order, in one pass over the days rather than a pass over the look-back of each candidate.
spans AS (
    SELECT peer_group, day_number,
           LEAD(day_number) OVER (PARTITION BY customer_id ORDER BY day_number) AS next_day
    FROM logged
),
span_edges AS (
    SELECT peer_group, day_number + 1 AS day_number, 1 AS change FROM spans
    UNION ALL
    SELECT peer_group, LEAST(COALESCE(next_day, day_number + {{ lookback_days }}), day_number + {{ lookback_days }}) + 1, -1
    FROM spans
    UNION ALL
    SELECT peer_group, day_number, 0 FROM candidates
),
changes_per_day AS (
    SELECT peer_group, day_number, SUM(change) AS change
    FROM span_edges
    GROUP BY peer_group, day_number
),
active_customers AS (
    SELECT peer_group, day_number,
           SUM(change) OVER (PARTITION BY peer_group ORDER BY day_number) AS active
    FROM changes_per_day
),
group_baselines AS (
    {{ look_back_sums("group_days", "peer_group", lookback_days) }}
),
own_baselines AS (
    {{ look_back_sums("logged", "customer_id", lookback_days) }}
),
peer_baselines AS (
    SELECT
        c.customer_id, c.day_number, c.volume, c.log_volume, c.peer_group,
        a.active - CASE WHEN o.days IS NULL THEN 0 ELSE 1 END AS peers,
        g.days - COALESCE(o.days, 0) AS days,
        g.log_sum - COALESCE(o.log_sum, 0.0) AS log_sum,
        g.log_square_sum - COALESCE(o.log_square_sum, 0.0) AS log_square_sum
    FROM candidates AS c
    JOIN group_baselines AS g ON g.customer_id = c.customer_id AND g.day_number = c.day_number
    JOIN active_customers AS a ON a.peer_group = c.peer_group AND a.day_number = c.day_number
    LEFT JOIN own_baselines AS o ON o.customer_id = c.customer_id AND o.day_number = c.day_number
    WHERE g.days - COALESCE(o.days, 0) >= {{ min_peer_days }}
      AND a.active - CASE WHEN o.days IS NULL THEN 0 ELSE 1 END >= {{ min_peers }}
),
moments AS (
    SELECT
        b.*,
        b.log_sum / b.days AS log_mean,
        -- Sample variance from the sums; never below zero for rounding's sake.
        GREATEST(0.0, (b.log_square_sum - b.log_sum * b.log_sum / b.days) / (b.days - 1)) AS log_variance
    FROM peer_baselines AS b
),
outliers AS (
    SELECT customer_id, day_number, volume, peer_group, peers,
           exp(log_mean) AS typical_day,
           (log_volume - log_mean) / sqrt(log_variance) AS deviations
    FROM moments
    WHERE log_variance > 0
      AND log_volume - log_mean >= {{ min_deviations }} * sqrt(log_variance)
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
        'USD ', CAST(CAST(o.volume AS DECIMAL(18, 2)) AS VARCHAR), ' in one day, ',
        CAST(CAST(floor(o.deviations) AS BIGINT) AS VARCHAR), '.',
        CAST(CAST(floor(10 * o.deviations) - 10 * floor(o.deviations) AS BIGINT) AS VARCHAR),
        ' standard deviations above the days of ', CAST(o.peers AS VARCHAR),
        ' peers (', o.peer_group, '; their typical day USD ',
        CAST(CAST(floor(o.typical_day) AS BIGINT) AS VARCHAR), ')'
    ) AS reason
FROM outliers AS o
JOIN aml_movements AS m ON m.customer_id = o.customer_id AND m.day_number = o.day_number
GROUP BY o.customer_id, o.day_number, o.volume, o.typical_day, o.deviations, o.peers, o.peer_group

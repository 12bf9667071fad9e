-- Rule dormant_reactivated: an account whose last earlier movement is {{ dormant_days }} days old
-- or more moves USD {{ min_amount_usd }} or more. An account with no earlier movement in the lake
-- is new to it, not dormant.
WITH large AS (
    SELECT * FROM aml_movements
    WHERE day_number BETWEEN {{ from_day }} AND {{ to_day }} AND amount_usd >= {{ min_amount_usd }}
),
first_large AS (
    SELECT account_id, day_number, MIN(created_at) AS first_at
    FROM large
    GROUP BY account_id, day_number
),
history AS (
    SELECT t.account_id, t.created_at
    FROM silver.transactions AS t
    WHERE t.status = 'posted' AND t.account_id IN (SELECT account_id FROM large)
),
last_before AS (
    SELECT f.account_id, f.day_number, MAX(h.created_at) AS last_at
    FROM first_large AS f
    JOIN history AS h ON h.account_id = f.account_id AND h.created_at < f.first_at
    GROUP BY f.account_id, f.day_number
)
SELECT
    MIN(l.customer_id) AS customer_id,
    l.account_id,
    l.business_date,
    CAST({{ score }} AS BIGINT) AS score,
    CAST(SUM(l.amount_usd) AS DECIMAL(18, 2)) AS amount_usd,
    array_agg(l.transaction_id ORDER BY l.created_at, l.transaction_id) AS transaction_ids,
    [l.account_id] AS account_ids,
    concat(
        'USD ', CAST(CAST(SUM(l.amount_usd) AS DECIMAL(18, 2)) AS VARCHAR),
        ' moved after ',
        CAST(CAST(floor((date_part('epoch', MIN(l.created_at)) - date_part('epoch', MIN(b.last_at))) / 86400) AS BIGINT) AS VARCHAR),
        ' days without a movement'
    ) AS reason
FROM large AS l
JOIN last_before AS b ON b.account_id = l.account_id AND b.day_number = l.day_number
WHERE b.last_at < l.created_at - INTERVAL '{{ dormant_days }} days'
GROUP BY l.account_id, l.business_date

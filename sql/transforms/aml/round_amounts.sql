-- Rule round_amounts: {{ min_count }} or more movements in whole multiples of {{ round_unit }} (in their
-- own currency) and of USD {{ min_amount_usd }} or more within {{ window_days }} days.
WITH round_movements AS (
    SELECT * FROM aml_movements
    WHERE amount_usd >= {{ min_amount_usd }} AND amount % {{ round_unit }} = 0
),
triggers AS (
    SELECT DISTINCT customer_id, day_number, business_date
    FROM round_movements
    WHERE day_number BETWEEN {{ from_day }} AND {{ to_day }}
)
SELECT
    t.customer_id,
    MIN(r.account_id) AS account_id,
    t.business_date,
    CAST(LEAST(100, {{ score }} + 5 * (COUNT(*) - {{ min_count }})) AS BIGINT) AS score,
    CAST(SUM(r.amount_usd) AS DECIMAL(18, 2)) AS amount_usd,
    array_agg(r.transaction_id ORDER BY r.created_at, r.transaction_id) AS transaction_ids,
    array_agg(DISTINCT r.account_id) AS account_ids,
    concat(
        CAST(COUNT(*) AS VARCHAR), ' movements in round amounts within {{ window_days }} days, USD ',
        CAST(CAST(SUM(r.amount_usd) AS DECIMAL(18, 2)) AS VARCHAR), ' in all'
    ) AS reason
FROM triggers AS t
JOIN round_movements AS r
  ON r.customer_id = t.customer_id
 AND r.day_number <= t.day_number
 AND r.day_number > t.day_number - {{ window_days }}
GROUP BY t.customer_id, t.business_date
HAVING COUNT(*) >= {{ min_count }}

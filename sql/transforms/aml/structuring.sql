-- Rule structuring: cash deposits each in a band under the CTR threshold, on days whose total
-- stays under it, adding up to more than the threshold within {{ window_days }} days
-- (31 CFR 1010.314). A day that reaches the threshold is a CTR, not an evasion of one.
WITH deposits AS (
    SELECT * FROM aml_movements WHERE transaction_type = 'cash_deposit'
),
daily AS (
    SELECT customer_id, day_number, SUM(amount_usd) AS day_total
    FROM deposits
    GROUP BY customer_id, day_number
),
banded AS (
    SELECT d.*
    FROM deposits AS d
    JOIN daily AS y ON y.customer_id = d.customer_id AND y.day_number = d.day_number
    WHERE y.day_total <= {{ threshold_usd }}
      AND d.amount_usd >= {{ band_floor_usd }}
      AND d.amount_usd < {{ threshold_usd }}
),
triggers AS (
    SELECT DISTINCT customer_id, day_number, business_date
    FROM banded
    WHERE day_number BETWEEN {{ from_day }} AND {{ to_day }}
)
SELECT
    t.customer_id,
    MIN(b.account_id) AS account_id,
    t.business_date,
    CAST(LEAST(100, {{ score }} + 5 * (COUNT(*) - {{ min_deposits }})) AS BIGINT) AS score,
    CAST(SUM(b.amount_usd) AS DECIMAL(18, 2)) AS amount_usd,
    array_agg(b.transaction_id ORDER BY b.created_at, b.transaction_id) AS transaction_ids,
    array_agg(DISTINCT b.account_id) AS account_ids,
    concat(
        CAST(COUNT(*) AS VARCHAR), ' cash deposits of USD {{ band_floor_usd }} to {{ threshold_usd }} within ',
        '{{ window_days }} days add up to USD ', CAST(CAST(SUM(b.amount_usd) AS DECIMAL(18, 2)) AS VARCHAR),
        ' while no day reached the CTR threshold'
    ) AS reason
FROM triggers AS t
JOIN banded AS b
  ON b.customer_id = t.customer_id
 AND b.day_number <= t.day_number
 AND b.day_number > t.day_number - {{ window_days }}
GROUP BY t.customer_id, t.business_date
HAVING COUNT(*) >= {{ min_deposits }} AND SUM(b.amount_usd) > {{ threshold_usd }}

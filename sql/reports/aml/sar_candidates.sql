SELECT case_id, customer_id, customer_name, period_start, period_end, total_amount_usd, array_to_string(typologies, ', ') AS typologies, max_score, business_date
FROM gold.sar_candidates
WHERE business_date BETWEEN DATE '{{ from }}' AND DATE '{{ to }}'
ORDER BY business_date, max_score DESC

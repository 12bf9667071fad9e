SELECT rule_id, stage, match_type, currency, COUNT(*) AS matches, SUM(COALESCE(left_amount, right_amount)) AS amount, SUM(CASE WHEN days_late > 0 THEN 1 ELSE 0 END) AS late
FROM gold.recon_matches
WHERE business_date = DATE '{{ business_date }}'
GROUP BY rule_id, stage, match_type, currency
ORDER BY stage, rule_id, currency

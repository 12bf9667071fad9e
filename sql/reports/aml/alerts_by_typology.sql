SELECT rule_id, CAST(COUNT(*) AS VARCHAR) AS alerts
FROM gold.aml_alerts
WHERE business_date BETWEEN DATE '{{ from }}' AND DATE '{{ to }}'
GROUP BY rule_id
ORDER BY COUNT(*) DESC, rule_id

SELECT alert_id, rule_id, rule_version, parameters, customer_id, account_id, score, amount_usd, reason, business_date
FROM gold.aml_alerts
WHERE business_date BETWEEN DATE '{{ from }}' AND DATE '{{ to }}'
ORDER BY business_date, score DESC, alert_id

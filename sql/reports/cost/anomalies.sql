SELECT service_name, CAST(actual_cost AS DECIMAL(38, 2)) AS actual, CAST(expected_cost AS DECIMAL(38, 2)) AS expected, CAST(impact AS DECIMAL(38, 2)) AS impact, impact_percent, root_cause_account, root_cause_resource, CAST(root_cause_impact AS DECIMAL(38, 2)) AS root_cause_impact
FROM gold.cost_anomalies
WHERE business_date = DATE '{{ business_date }}'
ORDER BY impact DESC

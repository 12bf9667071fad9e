-- The demo's summary: AML alerts by rule.
SELECT rule_id, CAST(count(*) AS VARCHAR) AS alerts
FROM gold.aml_alerts
GROUP BY rule_id
ORDER BY rule_id

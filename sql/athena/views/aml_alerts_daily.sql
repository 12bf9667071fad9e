-- Alerts per business day and rule, for dashboards (QuickSight reads the view through Athena).
CREATE OR REPLACE VIEW gold.aml_alerts_daily AS
SELECT business_date,
       rule_id,
       count(*) AS alerts,
       count(DISTINCT customer_id) AS customers,
       sum(amount_usd) AS amount_usd
FROM gold.aml_alerts
GROUP BY business_date, rule_id;

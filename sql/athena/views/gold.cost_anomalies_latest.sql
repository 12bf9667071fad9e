-- gold.cost_anomalies: Services whose daily cost rose above their expected cost (median of the days before) by the configured impact, with the account and resource that caused most of it, as AWS Cost Anomaly Detection reports.
-- Owner: finance. Key: business_date, service_name. Personal data: none.
-- Generated from the table registry by `paylake catalog sql-files`; do not edit.
-- The rows of the latest business date the table holds.
CREATE OR REPLACE VIEW gold.cost_anomalies_latest AS
SELECT *
FROM gold.cost_anomalies
WHERE business_date = (SELECT max(business_date) FROM gold.cost_anomalies);

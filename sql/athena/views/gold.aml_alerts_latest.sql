-- gold.aml_alerts: Alerts of the AML rules: which rule and version with which parameters, the customer and account, a score from 0 to 100, the evidence transactions and accounts, and a one-line reason. The id is stable across re-runs of the same inputs.
-- Owner: compliance. Key: alert_id. Personal data: none.
-- Generated from the table registry by `paylake catalog sql-files`; do not edit.
-- The rows of the latest business date the table holds.
CREATE OR REPLACE VIEW gold.aml_alerts_latest AS
SELECT *
FROM gold.aml_alerts
WHERE business_date = (SELECT max(business_date) FROM gold.aml_alerts);

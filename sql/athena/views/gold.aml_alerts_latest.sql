-- gold.aml_alerts: Alerts of the AML rules: which rule and version with which parameters, the customer and account, a score from 0 to 100, the evidence transactions and accounts, and a one-line reason. The id is stable across re-runs of the same inputs. An alert under a suppression or whitelist decision in force is written all the same, with the decision's id in `suppressed_by`, and opens no case. The rule `sanctions_screening` alerts a sanctions hit that is new or whose entry changed.
-- Owner: compliance. Key: alert_id. Personal data: none.
-- Generated from the table registry by `paylake catalog sql-files`; do not edit.
-- The rows of the latest business date the table holds.
CREATE OR REPLACE VIEW gold.aml_alerts_latest AS
SELECT *
FROM gold.aml_alerts
WHERE business_date = (SELECT max(business_date) FROM gold.aml_alerts);

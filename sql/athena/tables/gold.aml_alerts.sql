-- gold.aml_alerts: Alerts of the AML rules: which rule and version with which parameters, the customer and account, a score from 0 to 100, the evidence transactions and accounts, and a one-line reason. The id is stable across re-runs of the same inputs. An alert under a suppression or whitelist decision in force is written all the same, with the decision's id in `suppressed_by`, and opens no case. The rule `sanctions_screening` alerts a sanctions hit that is new or whose entry changed.
-- Owner: compliance. Key: alert_id. Personal data: none.
-- Generated from the table registry by `paylake catalog sql-files`; do not edit.
-- Athena reads the columns and the partitions from the Delta log:
--   alert_id string
--   rule_id string
--   rule_version string
--   parameters string
--   customer_id string
--   account_id string
--   score bigint
--   amount_usd decimal(18,2)
--   transaction_ids array<string>
--   account_ids array<string>
--   reason string
--   business_date date
--   suppressed_by string
CREATE EXTERNAL TABLE gold.aml_alerts
LOCATION '${lake}/gold/aml_alerts/'
TBLPROPERTIES ('table_type' = 'DELTA');

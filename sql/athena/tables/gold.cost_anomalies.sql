-- gold.cost_anomalies: Services whose daily cost rose above their expected cost (median of the days before) by the configured impact, with the account and resource that caused most of it, as AWS Cost Anomaly Detection reports.
-- Owner: finance. Key: business_date, service_name. Personal data: none.
-- Generated from the table registry by `paylake catalog sql-files`; do not edit.
-- Athena reads the columns and the partitions from the Delta log:
--   service_name string
--   actual_cost decimal(38,12)
--   expected_cost decimal(38,12)
--   impact decimal(38,12)
--   impact_percent decimal(18,2)
--   baseline_days bigint
--   root_cause_account string
--   root_cause_resource string
--   root_cause_impact decimal(38,12)
--   business_date date
CREATE EXTERNAL TABLE gold.cost_anomalies
LOCATION '${lake}/gold/cost_anomalies/'
TBLPROPERTIES ('table_type' = 'DELTA');

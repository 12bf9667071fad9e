-- gold.cost_anomalies: Services whose daily cost rose above their expected cost (median of the days before) by the configured impact, with the account and resource that caused most of it, as AWS Cost Anomaly Detection reports.
-- Owner: finance. Key: business_date, service_name. Personal data: none.
-- Loads one business date, as one transaction (BatchExecuteStatement).
-- Generated from the table registry by `paylake catalog sql-files`; do not edit.
CREATE TEMP TABLE stage_files_cost_anomalies (
  service_name VARCHAR(65535),
  actual_cost DECIMAL(38,12),
  expected_cost DECIMAL(38,12),
  impact DECIMAL(38,12),
  impact_percent DECIMAL(18,2),
  baseline_days BIGINT,
  root_cause_account VARCHAR(65535),
  root_cause_resource VARCHAR(65535),
  root_cause_impact DECIMAL(38,12)
);
COPY stage_files_cost_anomalies FROM '${manifest}' IAM_ROLE '${iam_role}' FORMAT AS PARQUET MANIFEST;
CREATE TEMP TABLE stage_cost_anomalies AS SELECT *, CAST('${business_date}' AS DATE) AS business_date FROM stage_files_cost_anomalies;
MERGE INTO gold.cost_anomalies AS t USING stage_cost_anomalies AS s ON t.business_date = s.business_date AND t.service_name = s.service_name
WHEN MATCHED THEN UPDATE SET actual_cost = s.actual_cost, expected_cost = s.expected_cost, impact = s.impact, impact_percent = s.impact_percent, baseline_days = s.baseline_days, root_cause_account = s.root_cause_account, root_cause_resource = s.root_cause_resource, root_cause_impact = s.root_cause_impact
WHEN NOT MATCHED THEN INSERT (service_name, actual_cost, expected_cost, impact, impact_percent, baseline_days, root_cause_account, root_cause_resource, root_cause_impact, business_date) VALUES (s.service_name, s.actual_cost, s.expected_cost, s.impact, s.impact_percent, s.baseline_days, s.root_cause_account, s.root_cause_resource, s.root_cause_impact, s.business_date);
DELETE FROM gold.cost_anomalies WHERE business_date = CAST('${business_date}' AS DATE) AND NOT EXISTS (SELECT 1 FROM stage_cost_anomalies AS s WHERE s.business_date = gold.cost_anomalies.business_date AND s.service_name = gold.cost_anomalies.service_name);

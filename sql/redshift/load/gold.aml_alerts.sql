-- gold.aml_alerts: Alerts of the AML rules: which rule and version with which parameters, the customer and account, a score from 0 to 100, the evidence transactions and accounts, and a one-line reason. The id is stable across re-runs of the same inputs. An alert under a suppression or whitelist decision in force is written all the same, with the decision's id in `suppressed_by`, and opens no case. The rule `sanctions_screening` alerts a sanctions hit that is new or whose entry changed.
-- Owner: compliance. Key: alert_id. Personal data: none.
-- Loads one business date, as one transaction (BatchExecuteStatement).
-- Generated from the table registry by `paylake catalog sql-files`; do not edit.
CREATE TEMP TABLE stage_files_aml_alerts (
  alert_id VARCHAR(65535),
  rule_id VARCHAR(65535),
  rule_version VARCHAR(65535),
  parameters VARCHAR(65535),
  customer_id VARCHAR(65535),
  account_id VARCHAR(65535),
  score BIGINT,
  amount_usd DECIMAL(18,2),
  transaction_ids SUPER,
  account_ids SUPER,
  reason VARCHAR(65535),
  suppressed_by VARCHAR(65535)
);
COPY stage_files_aml_alerts FROM '${manifest}' IAM_ROLE '${iam_role}' FORMAT AS PARQUET SERIALIZETOJSON MANIFEST;
CREATE TEMP TABLE stage_aml_alerts AS SELECT *, CAST('${business_date}' AS DATE) AS business_date FROM stage_files_aml_alerts;
MERGE INTO gold.aml_alerts AS t USING stage_aml_alerts AS s ON t.alert_id = s.alert_id AND t.business_date = s.business_date
WHEN MATCHED THEN UPDATE SET rule_id = s.rule_id, rule_version = s.rule_version, parameters = s.parameters, customer_id = s.customer_id, account_id = s.account_id, score = s.score, amount_usd = s.amount_usd, transaction_ids = s.transaction_ids, account_ids = s.account_ids, reason = s.reason, suppressed_by = s.suppressed_by
WHEN NOT MATCHED THEN INSERT (alert_id, rule_id, rule_version, parameters, customer_id, account_id, score, amount_usd, transaction_ids, account_ids, reason, business_date, suppressed_by) VALUES (s.alert_id, s.rule_id, s.rule_version, s.parameters, s.customer_id, s.account_id, s.score, s.amount_usd, s.transaction_ids, s.account_ids, s.reason, s.business_date, s.suppressed_by);
DELETE FROM gold.aml_alerts WHERE business_date = CAST('${business_date}' AS DATE) AND NOT EXISTS (SELECT 1 FROM stage_aml_alerts AS s WHERE s.alert_id = gold.aml_alerts.alert_id AND s.business_date = gold.aml_alerts.business_date);

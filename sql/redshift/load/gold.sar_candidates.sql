-- gold.sar_candidates: Suspicious Activity Report candidates: a customer's alerts of the look-back period grouped into one case with period, total, typologies, evidence and a draft narrative.
-- Owner: compliance. Key: business_date, case_id. Personal data: customer_name, narrative.
-- Loads one business date, as one transaction (BatchExecuteStatement).
-- Generated from the table registry by `paylake catalog sql-files`; do not edit.
CREATE TEMP TABLE stage_files_sar_candidates (
  case_id VARCHAR(65535),
  customer_id VARCHAR(65535),
  customer_name VARCHAR(65535),
  period_start DATE,
  period_end DATE,
  total_amount_usd DECIMAL(18,2),
  typologies SUPER,
  alert_ids SUPER,
  transaction_ids SUPER,
  account_ids SUPER,
  max_score BIGINT,
  narrative VARCHAR(65535)
);
COPY stage_files_sar_candidates FROM '${manifest}' IAM_ROLE '${iam_role}' FORMAT AS PARQUET SERIALIZETOJSON MANIFEST;
CREATE TEMP TABLE stage_sar_candidates AS SELECT *, CAST('${business_date}' AS DATE) AS business_date FROM stage_files_sar_candidates;
MERGE INTO gold.sar_candidates AS t USING stage_sar_candidates AS s ON t.business_date = s.business_date AND t.case_id = s.case_id
WHEN MATCHED THEN UPDATE SET customer_id = s.customer_id, customer_name = s.customer_name, period_start = s.period_start, period_end = s.period_end, total_amount_usd = s.total_amount_usd, typologies = s.typologies, alert_ids = s.alert_ids, transaction_ids = s.transaction_ids, account_ids = s.account_ids, max_score = s.max_score, narrative = s.narrative
WHEN NOT MATCHED THEN INSERT (case_id, customer_id, customer_name, period_start, period_end, total_amount_usd, typologies, alert_ids, transaction_ids, account_ids, max_score, narrative, business_date) VALUES (s.case_id, s.customer_id, s.customer_name, s.period_start, s.period_end, s.total_amount_usd, s.typologies, s.alert_ids, s.transaction_ids, s.account_ids, s.max_score, s.narrative, s.business_date);
DELETE FROM gold.sar_candidates WHERE business_date = CAST('${business_date}' AS DATE) AND NOT EXISTS (SELECT 1 FROM stage_sar_candidates AS s WHERE s.business_date = gold.sar_candidates.business_date AND s.case_id = gold.sar_candidates.case_id);

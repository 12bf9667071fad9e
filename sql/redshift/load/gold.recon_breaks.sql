-- gold.recon_breaks: Reconciliation breaks open at the end of the business date, carried from day to day until matched or until a person writes them off (status open, write_off_due from the write-off age, written_off on the date a person's decision takes effect, with its id): missing_in_ledger, missing_in_processor, missing_in_bank, timing_pending, amount_mismatch, fee_variance, fx_difference, currency_mismatch, duplicate, split_incomplete, integrity_violation; with the field that differs, both values and the age in days.
-- Owner: finance. Key: business_date, break_id. Personal data: none.
-- Loads one business date, as one transaction (BatchExecuteStatement).
-- Generated from the table registry by `paylake catalog sql-files`; do not edit.
CREATE TEMP TABLE stage_files_recon_breaks (
  break_id VARCHAR(65535),
  category VARCHAR(65535),
  reference VARCHAR(65535),
  left_side VARCHAR(65535),
  left_reference VARCHAR(65535),
  right_side VARCHAR(65535),
  right_reference VARCHAR(65535),
  currency VARCHAR(65535),
  left_amount DECIMAL(18,2),
  right_amount DECIMAL(18,2),
  difference DECIMAL(18,2),
  field VARCHAR(65535),
  expected_value VARCHAR(65535),
  actual_value VARCHAR(65535),
  rule_id VARCHAR(65535),
  origin_date DATE,
  due_date DATE,
  age_days BIGINT,
  status VARCHAR(65535),
  detail VARCHAR(65535),
  decision_id VARCHAR(65535),
  rules_version VARCHAR(65535)
);
COPY stage_files_recon_breaks FROM '${manifest}' IAM_ROLE '${iam_role}' FORMAT AS PARQUET MANIFEST;
CREATE TEMP TABLE stage_recon_breaks AS SELECT *, CAST('${business_date}' AS DATE) AS business_date FROM stage_files_recon_breaks;
MERGE INTO gold.recon_breaks AS t USING stage_recon_breaks AS s ON t.business_date = s.business_date AND t.break_id = s.break_id
WHEN MATCHED THEN UPDATE SET category = s.category, reference = s.reference, left_side = s.left_side, left_reference = s.left_reference, right_side = s.right_side, right_reference = s.right_reference, currency = s.currency, left_amount = s.left_amount, right_amount = s.right_amount, difference = s.difference, field = s.field, expected_value = s.expected_value, actual_value = s.actual_value, rule_id = s.rule_id, origin_date = s.origin_date, due_date = s.due_date, age_days = s.age_days, status = s.status, detail = s.detail, decision_id = s.decision_id, rules_version = s.rules_version
WHEN NOT MATCHED THEN INSERT (break_id, category, reference, left_side, left_reference, right_side, right_reference, currency, left_amount, right_amount, difference, field, expected_value, actual_value, rule_id, origin_date, due_date, age_days, status, detail, decision_id, rules_version, business_date) VALUES (s.break_id, s.category, s.reference, s.left_side, s.left_reference, s.right_side, s.right_reference, s.currency, s.left_amount, s.right_amount, s.difference, s.field, s.expected_value, s.actual_value, s.rule_id, s.origin_date, s.due_date, s.age_days, s.status, s.detail, s.decision_id, s.rules_version, s.business_date);
DELETE FROM gold.recon_breaks WHERE business_date = CAST('${business_date}' AS DATE) AND NOT EXISTS (SELECT 1 FROM stage_recon_breaks AS s WHERE s.business_date = gold.recon_breaks.business_date AND s.break_id = gold.recon_breaks.break_id);

-- gold.recon_matches: Matches of the three-way reconciliation completed on the business date: payment to settlement line, payout to its batch, payout to bank credit, each with the rule and stage that made it (exact, tolerant, FX, or `manual`: a break a person matched by hand, with the decision's id) and how late it came.
-- Owner: finance. Key: business_date, match_id. Personal data: none.
-- Loads one business date, as one transaction (BatchExecuteStatement).
-- Generated from the table registry by `paylake catalog sql-files`; do not edit.
CREATE TEMP TABLE stage_files_recon_matches (
  match_id VARCHAR(65535),
  stage BIGINT,
  rule_id VARCHAR(65535),
  match_type VARCHAR(65535),
  reference VARCHAR(65535),
  left_side VARCHAR(65535),
  left_reference VARCHAR(65535),
  right_side VARCHAR(65535),
  right_reference VARCHAR(65535),
  right_count BIGINT,
  currency VARCHAR(65535),
  left_amount DECIMAL(18,2),
  right_amount DECIMAL(18,2),
  difference DECIMAL(18,2),
  origin_date DATE,
  days_late BIGINT,
  detail VARCHAR(65535),
  decision_id VARCHAR(65535),
  rules_version VARCHAR(65535)
);
COPY stage_files_recon_matches FROM '${manifest}' IAM_ROLE '${iam_role}' FORMAT AS PARQUET MANIFEST;
CREATE TEMP TABLE stage_recon_matches AS SELECT *, CAST('${business_date}' AS DATE) AS business_date FROM stage_files_recon_matches;
MERGE INTO gold.recon_matches AS t USING stage_recon_matches AS s ON t.business_date = s.business_date AND t.match_id = s.match_id
WHEN MATCHED THEN UPDATE SET stage = s.stage, rule_id = s.rule_id, match_type = s.match_type, reference = s.reference, left_side = s.left_side, left_reference = s.left_reference, right_side = s.right_side, right_reference = s.right_reference, right_count = s.right_count, currency = s.currency, left_amount = s.left_amount, right_amount = s.right_amount, difference = s.difference, origin_date = s.origin_date, days_late = s.days_late, detail = s.detail, decision_id = s.decision_id, rules_version = s.rules_version
WHEN NOT MATCHED THEN INSERT (match_id, stage, rule_id, match_type, reference, left_side, left_reference, right_side, right_reference, right_count, currency, left_amount, right_amount, difference, origin_date, days_late, detail, decision_id, rules_version, business_date) VALUES (s.match_id, s.stage, s.rule_id, s.match_type, s.reference, s.left_side, s.left_reference, s.right_side, s.right_reference, s.right_count, s.currency, s.left_amount, s.right_amount, s.difference, s.origin_date, s.days_late, s.detail, s.decision_id, s.rules_version, s.business_date);
DELETE FROM gold.recon_matches WHERE business_date = CAST('${business_date}' AS DATE) AND NOT EXISTS (SELECT 1 FROM stage_recon_matches AS s WHERE s.business_date = gold.recon_matches.business_date AND s.match_id = gold.recon_matches.match_id);

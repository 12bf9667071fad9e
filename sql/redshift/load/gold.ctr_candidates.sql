-- gold.ctr_candidates: Currency Transaction Report candidates: a customer's cash in or cash out of one business day, all channels, over USD 10,000 (31 CFR 1010.311, 1010.313). A customer with an approved CTR exemption in force keeps its candidates with the exemption's reason (`exemption`); they are not filed.
-- Owner: compliance. Key: business_date, customer_id, direction. Personal data: customer_name.
-- Loads one business date, as one transaction (BatchExecuteStatement).
-- Generated from the table registry by `paylake catalog sql-files`; do not edit.
CREATE TEMP TABLE stage_files_ctr_candidates (
  customer_id VARCHAR(65535),
  customer_name VARCHAR(65535),
  direction VARCHAR(65535),
  total_amount_usd DECIMAL(18,2),
  transaction_count BIGINT,
  channels SUPER,
  transaction_ids SUPER,
  exemption VARCHAR(65535)
);
COPY stage_files_ctr_candidates FROM '${manifest}' IAM_ROLE '${iam_role}' FORMAT AS PARQUET SERIALIZETOJSON MANIFEST;
CREATE TEMP TABLE stage_ctr_candidates AS SELECT *, CAST('${business_date}' AS DATE) AS business_date FROM stage_files_ctr_candidates;
MERGE INTO gold.ctr_candidates AS t USING stage_ctr_candidates AS s ON t.business_date = s.business_date AND t.customer_id = s.customer_id AND t.direction = s.direction
WHEN MATCHED THEN UPDATE SET customer_name = s.customer_name, total_amount_usd = s.total_amount_usd, transaction_count = s.transaction_count, channels = s.channels, transaction_ids = s.transaction_ids, exemption = s.exemption
WHEN NOT MATCHED THEN INSERT (customer_id, customer_name, direction, total_amount_usd, transaction_count, channels, transaction_ids, exemption, business_date) VALUES (s.customer_id, s.customer_name, s.direction, s.total_amount_usd, s.transaction_count, s.channels, s.transaction_ids, s.exemption, s.business_date);
DELETE FROM gold.ctr_candidates WHERE business_date = CAST('${business_date}' AS DATE) AND NOT EXISTS (SELECT 1 FROM stage_ctr_candidates AS s WHERE s.business_date = gold.ctr_candidates.business_date AND s.customer_id = gold.ctr_candidates.customer_id AND s.direction = gold.ctr_candidates.direction);

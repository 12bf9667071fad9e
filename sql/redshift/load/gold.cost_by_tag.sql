-- gold.cost_by_tag: Cloud cost of a billing day per tag key and value and service.
-- Owner: finance. Key: business_date, tag_key, tag_value, service_name. Personal data: none.
-- Loads one business date, as one transaction (BatchExecuteStatement).
-- Generated from the table registry by `paylake catalog sql-files`; do not edit.
CREATE TEMP TABLE stage_files_cost_by_tag (
  tag_key VARCHAR(65535),
  tag_value VARCHAR(65535),
  service_name VARCHAR(65535),
  billed_cost DECIMAL(38,12),
  effective_cost DECIMAL(38,12),
  line_count BIGINT
);
COPY stage_files_cost_by_tag FROM '${manifest}' IAM_ROLE '${iam_role}' FORMAT AS PARQUET MANIFEST;
CREATE TEMP TABLE stage_cost_by_tag AS SELECT *, CAST('${business_date}' AS DATE) AS business_date FROM stage_files_cost_by_tag;
MERGE INTO gold.cost_by_tag AS t USING stage_cost_by_tag AS s ON t.business_date = s.business_date AND t.tag_key = s.tag_key AND t.tag_value = s.tag_value AND t.service_name = s.service_name
WHEN MATCHED THEN UPDATE SET billed_cost = s.billed_cost, effective_cost = s.effective_cost, line_count = s.line_count
WHEN NOT MATCHED THEN INSERT (tag_key, tag_value, service_name, billed_cost, effective_cost, line_count, business_date) VALUES (s.tag_key, s.tag_value, s.service_name, s.billed_cost, s.effective_cost, s.line_count, s.business_date);
DELETE FROM gold.cost_by_tag WHERE business_date = CAST('${business_date}' AS DATE) AND NOT EXISTS (SELECT 1 FROM stage_cost_by_tag AS s WHERE s.business_date = gold.cost_by_tag.business_date AND s.tag_key = gold.cost_by_tag.tag_key AND s.tag_value = gold.cost_by_tag.tag_value AND s.service_name = gold.cost_by_tag.service_name);

-- gold.cost_daily: Cloud cost of a UTC billing day by account, service, charge category and the payment channel its allocation tag names ('shared' without one): BilledCost and EffectiveCost.
-- Owner: finance. Key: business_date, billing_account_id, provider_name, service_name, service_category, charge_category, channel, billing_currency. Personal data: none.
-- Loads one business date, as one transaction (BatchExecuteStatement).
-- Generated from the table registry by `paylake catalog sql-files`; do not edit.
CREATE TEMP TABLE stage_files_cost_daily (
  billing_account_id VARCHAR(65535),
  provider_name VARCHAR(65535),
  service_name VARCHAR(65535),
  service_category VARCHAR(65535),
  charge_category VARCHAR(65535),
  channel VARCHAR(65535),
  billing_currency VARCHAR(65535),
  billed_cost DECIMAL(38,12),
  effective_cost DECIMAL(38,12),
  line_count BIGINT
);
COPY stage_files_cost_daily FROM '${manifest}' IAM_ROLE '${iam_role}' FORMAT AS PARQUET MANIFEST;
CREATE TEMP TABLE stage_cost_daily AS SELECT *, CAST('${business_date}' AS DATE) AS business_date FROM stage_files_cost_daily;
MERGE INTO gold.cost_daily AS t USING stage_cost_daily AS s ON t.business_date = s.business_date AND t.billing_account_id = s.billing_account_id AND t.provider_name = s.provider_name AND t.service_name = s.service_name AND t.service_category = s.service_category AND t.charge_category = s.charge_category AND t.channel = s.channel AND t.billing_currency = s.billing_currency
WHEN MATCHED THEN UPDATE SET billed_cost = s.billed_cost, effective_cost = s.effective_cost, line_count = s.line_count
WHEN NOT MATCHED THEN INSERT (billing_account_id, provider_name, service_name, service_category, charge_category, channel, billing_currency, billed_cost, effective_cost, line_count, business_date) VALUES (s.billing_account_id, s.provider_name, s.service_name, s.service_category, s.charge_category, s.channel, s.billing_currency, s.billed_cost, s.effective_cost, s.line_count, s.business_date);
DELETE FROM gold.cost_daily WHERE business_date = CAST('${business_date}' AS DATE) AND NOT EXISTS (SELECT 1 FROM stage_cost_daily AS s WHERE s.business_date = gold.cost_daily.business_date AND s.billing_account_id = gold.cost_daily.billing_account_id AND s.provider_name = gold.cost_daily.provider_name AND s.service_name = gold.cost_daily.service_name AND s.service_category = gold.cost_daily.service_category AND s.charge_category = gold.cost_daily.charge_category AND s.channel = gold.cost_daily.channel AND s.billing_currency = gold.cost_daily.billing_currency);

-- gold.cost_unit_economics: EffectiveCost per settled payment by payment channel and service: cost tagged with a channel, plus the channel's share of untagged cost by its settled payments.
-- Owner: finance. Key: business_date, channel, service_name. Personal data: none.
-- Loads one business date, as one transaction (BatchExecuteStatement).
-- Generated from the table registry by `paylake catalog sql-files`; do not edit.
CREATE TEMP TABLE stage_files_cost_unit_economics (
  channel VARCHAR(65535),
  service_name VARCHAR(65535),
  direct_cost DECIMAL(38,12),
  shared_cost DECIMAL(38,12),
  allocated_cost DECIMAL(38,12),
  settled_payments BIGINT,
  cost_per_payment DECIMAL(38,12)
);
COPY stage_files_cost_unit_economics FROM '${manifest}' IAM_ROLE '${iam_role}' FORMAT AS PARQUET MANIFEST;
CREATE TEMP TABLE stage_cost_unit_economics AS SELECT *, CAST('${business_date}' AS DATE) AS business_date FROM stage_files_cost_unit_economics;
MERGE INTO gold.cost_unit_economics AS t USING stage_cost_unit_economics AS s ON t.business_date = s.business_date AND t.channel = s.channel AND t.service_name = s.service_name
WHEN MATCHED THEN UPDATE SET direct_cost = s.direct_cost, shared_cost = s.shared_cost, allocated_cost = s.allocated_cost, settled_payments = s.settled_payments, cost_per_payment = s.cost_per_payment
WHEN NOT MATCHED THEN INSERT (channel, service_name, direct_cost, shared_cost, allocated_cost, settled_payments, cost_per_payment, business_date) VALUES (s.channel, s.service_name, s.direct_cost, s.shared_cost, s.allocated_cost, s.settled_payments, s.cost_per_payment, s.business_date);
DELETE FROM gold.cost_unit_economics WHERE business_date = CAST('${business_date}' AS DATE) AND NOT EXISTS (SELECT 1 FROM stage_cost_unit_economics AS s WHERE s.business_date = gold.cost_unit_economics.business_date AND s.channel = gold.cost_unit_economics.channel AND s.service_name = gold.cost_unit_economics.service_name);

-- gold.cost_budgets: Monthly budgets on a date: month-to-date EffectiveCost, the month-end forecast at the month's daily run rate, and the ACTUAL and FORECASTED alerts at each threshold.
-- Owner: finance. Key: business_date, budget_name. Personal data: none.
-- Loads one business date, as one transaction (BatchExecuteStatement).
-- Generated from the table registry by `paylake catalog sql-files`; do not edit.
CREATE TEMP TABLE stage_files_cost_budgets (
  budget_name VARCHAR(65535),
  service_name VARCHAR(65535),
  monthly_limit DECIMAL(38,12),
  month_to_date_cost DECIMAL(38,12),
  forecast_month_end_cost DECIMAL(38,12),
  actual_percent DECIMAL(18,2),
  forecast_percent DECIMAL(18,2),
  alerts SUPER
);
COPY stage_files_cost_budgets FROM '${manifest}' IAM_ROLE '${iam_role}' FORMAT AS PARQUET SERIALIZETOJSON MANIFEST;
CREATE TEMP TABLE stage_cost_budgets AS SELECT *, CAST('${business_date}' AS DATE) AS business_date FROM stage_files_cost_budgets;
MERGE INTO gold.cost_budgets AS t USING stage_cost_budgets AS s ON t.business_date = s.business_date AND t.budget_name = s.budget_name
WHEN MATCHED THEN UPDATE SET service_name = s.service_name, monthly_limit = s.monthly_limit, month_to_date_cost = s.month_to_date_cost, forecast_month_end_cost = s.forecast_month_end_cost, actual_percent = s.actual_percent, forecast_percent = s.forecast_percent, alerts = s.alerts
WHEN NOT MATCHED THEN INSERT (budget_name, service_name, monthly_limit, month_to_date_cost, forecast_month_end_cost, actual_percent, forecast_percent, alerts, business_date) VALUES (s.budget_name, s.service_name, s.monthly_limit, s.month_to_date_cost, s.forecast_month_end_cost, s.actual_percent, s.forecast_percent, s.alerts, s.business_date);
DELETE FROM gold.cost_budgets WHERE business_date = CAST('${business_date}' AS DATE) AND NOT EXISTS (SELECT 1 FROM stage_cost_budgets AS s WHERE s.business_date = gold.cost_budgets.business_date AND s.budget_name = gold.cost_budgets.budget_name);

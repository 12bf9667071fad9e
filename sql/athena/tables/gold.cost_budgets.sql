-- gold.cost_budgets: Monthly budgets on a date: month-to-date EffectiveCost, the month-end forecast at the month's daily run rate, and the ACTUAL and FORECASTED alerts at each threshold.
-- Owner: finance. Key: business_date, budget_name. Personal data: none.
-- Generated from the table registry by `paylake catalog sql-files`; do not edit.
-- Athena reads the columns and the partitions from the Delta log:
--   budget_name string
--   service_name string
--   monthly_limit decimal(38,12)
--   month_to_date_cost decimal(38,12)
--   forecast_month_end_cost decimal(38,12)
--   actual_percent decimal(18,2)
--   forecast_percent decimal(18,2)
--   alerts array<string>
--   business_date date
CREATE EXTERNAL TABLE gold.cost_budgets
LOCATION '${lake}/gold/cost_budgets/'
TBLPROPERTIES ('table_type' = 'DELTA');

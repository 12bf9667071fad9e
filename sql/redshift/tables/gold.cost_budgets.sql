-- gold.cost_budgets: Monthly budgets on a date: month-to-date EffectiveCost, the month-end forecast at the month's daily run rate, and the ACTUAL and FORECASTED alerts at each threshold.
-- Owner: finance. Key: business_date, budget_name. Personal data: none.
-- Generated from the table registry by `paylake catalog sql-files`; do not edit.
CREATE TABLE IF NOT EXISTS gold.cost_budgets (
  budget_name VARCHAR(65535),
  service_name VARCHAR(65535),
  monthly_limit DECIMAL(38,12),
  month_to_date_cost DECIMAL(38,12),
  forecast_month_end_cost DECIMAL(38,12),
  actual_percent DECIMAL(18,2),
  forecast_percent DECIMAL(18,2),
  alerts SUPER,
  business_date DATE
)
DISTSTYLE EVEN
COMPOUND SORTKEY (business_date, budget_name);

-- gold.cost_budgets: Monthly budgets on a date: month-to-date EffectiveCost, the month-end forecast at the month's daily run rate, and the ACTUAL and FORECASTED alerts at each threshold.
-- Owner: finance. Key: business_date, budget_name. Personal data: none.
-- Generated from the table registry by `paylake catalog sql-files`; do not edit.
-- The rows of the latest business date the table holds.
CREATE OR REPLACE VIEW gold.cost_budgets_latest AS
SELECT *
FROM gold.cost_budgets
WHERE business_date = (SELECT max(business_date) FROM gold.cost_budgets);

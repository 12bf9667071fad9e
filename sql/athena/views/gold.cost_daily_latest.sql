-- gold.cost_daily: Cloud cost of a UTC billing day by account, service, charge category and the payment channel its allocation tag names ('shared' without one): BilledCost and EffectiveCost.
-- Owner: finance. Key: business_date, billing_account_id, provider_name, service_name, service_category, charge_category, channel, billing_currency. Personal data: none.
-- Generated from the table registry by `paylake catalog sql-files`; do not edit.
-- The rows of the latest business date the table holds.
CREATE OR REPLACE VIEW gold.cost_daily_latest AS
SELECT *
FROM gold.cost_daily
WHERE business_date = (SELECT max(business_date) FROM gold.cost_daily);

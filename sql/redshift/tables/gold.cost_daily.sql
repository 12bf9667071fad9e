-- gold.cost_daily: Cloud cost of a UTC billing day by account, service, charge category and the payment channel its allocation tag names ('shared' without one): BilledCost and EffectiveCost.
-- Owner: finance. Key: business_date, billing_account_id, provider_name, service_name, service_category, charge_category, channel, billing_currency. Personal data: none.
-- Generated from the table registry by `paylake catalog sql-files`; do not edit.
CREATE TABLE IF NOT EXISTS gold.cost_daily (
  billing_account_id VARCHAR(65535),
  provider_name VARCHAR(65535),
  service_name VARCHAR(65535),
  service_category VARCHAR(65535),
  charge_category VARCHAR(65535),
  channel VARCHAR(65535),
  billing_currency VARCHAR(65535),
  billed_cost DECIMAL(38,12),
  effective_cost DECIMAL(38,12),
  line_count BIGINT,
  business_date DATE
)
DISTSTYLE EVEN
COMPOUND SORTKEY (business_date, billing_account_id, provider_name);

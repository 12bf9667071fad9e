-- gold.cost_daily: Cloud cost of a UTC billing day by account, service, charge category and the payment channel its allocation tag names ('shared' without one): BilledCost and EffectiveCost.
-- Owner: finance. Key: business_date, billing_account_id, provider_name, service_name, service_category, charge_category, channel, billing_currency. Personal data: none.
-- Generated from the table registry by `paylake catalog sql-files`; do not edit.
-- Athena reads the columns and the partitions from the Delta log:
--   billing_account_id string
--   provider_name string
--   service_name string
--   service_category string
--   charge_category string
--   channel string
--   billing_currency string
--   billed_cost decimal(38,12)
--   effective_cost decimal(38,12)
--   line_count bigint
--   business_date date
CREATE EXTERNAL TABLE gold.cost_daily
LOCATION '${lake}/gold/cost_daily/'
TBLPROPERTIES ('table_type' = 'DELTA');

-- gold.cost_unit_economics: EffectiveCost per settled payment by payment channel and service: cost tagged with a channel, plus the channel's share of untagged cost by its settled payments.
-- Owner: finance. Key: business_date, channel, service_name. Personal data: none.
-- Generated from the table registry by `paylake catalog sql-files`; do not edit.
CREATE TABLE IF NOT EXISTS gold.cost_unit_economics (
  channel VARCHAR(65535),
  service_name VARCHAR(65535),
  direct_cost DECIMAL(38,12),
  shared_cost DECIMAL(38,12),
  allocated_cost DECIMAL(38,12),
  settled_payments BIGINT,
  cost_per_payment DECIMAL(38,12),
  business_date DATE
)
DISTSTYLE EVEN
COMPOUND SORTKEY (business_date, channel, service_name);

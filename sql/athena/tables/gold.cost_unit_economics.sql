-- gold.cost_unit_economics: EffectiveCost per settled payment by payment channel and service: cost tagged with a channel, plus the channel's share of untagged cost by its settled payments.
-- Owner: finance. Key: business_date, channel, service_name. Personal data: none.
-- Generated from the table registry by `paylake catalog sql-files`; do not edit.
-- Athena reads the columns and the partitions from the Delta log:
--   channel string
--   service_name string
--   direct_cost decimal(38,12)
--   shared_cost decimal(38,12)
--   allocated_cost decimal(38,12)
--   settled_payments bigint
--   cost_per_payment decimal(38,12)
--   business_date date
CREATE EXTERNAL TABLE gold.cost_unit_economics
LOCATION '${lake}/gold/cost_unit_economics/'
TBLPROPERTIES ('table_type' = 'DELTA');

-- gold.cost_unit_economics: EffectiveCost per settled payment by payment channel and service: cost tagged with a channel, plus the channel's share of untagged cost by its settled payments.
-- Owner: finance. Key: business_date, channel, service_name. Personal data: none.
-- Generated from the table registry by `paylake catalog sql-files`; do not edit.
-- The rows of the latest business date the table holds.
CREATE OR REPLACE VIEW gold.cost_unit_economics_latest AS
SELECT *
FROM gold.cost_unit_economics
WHERE business_date = (SELECT max(business_date) FROM gold.cost_unit_economics);

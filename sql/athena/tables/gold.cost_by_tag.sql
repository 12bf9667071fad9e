-- gold.cost_by_tag: Cloud cost of a billing day per tag key and value and service.
-- Owner: finance. Key: business_date, tag_key, tag_value, service_name. Personal data: none.
-- Generated from the table registry by `paylake catalog sql-files`; do not edit.
-- Athena reads the columns and the partitions from the Delta log:
--   tag_key string
--   tag_value string
--   service_name string
--   billed_cost decimal(38,12)
--   effective_cost decimal(38,12)
--   line_count bigint
--   business_date date
CREATE EXTERNAL TABLE gold.cost_by_tag
LOCATION '${lake}/gold/cost_by_tag/'
TBLPROPERTIES ('table_type' = 'DELTA');

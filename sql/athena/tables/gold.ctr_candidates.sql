-- gold.ctr_candidates: Currency Transaction Report candidates: a customer's cash in or cash out of one business day, all channels, over USD 10,000 (31 CFR 1010.311, 1010.313). A customer with an approved CTR exemption in force keeps its candidates with the exemption's reason (`exemption`); they are not filed.
-- Owner: compliance. Key: business_date, customer_id, direction. Personal data: customer_name.
-- Generated from the table registry by `paylake catalog sql-files`; do not edit.
-- Athena reads the columns and the partitions from the Delta log:
--   customer_id string
--   customer_name string
--   direction string
--   total_amount_usd decimal(18,2)
--   transaction_count bigint
--   channels array<string>
--   transaction_ids array<string>
--   exemption string
--   business_date date
CREATE EXTERNAL TABLE gold.ctr_candidates
LOCATION '${lake}/gold/ctr_candidates/'
TBLPROPERTIES ('table_type' = 'DELTA');

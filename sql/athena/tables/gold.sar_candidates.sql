-- gold.sar_candidates: Suspicious Activity Report candidates: a customer's alerts of the look-back period grouped into one case with period, total, typologies, evidence and a draft narrative.
-- Owner: compliance. Key: business_date, case_id. Personal data: customer_name, narrative.
-- Generated from the table registry by `paylake catalog sql-files`; do not edit.
-- Athena reads the columns and the partitions from the Delta log:
--   case_id string
--   customer_id string
--   customer_name string
--   period_start date
--   period_end date
--   total_amount_usd decimal(18,2)
--   typologies array<string>
--   alert_ids array<string>
--   transaction_ids array<string>
--   account_ids array<string>
--   max_score bigint
--   narrative string
--   business_date date
CREATE EXTERNAL TABLE gold.sar_candidates
LOCATION '${lake}/gold/sar_candidates/'
TBLPROPERTIES ('table_type' = 'DELTA');

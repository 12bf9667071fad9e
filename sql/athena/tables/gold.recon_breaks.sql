-- gold.recon_breaks: Reconciliation breaks open at the end of the business date, carried from day to day until matched or until a person writes them off (status open, write_off_due from the write-off age, written_off on the date a person's decision takes effect, with its id): missing_in_ledger, missing_in_processor, missing_in_bank, timing_pending, amount_mismatch, fee_variance, fx_difference, currency_mismatch, duplicate, split_incomplete, integrity_violation; with the field that differs, both values and the age in days.
-- Owner: finance. Key: business_date, break_id. Personal data: none.
-- Generated from the table registry by `paylake catalog sql-files`; do not edit.
-- Athena reads the columns and the partitions from the Delta log:
--   break_id string
--   category string
--   reference string
--   left_side string
--   left_reference string
--   right_side string
--   right_reference string
--   currency string
--   left_amount decimal(18,2)
--   right_amount decimal(18,2)
--   difference decimal(18,2)
--   field string
--   expected_value string
--   actual_value string
--   rule_id string
--   origin_date date
--   due_date date
--   age_days bigint
--   status string
--   detail string
--   decision_id string
--   rules_version string
--   business_date date
CREATE EXTERNAL TABLE gold.recon_breaks
LOCATION '${lake}/gold/recon_breaks/'
TBLPROPERTIES ('table_type' = 'DELTA');

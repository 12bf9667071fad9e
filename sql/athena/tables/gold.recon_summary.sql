-- gold.recon_summary: The reconciliation of a business date per currency: matches (payments matched to their lines, payouts to the bank), in flight, open breaks and their amount, timing, written off, the oldest break's age.
-- Owner: finance. Key: business_date, currency. Personal data: none.
-- Generated from the table registry by `paylake catalog sql-files`; do not edit.
-- Athena reads the columns and the partitions from the Delta log:
--   currency string
--   matched_count bigint
--   matched_amount decimal(18,2)
--   paid_out_amount decimal(18,2)
--   late_matched_count bigint
--   tolerant_matched_count bigint
--   open_break_count bigint
--   open_break_amount decimal(18,2)
--   timing_pending_count bigint
--   written_off_count bigint
--   oldest_break_days bigint
--   in_flight_count bigint
--   in_flight_amount decimal(18,2)
--   business_date date
CREATE EXTERNAL TABLE gold.recon_summary
LOCATION '${lake}/gold/recon_summary/'
TBLPROPERTIES ('table_type' = 'DELTA');

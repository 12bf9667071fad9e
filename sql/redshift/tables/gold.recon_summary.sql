-- gold.recon_summary: The reconciliation of a business date per currency: matches (payments matched to their lines, payouts to the bank), in flight, open breaks and their amount, timing, written off, the oldest break's age.
-- Owner: finance. Key: business_date, currency. Personal data: none.
-- Generated from the table registry by `paylake catalog sql-files`; do not edit.
CREATE TABLE IF NOT EXISTS gold.recon_summary (
  currency VARCHAR(65535),
  matched_count BIGINT,
  matched_amount DECIMAL(18,2),
  paid_out_amount DECIMAL(18,2),
  late_matched_count BIGINT,
  tolerant_matched_count BIGINT,
  open_break_count BIGINT,
  open_break_amount DECIMAL(18,2),
  timing_pending_count BIGINT,
  written_off_count BIGINT,
  oldest_break_days BIGINT,
  in_flight_count BIGINT,
  in_flight_amount DECIMAL(18,2),
  business_date DATE
)
DISTSTYLE EVEN
COMPOUND SORTKEY (business_date, currency);

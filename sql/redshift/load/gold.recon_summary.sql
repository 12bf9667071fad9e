-- gold.recon_summary: The reconciliation of a business date per currency: matches (payments matched to their lines, payouts to the bank), in flight, open breaks and their amount, timing, written off, the oldest break's age.
-- Owner: finance. Key: business_date, currency. Personal data: none.
-- Loads one business date, as one transaction (BatchExecuteStatement).
-- Generated from the table registry by `paylake catalog sql-files`; do not edit.
CREATE TEMP TABLE stage_files_recon_summary (
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
  in_flight_amount DECIMAL(18,2)
);
COPY stage_files_recon_summary FROM '${manifest}' IAM_ROLE '${iam_role}' FORMAT AS PARQUET MANIFEST;
CREATE TEMP TABLE stage_recon_summary AS SELECT *, CAST('${business_date}' AS DATE) AS business_date FROM stage_files_recon_summary;
MERGE INTO gold.recon_summary AS t USING stage_recon_summary AS s ON t.business_date = s.business_date AND t.currency = s.currency
WHEN MATCHED THEN UPDATE SET matched_count = s.matched_count, matched_amount = s.matched_amount, paid_out_amount = s.paid_out_amount, late_matched_count = s.late_matched_count, tolerant_matched_count = s.tolerant_matched_count, open_break_count = s.open_break_count, open_break_amount = s.open_break_amount, timing_pending_count = s.timing_pending_count, written_off_count = s.written_off_count, oldest_break_days = s.oldest_break_days, in_flight_count = s.in_flight_count, in_flight_amount = s.in_flight_amount
WHEN NOT MATCHED THEN INSERT (currency, matched_count, matched_amount, paid_out_amount, late_matched_count, tolerant_matched_count, open_break_count, open_break_amount, timing_pending_count, written_off_count, oldest_break_days, in_flight_count, in_flight_amount, business_date) VALUES (s.currency, s.matched_count, s.matched_amount, s.paid_out_amount, s.late_matched_count, s.tolerant_matched_count, s.open_break_count, s.open_break_amount, s.timing_pending_count, s.written_off_count, s.oldest_break_days, s.in_flight_count, s.in_flight_amount, s.business_date);
DELETE FROM gold.recon_summary WHERE business_date = CAST('${business_date}' AS DATE) AND NOT EXISTS (SELECT 1 FROM stage_recon_summary AS s WHERE s.business_date = gold.recon_summary.business_date AND s.currency = gold.recon_summary.currency);

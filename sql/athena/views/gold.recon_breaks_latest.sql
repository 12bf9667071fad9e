-- gold.recon_breaks: Reconciliation breaks open at the end of the business date, carried from day to day until matched or until a person writes them off (status open, write_off_due from the write-off age, written_off on the date a person's decision takes effect, with its id): missing_in_ledger, missing_in_processor, missing_in_bank, timing_pending, amount_mismatch, fee_variance, fx_difference, currency_mismatch, duplicate, split_incomplete, integrity_violation; with the field that differs, both values and the age in days.
-- Owner: finance. Key: business_date, break_id. Personal data: none.
-- Generated from the table registry by `paylake catalog sql-files`; do not edit.
-- The rows of the latest business date the table holds.
CREATE OR REPLACE VIEW gold.recon_breaks_latest AS
SELECT *
FROM gold.recon_breaks
WHERE business_date = (SELECT max(business_date) FROM gold.recon_breaks);

-- gold.recon_summary: The reconciliation of a business date per currency: matches (payments matched to their lines, payouts to the bank), in flight, open breaks and their amount, timing, written off, the oldest break's age.
-- Owner: finance. Key: business_date, currency. Personal data: none.
-- Generated from the table registry by `paylake catalog sql-files`; do not edit.
-- The rows of the latest business date the table holds.
CREATE OR REPLACE VIEW gold.recon_summary_latest AS
SELECT *
FROM gold.recon_summary
WHERE business_date = (SELECT max(business_date) FROM gold.recon_summary);

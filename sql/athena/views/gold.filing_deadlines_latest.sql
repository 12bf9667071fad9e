-- gold.filing_deadlines: Every CTR and SAR owed to FinCEN as of a business date: the trigger (transaction date for a CTR, detection date for a SAR), the due date (15 days; 30 for a SAR, 60 when no suspect is known), and whether it is due, late, filed or filed late, with the export that delivered it.
-- Owner: compliance. Key: business_date, filing_kind, record_key. Personal data: customer_name.
-- Generated from the table registry by `paylake catalog sql-files`; do not edit.
-- The rows of the latest business date the table holds.
CREATE OR REPLACE VIEW gold.filing_deadlines_latest AS
SELECT *
FROM gold.filing_deadlines
WHERE business_date = (SELECT max(business_date) FROM gold.filing_deadlines);

-- gold.recon_matches: Matches of the three-way reconciliation completed on the business date: payment to settlement line, payout to its batch, payout to bank credit, each with the rule and stage that made it (exact, tolerant, FX, or `manual`: a break a person matched by hand, with the decision's id) and how late it came.
-- Owner: finance. Key: business_date, match_id. Personal data: none.
-- Generated from the table registry by `paylake catalog sql-files`; do not edit.
-- The rows of the latest business date the table holds.
CREATE OR REPLACE VIEW gold.recon_matches_latest AS
SELECT *
FROM gold.recon_matches
WHERE business_date = (SELECT max(business_date) FROM gold.recon_matches);

-- gold.sar_candidates: Suspicious Activity Report candidates: a customer's alerts of the look-back period grouped into one case with period, total, typologies, evidence and a draft narrative.
-- Owner: compliance. Key: business_date, case_id. Personal data: customer_name, narrative.
-- Generated from the table registry by `paylake catalog sql-files`; do not edit.
-- The rows of the latest business date the table holds.
CREATE OR REPLACE VIEW gold.sar_candidates_latest AS
SELECT *
FROM gold.sar_candidates
WHERE business_date = (SELECT max(business_date) FROM gold.sar_candidates);

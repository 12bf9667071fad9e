-- gold.ctr_candidates: Currency Transaction Report candidates: a customer's cash in or cash out of one business day, all channels, over USD 10,000 (31 CFR 1010.311, 1010.313). A customer with an approved CTR exemption in force keeps its candidates with the exemption's reason (`exemption`); they are not filed.
-- Owner: compliance. Key: business_date, customer_id, direction. Personal data: customer_name.
-- Generated from the table registry by `paylake catalog sql-files`; do not edit.
-- The rows of the latest business date the table holds.
CREATE OR REPLACE VIEW gold.ctr_candidates_latest AS
SELECT *
FROM gold.ctr_candidates
WHERE business_date = (SELECT max(business_date) FROM gold.ctr_candidates);

-- gold.sanctions_hits: Screening hits of customers and counterparties against the OFAC SDN list and its aliases: the name screened, the entry and the name (primary or alias) it matched, and the score in percent (token-wise Jaro-Winkler); the publication of the list and the fingerprint of the entry as screened; whether the hit is `new`, its entry changed since the date before (`entry_changed`: a name, alias or program) or `unchanged` (only the first two alert); for a counterparty, the date's movements that carried the name.
-- Owner: compliance. Key: business_date, hit_id. Personal data: screened_name.
-- Generated from the table registry by `paylake catalog sql-files`; do not edit.
-- The rows of the latest business date the table holds.
CREATE OR REPLACE VIEW gold.sanctions_hits_latest AS
SELECT *
FROM gold.sanctions_hits
WHERE business_date = (SELECT max(business_date) FROM gold.sanctions_hits);

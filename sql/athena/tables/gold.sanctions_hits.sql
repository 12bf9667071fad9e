-- gold.sanctions_hits: Screening hits of customers and counterparties against the OFAC SDN list and its aliases: the name screened, the entry and the name (primary or alias) it matched, and the score in percent (token-wise Jaro-Winkler); the publication of the list and the fingerprint of the entry as screened; whether the hit is `new`, its entry changed since the date before (`entry_changed`: a name, alias or program) or `unchanged` (only the first two alert); for a counterparty, the date's movements that carried the name.
-- Owner: compliance. Key: business_date, hit_id. Personal data: screened_name.
-- Generated from the table registry by `paylake catalog sql-files`; do not edit.
-- Athena reads the columns and the partitions from the Delta log:
--   hit_id string
--   party_type string
--   customer_id string
--   screened_name string
--   sdn_ent_num bigint
--   sdn_name string
--   matched_name string
--   matched_name_type string
--   sdn_program string
--   score bigint
--   list_version string
--   business_date date
--   entry_fingerprint string
--   publication string
--   change string
--   transaction_ids array<string>
CREATE EXTERNAL TABLE gold.sanctions_hits
LOCATION '${lake}/gold/sanctions_hits/'
TBLPROPERTIES ('table_type' = 'DELTA');

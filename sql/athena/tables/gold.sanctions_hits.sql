-- gold.sanctions_hits: Screening hits of customers and counterparties against the OFAC SDN list and its aliases: the name screened, the entry and the name (primary or alias) it matched, and the score in percent (token-wise Jaro-Winkler).
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
CREATE EXTERNAL TABLE gold.sanctions_hits
LOCATION '${lake}/gold/sanctions_hits/'
TBLPROPERTIES ('table_type' = 'DELTA');

-- gold.sanctions_hits: Screening hits of customers and counterparties against the OFAC SDN list and its aliases: the name screened, the entry and the name (primary or alias) it matched, and the score in percent (token-wise Jaro-Winkler).
-- Owner: compliance. Key: business_date, hit_id. Personal data: screened_name.
-- Generated from the table registry by `paylake catalog sql-files`; do not edit.
CREATE TABLE IF NOT EXISTS gold.sanctions_hits (
  hit_id VARCHAR(65535) NOT NULL,
  party_type VARCHAR(65535),
  customer_id VARCHAR(65535),
  screened_name VARCHAR(65535),
  sdn_ent_num BIGINT,
  sdn_name VARCHAR(65535),
  matched_name VARCHAR(65535),
  matched_name_type VARCHAR(65535),
  sdn_program VARCHAR(65535),
  score BIGINT,
  list_version VARCHAR(65535),
  business_date DATE
)
DISTSTYLE KEY
DISTKEY (customer_id)
COMPOUND SORTKEY (business_date, hit_id);

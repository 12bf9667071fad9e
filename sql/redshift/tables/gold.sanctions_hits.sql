-- gold.sanctions_hits: Screening hits of customers and counterparties against the OFAC SDN list and its aliases: the name screened, the entry and the name (primary or alias) it matched, and the score in percent (token-wise Jaro-Winkler); the publication of the list and the fingerprint of the entry as screened; whether the hit is `new`, its entry changed since the date before (`entry_changed`: a name, alias or program) or `unchanged` (only the first two alert); for a counterparty, the date's movements that carried the name.
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
  business_date DATE,
  entry_fingerprint VARCHAR(65535),
  publication VARCHAR(65535),
  change VARCHAR(65535),
  transaction_ids SUPER
)
DISTSTYLE KEY
DISTKEY (customer_id)
COMPOUND SORTKEY (business_date, hit_id);

-- gold.sanctions_hits: Screening hits of customers and counterparties against the OFAC SDN list and its aliases: the name screened, the entry and the name (primary or alias) it matched, and the score in percent (token-wise Jaro-Winkler); the publication of the list and the fingerprint of the entry as screened; whether the hit is `new`, its entry changed since the date before (`entry_changed`: a name, alias or program) or `unchanged` (only the first two alert); for a counterparty, the date's movements that carried the name.
-- Owner: compliance. Key: business_date, hit_id. Personal data: screened_name.
-- Loads one business date, as one transaction (BatchExecuteStatement).
-- Generated from the table registry by `paylake catalog sql-files`; do not edit.
CREATE TEMP TABLE stage_files_sanctions_hits (
  hit_id VARCHAR(65535),
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
  entry_fingerprint VARCHAR(65535),
  publication VARCHAR(65535),
  change VARCHAR(65535),
  transaction_ids SUPER
);
COPY stage_files_sanctions_hits FROM '${manifest}' IAM_ROLE '${iam_role}' FORMAT AS PARQUET SERIALIZETOJSON MANIFEST;
CREATE TEMP TABLE stage_sanctions_hits AS SELECT *, CAST('${business_date}' AS DATE) AS business_date FROM stage_files_sanctions_hits;
MERGE INTO gold.sanctions_hits AS t USING stage_sanctions_hits AS s ON t.business_date = s.business_date AND t.hit_id = s.hit_id
WHEN MATCHED THEN UPDATE SET party_type = s.party_type, customer_id = s.customer_id, screened_name = s.screened_name, sdn_ent_num = s.sdn_ent_num, sdn_name = s.sdn_name, matched_name = s.matched_name, matched_name_type = s.matched_name_type, sdn_program = s.sdn_program, score = s.score, list_version = s.list_version, entry_fingerprint = s.entry_fingerprint, publication = s.publication, change = s.change, transaction_ids = s.transaction_ids
WHEN NOT MATCHED THEN INSERT (hit_id, party_type, customer_id, screened_name, sdn_ent_num, sdn_name, matched_name, matched_name_type, sdn_program, score, list_version, business_date, entry_fingerprint, publication, change, transaction_ids) VALUES (s.hit_id, s.party_type, s.customer_id, s.screened_name, s.sdn_ent_num, s.sdn_name, s.matched_name, s.matched_name_type, s.sdn_program, s.score, s.list_version, s.business_date, s.entry_fingerprint, s.publication, s.change, s.transaction_ids);
DELETE FROM gold.sanctions_hits WHERE business_date = CAST('${business_date}' AS DATE) AND NOT EXISTS (SELECT 1 FROM stage_sanctions_hits AS s WHERE s.business_date = gold.sanctions_hits.business_date AND s.hit_id = gold.sanctions_hits.hit_id);

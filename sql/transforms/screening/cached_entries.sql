-- The entries of the list version the cached names were screened against, with their
-- fingerprints.
SELECT screened_against, sdn_ent_num, entry_fingerprint
FROM system.screened_entries
ORDER BY sdn_ent_num

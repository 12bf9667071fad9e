-- Every name screened so far and the entries it matched (no entry: matched nothing), best
-- match first.
SELECT name_key, sdn_ent_num, entry_fingerprint, sdn_name, matched_name, matched_name_type,
       sdn_program, score
FROM system.screened_names
ORDER BY name_key, score DESC, sdn_ent_num

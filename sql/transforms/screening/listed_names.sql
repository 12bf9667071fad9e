-- The names of the sanctions list in force: each entry's own name and every alias, with the
-- entry's program and type.
SELECT e.ent_num, e.name AS entry_name, e.name, 'primary' AS name_type, e.program, e.sdn_type
FROM silver.sanctions_entries AS e
UNION ALL
SELECT a.ent_num, e.name, a.alt_name, a.alt_type, e.program, e.sdn_type
FROM silver.sanctions_aliases AS a
JOIN silver.sanctions_entries AS e ON e.ent_num = a.ent_num

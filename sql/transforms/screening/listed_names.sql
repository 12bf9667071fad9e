-- The names of the sanctions list in force: each entry's own name and every alias, with the
-- entry's program and type. In a fixed order, entry by entry, its own name first: of two names
-- of an entry that a party matches equally well, the first is the one reported.
SELECT ent_num, entry_name, name, name_type, program, sdn_type
FROM (
    SELECT e.ent_num, e.name AS entry_name, e.name, 'primary' AS name_type, e.program, e.sdn_type
    FROM silver.sanctions_entries AS e
    UNION ALL
    SELECT a.ent_num, e.name, a.alt_name, a.alt_type, e.program, e.sdn_type
    FROM silver.sanctions_aliases AS a
    JOIN silver.sanctions_entries AS e ON e.ent_num = a.ent_num
) AS names
ORDER BY ent_num, CASE WHEN name_type = 'primary' THEN 0 ELSE 1 END, name_type, name

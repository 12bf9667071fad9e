SELECT party_type, customer_id, screened_name, sdn_ent_num, sdn_name, matched_name, matched_name_type, sdn_program, score, list_version, MIN(business_date) AS first_seen
FROM gold.sanctions_hits
WHERE business_date BETWEEN DATE '{{ from }}' AND DATE '{{ to }}'
GROUP BY party_type, customer_id, screened_name, sdn_ent_num, sdn_name, matched_name, matched_name_type, sdn_program, score, list_version
ORDER BY score DESC, screened_name

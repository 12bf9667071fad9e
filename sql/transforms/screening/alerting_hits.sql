-- The date's sanctions hits that alert: new, or on an entry that changed since the date before.
-- Parameters: business_date.
SELECT party_type, customer_id, screened_name, sdn_ent_num, sdn_name, matched_name,
       matched_name_type, sdn_program, score, publication, entry_fingerprint, change,
       transaction_ids
FROM gold.sanctions_hits
WHERE business_date = DATE '{{ business_date }}' AND change IN ('new', 'entry_changed')
ORDER BY party_type, customer_id, screened_name, sdn_ent_num

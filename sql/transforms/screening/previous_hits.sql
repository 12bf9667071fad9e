-- The hits of the latest business date before this one: a hit found again on the same entry,
-- unchanged, is not new and alerts no one again.
-- Parameters: business_date.
SELECT party_type, customer_id, screened_name, sdn_ent_num, entry_fingerprint
FROM gold.sanctions_hits
WHERE business_date = (
    SELECT MAX(business_date) FROM gold.sanctions_hits
    WHERE business_date < DATE '{{ business_date }}'
)

-- The case page's sanctions hits: the customer's matches against the SDN list.
-- Parameters: customer (a text literal).
SELECT CAST(business_date AS VARCHAR) AS business_date, screened_name, sdn_name, matched_name,
    matched_name_type, sdn_program, CAST(score AS VARCHAR) AS score, list_version
FROM gold.sanctions_hits
WHERE customer_id = {{ customer }}
ORDER BY business_date DESC, score DESC

-- The case page's customer: KYC profile as the lake holds it now.
-- Parameters: customer (a text literal).
SELECT customer_id, customer_type, full_name, CAST(date_of_birth AS VARCHAR) AS date_of_birth,
    country, address, COALESCE(occupation, industry) AS occupation, is_pep, risk_rating AS kyc_risk,
    email, phone
FROM silver.customers
WHERE customer_id = {{ customer }}

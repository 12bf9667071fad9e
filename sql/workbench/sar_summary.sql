-- The case page's draft: the latest SAR candidate summary of the customer, which an
-- investigator may start a narrative from (it is never filed as it is).
-- Parameters: customer (a text literal).
SELECT narrative AS summary, CAST(total_amount_usd AS VARCHAR) AS total_amount_usd
FROM gold.sar_candidates
WHERE customer_id = {{ customer }}
ORDER BY business_date DESC
LIMIT 1

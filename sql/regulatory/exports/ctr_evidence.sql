-- The transactions behind each CTR of a period, by record key.
SELECT concat('CTR-', customer_id, '-', CAST(business_date AS VARCHAR)) AS record_key,
    unnest(transaction_ids) AS transaction_id
FROM gold.ctr_candidates
WHERE business_date BETWEEN DATE '{{ from }}' AND DATE '{{ to }}'
  AND exemption IS NULL

-- The transactions behind each SAR case of a period, by record key.
SELECT case_id AS record_key, unnest(transaction_ids) AS transaction_id
FROM gold.sar_candidates
WHERE business_date BETWEEN DATE '{{ from }}' AND DATE '{{ to }}'

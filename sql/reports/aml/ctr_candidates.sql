SELECT business_date, customer_id, customer_name, direction, total_amount_usd, transaction_count, array_to_string(channels, ', ') AS channels
FROM gold.ctr_candidates
WHERE business_date BETWEEN DATE '{{ from }}' AND DATE '{{ to }}'
ORDER BY business_date, total_amount_usd DESC

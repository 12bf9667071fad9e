SELECT customer_id, customer_name, direction, total_amount_usd, transaction_count, array_to_string(channels, ', ') AS channels,
    COALESCE(exemption, '') AS exemption
FROM gold.ctr_candidates
WHERE business_date = DATE '{{ business_date }}'
ORDER BY total_amount_usd DESC, customer_id, direction

SELECT c.customer_id, c.direction, t.transaction_id, t.transaction_type, t.amount, t.currency, t.channel, t.created_at, to_local_time(t.created_at AT TIME ZONE '{{ timezone }}') AS local_time, t._source_file
FROM (SELECT customer_id, direction, unnest(transaction_ids) AS transaction_id
FROM gold.ctr_candidates
WHERE business_date = DATE '{{ business_date }}') AS c
JOIN silver.transactions AS t ON t.transaction_id = c.transaction_id
ORDER BY c.customer_id, c.direction, t.created_at, t.transaction_id

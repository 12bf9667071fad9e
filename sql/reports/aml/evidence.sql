SELECT e.alert_id, t.transaction_id, t.transaction_type, t.account_id, t.counterparty_account_id, CAST(t.amount AS VARCHAR) AS amount, t.currency, t.channel, to_char(t.created_at, '%Y-%m-%d %H:%M:%S') AS created_at_utc, to_char(to_local_time(t.created_at AT TIME ZONE '{{ timezone }}'), '%Y-%m-%d %H:%M:%S') AS created_at_local
FROM (SELECT alert_id, unnest(transaction_ids) AS transaction_id
FROM gold.aml_alerts
WHERE business_date BETWEEN DATE '{{ from }}' AND DATE '{{ to }}') e
JOIN silver.transactions t ON t.transaction_id = e.transaction_id
ORDER BY e.alert_id, t.created_at, t.transaction_id

-- The case page's evidence: the transactions behind its alerts, in time order (UTC).
-- Parameters: from, to (the case's detection dates), alert_ids (text literals).
SELECT t.transaction_id, t.account_id, t.transaction_type, CAST(t.amount AS VARCHAR) AS amount,
    t.currency, t.channel, t.counterparty_account_id,
    to_char(t.created_at, '%Y-%m-%d %H:%M:%S') AS created_at_utc
FROM silver.transactions AS t
WHERE t.transaction_id IN (
    SELECT unnest(transaction_ids)
    FROM gold.aml_alerts
    WHERE business_date BETWEEN DATE '{{ from }}' AND DATE '{{ to }}'
      AND alert_id IN ({{ alert_ids }})
)
ORDER BY t.created_at, t.transaction_id

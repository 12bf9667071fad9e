-- The evidence transactions of each record, in USD at the rate of their UTC day: `evidence` names
-- the file of (record_key, transaction_id) pairs.
SELECT e.record_key, t.transaction_id, t.account_id, t.transaction_type,
    CAST(t.amount AS VARCHAR) AS amount, t.currency, t.channel, t.counterparty_account_id,
    to_char(t.created_at, '%Y-%m-%dT%H:%M:%S') AS created_at_utc,
    CAST(CASE WHEN t.currency = 'USD' THEN t.amount
              ELSE CAST(t.amount * r.usd_rate AS DECIMAL(18, 2)) END AS VARCHAR) AS amount_usd,
    CAST(CASE WHEN t.currency = 'USD' THEN 1 ELSE r.usd_rate END AS VARCHAR) AS usd_rate
FROM ({% include evidence %}) e
JOIN silver.transactions t ON t.transaction_id = e.transaction_id
LEFT JOIN silver.fx_rates r ON r.currency = t.currency AND r.rate_date = CAST(t.created_at AS DATE)
ORDER BY e.record_key, t.created_at, t.transaction_id

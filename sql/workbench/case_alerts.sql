-- The case page's alerts: each with its rule, score, amount and reason.
-- Parameters: from, to (the case's detection dates), alert_ids (text literals).
SELECT alert_id, rule_id, rule_version, CAST(business_date AS VARCHAR) AS business_date,
    CAST(score AS VARCHAR) AS score, CAST(amount_usd AS VARCHAR) AS amount_usd, reason,
    array_to_string(transaction_ids, ' ') AS transaction_ids
FROM gold.aml_alerts
WHERE business_date BETWEEN DATE '{{ from }}' AND DATE '{{ to }}'
  AND alert_id IN ({{ alert_ids }})
ORDER BY business_date, rule_id, alert_id

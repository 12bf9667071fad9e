-- What the queue filters on: the rule of each alert and each customer's latest risk rating,
-- since the first detection of any case in the queue.
-- Parameters: since.
SELECT 'alert' AS kind, alert_id AS id, rule_id AS value
FROM gold.aml_alerts
WHERE business_date >= DATE '{{ since }}'
UNION ALL
SELECT 'risk' AS kind, customer_id AS id, risk_rating AS value
FROM (
    SELECT customer_id, risk_rating,
        ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY business_date DESC) AS position
    FROM gold.customer_risk
    WHERE business_date >= DATE '{{ since }}'
) AS latest
WHERE position = 1

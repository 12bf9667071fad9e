-- The alerts of one business date and whose they are: the customer, or the account when no
-- customer is known. A case groups a subject's alerts.
-- Parameters: business_date.
SELECT
    alert_id,
    COALESCE(customer_id, concat('account:', account_id), 'unknown') AS subject_id,
    customer_id
FROM gold.aml_alerts
WHERE business_date = DATE '{{ business_date }}'
ORDER BY alert_id

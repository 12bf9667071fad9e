-- The alerts of one business date and whose they are: the customer, or the account when no
-- customer is known, or for a counterparty's sanctions hit the alert itself. A case groups a
-- subject's alerts. An alert under a suppression or whitelist in force opens no case.
-- Parameters: business_date.
SELECT
    alert_id,
    COALESCE(customer_id, concat('account:', account_id), concat('alert:', alert_id)) AS subject_id,
    customer_id
FROM gold.aml_alerts
WHERE business_date = DATE '{{ business_date }}' AND suppressed_by IS NULL
ORDER BY alert_id

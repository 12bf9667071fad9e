SELECT CAST(business_date AS VARCHAR) AS day, CAST(COUNT(*) AS VARCHAR) AS alerts
FROM gold.aml_alerts
WHERE business_date BETWEEN DATE '{{ from }}' AND DATE '{{ to }}'
GROUP BY business_date
ORDER BY business_date

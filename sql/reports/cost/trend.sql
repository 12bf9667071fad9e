SELECT CAST(business_date AS VARCHAR) AS day, CAST(CAST(SUM(effective_cost) AS DECIMAL(38, 2)) AS VARCHAR) AS cost
FROM gold.cost_daily
WHERE business_date <= DATE '{{ business_date }}' AND business_date > DATE '{{ business_date }}' - INTERVAL '{{ days }} days'
GROUP BY business_date
ORDER BY business_date

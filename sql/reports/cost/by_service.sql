SELECT service_name, CAST(SUM(billed_cost) AS DECIMAL(38, 2)) AS billed, CAST(SUM(effective_cost) AS DECIMAL(38, 2)) AS effective, SUM(line_count) AS lines
FROM gold.cost_daily
WHERE business_date = DATE '{{ business_date }}'
GROUP BY service_name
ORDER BY effective DESC, service_name

SELECT budget_name, COALESCE(service_name, 'all services') AS scope, CAST(monthly_limit AS DECIMAL(38, 2)) AS monthly_limit, CAST(month_to_date_cost AS DECIMAL(38, 2)) AS month_to_date, CAST(forecast_month_end_cost AS DECIMAL(38, 2)) AS forecast, actual_percent, forecast_percent, array_to_string(alerts, ', ') AS alerts
FROM gold.cost_budgets
WHERE business_date = DATE '{{ business_date }}'
ORDER BY budget_name

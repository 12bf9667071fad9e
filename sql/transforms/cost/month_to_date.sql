-- Cost of the month so far by service: the days from the month's first to the date.
SELECT service_name, CAST(SUM(effective_cost) AS DECIMAL(38, 12)) AS cost
FROM cost_lines
WHERE cost_day BETWEEN {{ month_start_day }} AND {{ day }}
GROUP BY service_name

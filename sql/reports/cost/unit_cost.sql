SELECT channel, CAST(CAST(SUM(allocated_cost) / MAX(settled_payments) AS DECIMAL(38, 4)) AS VARCHAR) AS per_payment, CAST(SUM(direct_cost) AS DECIMAL(38, 2)) AS direct, CAST(SUM(shared_cost) AS DECIMAL(38, 2)) AS shared, MAX(settled_payments) AS payments
FROM gold.cost_unit_economics
WHERE business_date = DATE '{{ business_date }}' AND settled_payments > 0
GROUP BY channel
ORDER BY channel

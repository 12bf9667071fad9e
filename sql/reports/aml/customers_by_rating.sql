SELECT risk_rating, CAST(COUNT(*) AS VARCHAR) AS customers
FROM gold.customer_risk
WHERE business_date = (SELECT MAX(business_date)
FROM gold.customer_risk
WHERE business_date <= DATE '{{ to }}')
GROUP BY risk_rating
ORDER BY CASE risk_rating WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END

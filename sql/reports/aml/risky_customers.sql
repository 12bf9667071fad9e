SELECT customer_id, customer_type, country, risk_score, risk_rating, explanation
FROM gold.customer_risk
WHERE business_date = (SELECT MAX(business_date)
FROM gold.customer_risk
WHERE business_date <= DATE '{{ to }}') AND risk_rating <> 'low'
ORDER BY risk_score DESC, customer_id

-- The case page's risk: the customer's latest gold.customer_risk row with each factor's points.
-- Parameters: customer (a text literal).
SELECT CAST(business_date AS VARCHAR) AS as_of, risk_rating, CAST(risk_score AS VARCHAR) AS risk_score,
    CAST(country_points AS VARCHAR) AS country_points,
    CAST(business_type_points AS VARCHAR) AS business_type_points,
    CAST(pep_points AS VARCHAR) AS pep_points, CAST(alert_points AS VARCHAR) AS alert_points,
    CAST(sanctions_points AS VARCHAR) AS sanctions_points, explanation
FROM gold.customer_risk
WHERE customer_id = {{ customer }}
ORDER BY business_date DESC
LIMIT 1

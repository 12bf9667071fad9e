-- gold.customer_risk for one business date: each customer's KYC factors (country on FATF's
-- lists, a higher-risk business, PEP), alerts of the last {{ alert_lookback_days }} days and
-- sanctions hits of the date, each factor's points shown, their sum capped at 100, and the
-- rating band of the sum.
-- Parameters: business_date, the [risk] section, and the FATF lists of the
-- high_risk_jurisdiction rule.
WITH alert_counts AS (
    SELECT customer_id, COUNT(*) AS alerts, COUNT(DISTINCT rule_id) AS rules
    FROM gold.aml_alerts
    WHERE business_date <= DATE '{{ business_date }}'
      AND business_date > DATE '{{ business_date }}' - INTERVAL '{{ alert_lookback_days }} days'
      AND customer_id IS NOT NULL
      -- A sanctions hit scores as sanctions points below, not again as an alert.
      AND rule_id <> 'sanctions_screening'
    GROUP BY customer_id
),
best_hits AS (
    SELECT customer_id, MAX(score) AS best_score
    FROM gold.sanctions_hits
    WHERE business_date = DATE '{{ business_date }}'
    GROUP BY customer_id
),
factors AS (
    SELECT
        c.customer_id,
        c.customer_type,
        c.country,
        c.industry,
        CASE
            WHEN c.country IN ({{ call_for_action }}) THEN {{ call_for_action_country_points }}
            WHEN c.country IN ({{ increased_monitoring }}) THEN {{ increased_monitoring_country_points }}
            ELSE 0
        END AS country_points,
        CASE WHEN c.industry IN ({{ high_risk_industries }}) THEN {{ high_risk_industry_points }} ELSE 0 END
            AS business_type_points,
        CASE WHEN c.is_pep THEN {{ pep_points }} ELSE 0 END AS pep_points,
        LEAST({{ max_alert_points }}, {{ points_per_alert }} * COALESCE(a.alerts, 0)) AS alert_points,
        CASE WHEN h.best_score IS NOT NULL THEN {{ sanctions_hit_points }} ELSE 0 END AS sanctions_points,
        COALESCE(a.alerts, 0) AS alerts,
        h.best_score
    FROM silver.customers AS c
    LEFT JOIN alert_counts AS a ON a.customer_id = c.customer_id
    LEFT JOIN best_hits AS h ON h.customer_id = c.customer_id
),
summed AS (
    SELECT f.*,
           LEAST(100, country_points + business_type_points + pep_points + alert_points + sanctions_points)
               AS risk_score
    FROM factors AS f
)
SELECT
    customer_id,
    customer_type,
    country,
    CAST(country_points AS BIGINT) AS country_points,
    CAST(business_type_points AS BIGINT) AS business_type_points,
    CAST(pep_points AS BIGINT) AS pep_points,
    CAST(alert_points AS BIGINT) AS alert_points,
    CAST(sanctions_points AS BIGINT) AS sanctions_points,
    CAST(risk_score AS BIGINT) AS risk_score,
    CASE WHEN risk_score >= {{ high_from }} THEN 'high' WHEN risk_score >= {{ medium_from }} THEN 'medium' ELSE 'low' END
        AS risk_rating,
    concat_ws('; ',
        CASE WHEN country_points > 0 THEN concat('country ', country, ' on a FATF list +', CAST(country_points AS VARCHAR)) END,
        CASE WHEN business_type_points > 0 THEN concat('business ', industry, ' +', CAST(business_type_points AS VARCHAR)) END,
        CASE WHEN pep_points > 0 THEN concat('politically exposed person +', CAST(pep_points AS VARCHAR)) END,
        CASE WHEN alert_points > 0 THEN concat(CAST(alerts AS VARCHAR), ' alerts in {{ alert_lookback_days }} days +', CAST(alert_points AS VARCHAR)) END,
        CASE WHEN sanctions_points > 0 THEN concat('sanctions hit scoring ', CAST(best_score AS VARCHAR), ' +', CAST(sanctions_points AS VARCHAR)) END
    ) AS explanation,
    DATE '{{ business_date }}' AS business_date
FROM summed
ORDER BY customer_id

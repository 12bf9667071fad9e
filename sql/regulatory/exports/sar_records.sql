-- The SAR cases of a period, with the subject.
{% import "regulatory/exports/subject.sql" as subject -%}
SELECT c.case_id, c.customer_id, CAST(c.total_amount_usd AS VARCHAR) AS total_amount_usd,
    array_to_string(c.typologies, ',') AS typologies, c.narrative,
    CAST(c.period_start AS VARCHAR) AS first_day, CAST(c.period_end AS VARCHAR) AS last_day,
    CAST(c.business_date AS VARCHAR) AS business_day,
    {{ subject.columns() }}
FROM gold.sar_candidates c
LEFT JOIN silver.customers k ON k.customer_id = c.customer_id
WHERE c.business_date BETWEEN DATE '{{ from }}' AND DATE '{{ to }}'
ORDER BY c.business_date, c.case_id

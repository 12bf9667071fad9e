-- The CTRs of a period: one per customer, business day and direction, with the subject; the
-- candidates of customers exempt by an approved decision are not filed.
{% import "regulatory/exports/subject.sql" as subject -%}
SELECT c.customer_id, c.direction, CAST(c.total_amount_usd AS VARCHAR) AS total_amount_usd,
    array_to_string(c.channels, ',') AS channels,
    CAST(c.business_date AS VARCHAR) AS business_day,
    {{ subject.columns() }}
FROM gold.ctr_candidates c
LEFT JOIN silver.customers k ON k.customer_id = c.customer_id
WHERE c.business_date BETWEEN DATE '{{ from }}' AND DATE '{{ to }}'
  AND c.exemption IS NULL
ORDER BY c.business_date, c.customer_id, c.direction

-- The SARs of a package (see sar_cases.sql for which cases), with the subject.
-- Parameters: kind, base_id, cutoff.
{% import "regulatory/exports/subject.sql" as subject -%}
{% import "regulatory/exports/sar_cases.sql" as sar -%}
WITH {{ sar.ctes() }}
SELECT c.case_id, c.customer_id,
    CAST(COALESCE(t.total_amount_usd, CAST(0 AS DECIMAL(18, 2))) AS VARCHAR) AS total_amount_usd,
    array_to_string(c.typologies, ',') AS typologies, c.narrative,
    CAST(c.period_start AS VARCHAR) AS first_day, CAST(c.period_end AS VARCHAR) AS last_day,
    CAST(c.period_start AS VARCHAR) AS business_day,
    p.case_id IS NOT NULL AS continuing, p.prior_bsa_id,
    {{ subject.columns() }}
FROM sar_cases c
LEFT JOIN case_totals t ON t.case_id = c.case_id
LEFT JOIN prior_filing p ON p.case_id = c.case_id
LEFT JOIN silver.customers k ON k.customer_id = c.customer_id
ORDER BY c.period_start, c.case_id

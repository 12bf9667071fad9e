-- What is owed to FinCEN as of a business date, and whether it is due, late, filed or filed
-- late. A CTR is due {{ ctr_days }} days after its transaction date (31 CFR 1010.306); a SAR
-- {{ sar_days }} days after the case's detection, {{ sar_no_suspect_days }} when no suspect is known
-- (31 CFR 1020.320). A SAR is owed for every AML case not closed (closed as a false positive,
-- not suspicious, or by an approved decision not to file). A filing counts from the first
-- package that delivered its record.
{% import "decisions/current_cases.sql" as cases -%}
WITH owed AS (
    SELECT
        'fincen-ctr' AS filing_kind,
        concat('CTR-', customer_id, '-', CAST(business_date AS VARCHAR)) AS record_key,
        customer_id,
        MAX(customer_name) AS customer_name,
        SUM(total_amount_usd) AS amount_usd,
        business_date AS trigger_date,
        TRUE AS suspect_known
    FROM gold.ctr_candidates
    WHERE business_date <= DATE '{{ business_date }}'
      AND exemption IS NULL
    GROUP BY customer_id, business_date
    UNION ALL
    SELECT
        'fincen-sar' AS filing_kind,
        c.case_id AS record_key,
        c.customer_id,
        k.full_name AS customer_name,
        CAST(NULL AS DECIMAL(18, 2)) AS amount_usd,
        c.first_detected AS trigger_date,
        c.customer_id IS NOT NULL AND k.full_name IS NOT NULL AS suspect_known
    FROM {{ cases.current_cases() }} AS c
    LEFT JOIN silver.customers AS k ON k.customer_id = c.customer_id
    WHERE c.first_detected <= DATE '{{ business_date }}'
      AND c.state <> 'closed'
),
with_due AS (
    SELECT
        *,
        CASE
            WHEN filing_kind = 'fincen-ctr' THEN {{ ctr_days }}
            WHEN suspect_known THEN {{ sar_days }}
            ELSE {{ sar_no_suspect_days }}
        END AS deadline_days,
        CASE
            WHEN filing_kind = 'fincen-ctr' THEN trigger_date + INTERVAL '{{ ctr_days }} days'
            WHEN suspect_known THEN trigger_date + INTERVAL '{{ sar_days }} days'
            ELSE trigger_date + INTERVAL '{{ sar_no_suspect_days }} days'
        END AS due_date
    FROM owed
),
delivered AS (
    SELECT kind, export_id, filing_date, unnest(record_keys) AS record_key
    FROM system.regulatory_exports
    WHERE kind IN ('fincen-ctr', 'fincen-sar')
      AND filing_date <= DATE '{{ business_date }}'
),
filed AS (
    SELECT
        kind,
        record_key,
        MIN(filing_date) AS filed_on,
        MIN(export_id) AS export_id
    FROM delivered
    GROUP BY kind, record_key
)
SELECT
    o.filing_kind,
    o.record_key,
    o.customer_id,
    o.customer_name,
    o.amount_usd,
    o.trigger_date,
    CAST(o.deadline_days AS BIGINT) AS deadline_days,
    o.suspect_known,
    o.due_date,
    CASE
        WHEN f.filed_on IS NOT NULL AND f.filed_on <= o.due_date THEN 'filed'
        WHEN f.filed_on IS NOT NULL THEN 'filed_late'
        WHEN DATE '{{ business_date }}' > o.due_date THEN 'late'
        ELSE 'due'
    END AS status,
    CAST(CAST(o.due_date AS INT) AS BIGINT)
        - CAST(CAST(DATE '{{ business_date }}' AS INT) AS BIGINT) AS days_remaining,
    f.export_id,
    f.filed_on,
    DATE '{{ business_date }}' AS business_date
FROM with_due AS o
LEFT JOIN filed AS f
  ON f.kind = o.filing_kind AND f.record_key = o.record_key
ORDER BY o.due_date, o.filing_kind, o.record_key

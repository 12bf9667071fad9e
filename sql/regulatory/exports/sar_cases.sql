{#- The SAR cases a package files, as CTEs for the queries that import them: the cases an
    investigator decided to file and a second officer approved by `cutoff` (UTC), that no
    other package of this kind (`kind`) has filed since that approval, or that this package's
    earlier revisions (`base_id`) filed, so that a package exported again holds the same cases;
    a case filed before its latest approval is a continuing SAR (`prior_filing`). Each with the
    investigator's narrative, the alerts the case holds, their evidence and the customer's own
    total in USD. -#}
{% import "decisions/current_cases.sql" as cases -%}
{% macro ctes() -%}
latest_decision AS (
    SELECT case_id, outcome, narrative
    FROM (
        SELECT case_id, outcome, narrative,
            ROW_NUMBER() OVER (PARTITION BY case_id ORDER BY sequence DESC) AS position
        FROM decisions.case_events
        WHERE action = 'decide'
    ) AS ordered
    WHERE position = 1
),
approval AS (
    SELECT case_id, MAX(event_time) AS approved_at
    FROM decisions.case_events
    WHERE action = 'approve' AND outcome = 'file'
    GROUP BY case_id
),
-- A case another package of this kind filed after its latest approval is done; one filed
-- before it (a continuing SAR, approved again after a continuing review) is filed again.
filed_elsewhere AS (
    SELECT DISTINCT f.case_id
    FROM decisions.case_events AS f
    JOIN approval AS a ON a.case_id = f.case_id
    WHERE f.action = 'file'
      AND f.event_time >= a.approved_at
      AND starts_with(f.export_id, '{{ kind }}_')
      AND NOT starts_with(f.export_id, '{{ base_id }}')
),
-- What was filed for the case before its latest approval: a SAR filed again is a continuing
-- activity report, naming the BSA ID FinCEN gave the last one.
prior_filing AS (
    SELECT f.case_id, MAX(k.bsa_id) AS prior_bsa_id
    FROM decisions.case_events AS f
    JOIN approval AS a ON a.case_id = f.case_id
    LEFT JOIN decisions.case_events AS k
      ON k.case_id = f.case_id AND k.action = 'acknowledge' AND k.event_time < a.approved_at
    WHERE f.action = 'file' AND f.event_time < a.approved_at
    GROUP BY f.case_id
),
selected AS (
    SELECT l.case_id, d.narrative
    FROM {{ cases.current_cases() }} AS l
    JOIN latest_decision AS d ON d.case_id = l.case_id AND d.outcome = 'file'
    JOIN approval AS a ON a.case_id = l.case_id
    WHERE l.state IN ('approved', 'filed', 'continuing_review')
      AND a.approved_at <= TIMESTAMP '{{ cutoff }}'
      AND l.case_id NOT IN (SELECT case_id FROM filed_elsewhere)
),
case_alert_ids AS (
    SELECT DISTINCT case_id, customer_id, alert_id, detected_on
    FROM (
        SELECT e.case_id, e.customer_id, unnest(e.alert_ids) AS alert_id, e.detected_on
        FROM decisions.case_events AS e
        JOIN selected AS s ON s.case_id = e.case_id
        WHERE e.action IN ('open', 'attach')
    ) AS taken
),
-- An alert was taken into its case on its own business date: joining on the date too lets
-- the scan of gold.aml_alerts skip the partitions of dates no selected case holds.
case_alerts AS (
    SELECT c.case_id, c.customer_id, a.business_date, a.rule_id, a.transaction_ids
    FROM case_alert_ids AS c
    JOIN gold.aml_alerts AS a
      ON a.business_date = c.detected_on AND a.alert_id = c.alert_id
),
case_evidence AS (
    SELECT DISTINCT case_id, customer_id, transaction_id
    FROM (
        SELECT case_id, customer_id, unnest(transaction_ids) AS transaction_id
        FROM case_alerts
    ) AS evidence
),
case_totals AS (
    SELECT e.case_id,
        CAST(SUM(CASE WHEN t.currency = 'USD' THEN t.amount
                      ELSE CAST(t.amount * r.usd_rate AS DECIMAL(18, 2)) END)
             AS DECIMAL(18, 2)) AS total_amount_usd
    FROM case_evidence AS e
    JOIN silver.transactions AS t
      ON t.transaction_id = e.transaction_id AND t.customer_id = e.customer_id
    LEFT JOIN silver.fx_rates AS r
      ON r.currency = t.currency AND r.rate_date = CAST(t.created_at AS DATE)
    GROUP BY e.case_id
),
sar_cases AS (
    SELECT s.case_id, MIN(c.customer_id) AS customer_id, s.narrative,
        MIN(c.business_date) AS period_start, MAX(c.business_date) AS period_end,
        array_sort(array_distinct(array_agg(c.rule_id))) AS typologies
    FROM selected AS s
    JOIN case_alerts AS c ON c.case_id = s.case_id
    GROUP BY s.case_id, s.narrative
)
{%- endmacro %}

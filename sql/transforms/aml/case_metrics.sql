-- gold.case_metrics: what became of the alerts each rule (and version) raised on a business
-- date, as the case log stands at `as_of`; how many were suppressed. The alerts of the date are a cohort: the cases they went into,
-- how those cases were disposed (closed as false positive or not suspicious, escalated, filed,
-- a SAR decided against), the days from the case's first alert to its disposition, and the
-- cases still waiting on a SAR decision after their deadline. A case holding alerts of several
-- rules counts once for each of them.
-- Parameters: business_date, timezone, sar_days, as_of (a UTC timestamp literal) and as_of_day
-- (the day number of its local date).
WITH date_alerts AS (
    SELECT alert_id, rule_id, rule_version, parameters, suppressed_by, amount_usd
    FROM gold.aml_alerts
    WHERE business_date = DATE '{{ business_date }}'
),
taken AS (
    SELECT DISTINCT case_id, alert_id
    FROM (
        SELECT case_id, unnest(alert_ids) AS alert_id
        FROM decisions.case_events
        WHERE action IN ('open', 'attach') AND detected_on = DATE '{{ business_date }}'
    ) AS unnested
),
cohort_events AS (
    SELECT e.*
    FROM decisions.case_events AS e
    WHERE e.case_id IN (SELECT case_id FROM taken)
      AND e.event_time <= TIMESTAMP '{{ as_of }}'
),
case_outcomes AS (
    SELECT case_id,
        MIN(detected_on) AS first_detected,
        MAX(CASE WHEN action = 'open' AND detected_on = DATE '{{ business_date }}' THEN 1 ELSE 0 END) AS opened,
        MAX(CASE WHEN action = 'close' AND outcome = 'false_positive' THEN 1 ELSE 0 END) AS closed_false_positive,
        MAX(CASE WHEN action = 'close' AND outcome = 'not_suspicious' THEN 1 ELSE 0 END) AS closed_not_suspicious,
        MAX(CASE WHEN action = 'escalate' THEN 1 ELSE 0 END) AS escalated,
        MAX(CASE WHEN action = 'approve' AND outcome = 'no_file' THEN 1 ELSE 0 END) AS sar_not_filed,
        MAX(CASE WHEN action = 'file' THEN 1 ELSE 0 END) AS filed,
        MAX(CASE WHEN action = 'close' OR (action = 'approve' AND outcome = 'no_file') THEN 1 ELSE 0 END) AS closed,
        -- The first disposition: a close, or an escalation (the investigator's finding).
        MIN(CASE WHEN action IN ('close', 'escalate') THEN event_time END) AS disposed_at,
        MIN(CASE WHEN action = 'file' THEN event_time END) AS filed_at
    FROM cohort_events
    GROUP BY case_id
),
case_days AS (
    SELECT o.*,
        CAST(CAST(CAST(to_local_time(o.disposed_at AT TIME ZONE '{{ timezone }}') AS DATE) AS INT) AS BIGINT)
            - CAST(CAST(o.first_detected AS INT) AS BIGINT) AS days_to_disposition,
        CAST(CAST(o.first_detected AS INT) AS BIGINT) + {{ sar_days }} AS sar_due_day
    FROM case_outcomes AS o
),
rule_cases AS (
    SELECT DISTINCT a.rule_id, t.case_id
    FROM date_alerts AS a
    JOIN taken AS t ON t.alert_id = a.alert_id
),
rule_alerts AS (
    SELECT a.rule_id, COUNT(*) AS alerts,
        COUNT(t.case_id) AS alerts_in_cases,
        COUNT(a.suppressed_by) AS suppressed,
        MIN(a.rule_version) AS rule_version,
        MIN(a.parameters) AS parameters
    FROM date_alerts AS a
    LEFT JOIN (SELECT DISTINCT alert_id, case_id FROM taken) AS t ON t.alert_id = a.alert_id
    GROUP BY a.rule_id
),
-- Where the false positives sat: the amounts of the alerts whose cases were closed as false
-- positive, beside the rule's thresholds (its parameters); a rule whose false positives sit
-- just over its threshold is one to raise.
-- The rule's amount threshold: the first `*_usd` parameter its alerts recorded.
amount_parameters AS (
    SELECT rule_id, regexp_match(MIN(parameters), '"([a-z_]+_usd)":([0-9.]+)') AS found
    FROM date_alerts
    GROUP BY rule_id
),
false_positive_amounts AS (
    SELECT a.rule_id,
        MIN(a.amount_usd) AS lowest,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY CAST(a.amount_usd AS DOUBLE)) AS median,
        percentile_cont(0.5) WITHIN GROUP (
            ORDER BY CAST(a.amount_usd AS DOUBLE) / NULLIF(CAST(p.found[2] AS DOUBLE), 0)
        ) AS median_ratio
    FROM date_alerts AS a
    JOIN (SELECT DISTINCT alert_id, case_id FROM taken) AS t ON t.alert_id = a.alert_id
    JOIN case_outcomes AS o ON o.case_id = t.case_id AND o.closed_false_positive = 1
    LEFT JOIN amount_parameters AS p ON p.rule_id = a.rule_id
    WHERE a.amount_usd IS NOT NULL
    GROUP BY a.rule_id
),
rule_outcomes AS (
    SELECT r.rule_id,
        COUNT(*) AS cases,
        SUM(d.opened) AS cases_opened,
        SUM(d.closed_false_positive) AS closed_false_positive,
        SUM(d.closed_not_suspicious) AS closed_not_suspicious,
        SUM(d.escalated) AS escalated,
        SUM(d.sar_not_filed) AS sar_not_filed,
        SUM(d.filed) AS filed,
        SUM(CASE WHEN d.disposed_at IS NOT NULL THEN 1 ELSE 0 END) AS dispositioned,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY CAST(d.days_to_disposition AS DOUBLE)) AS median_days,
        percentile_cont(0.9) WITHIN GROUP (ORDER BY CAST(d.days_to_disposition AS DOUBLE)) AS p90_days,
        SUM(CASE WHEN d.closed = 0 AND d.filed = 0
                  AND d.sar_due_day < {{ as_of_day }}
                 THEN 1 ELSE 0 END) AS past_deadline,
        SUM(CASE WHEN d.filed = 1
                  AND CAST(CAST(CAST(to_local_time(d.filed_at AT TIME ZONE '{{ timezone }}') AS DATE) AS INT) AS BIGINT) > d.sar_due_day
                 THEN 1 ELSE 0 END) AS filed_late
    FROM rule_cases AS r
    JOIN case_days AS d ON d.case_id = r.case_id
    GROUP BY r.rule_id
)
SELECT
    a.rule_id,
    a.rule_version,
    a.parameters,
    a.alerts,
    a.suppressed,
    a.alerts_in_cases,
    COALESCE(o.cases, 0) AS cases,
    COALESCE(o.cases_opened, 0) AS cases_opened,
    COALESCE(o.closed_false_positive, 0) AS closed_false_positive,
    COALESCE(o.closed_not_suspicious, 0) AS closed_not_suspicious,
    COALESCE(o.escalated, 0) AS escalated,
    COALESCE(o.sar_not_filed, 0) AS sar_not_filed,
    COALESCE(o.filed, 0) AS filed,
    COALESCE(o.dispositioned, 0) AS dispositioned,
    CAST(ROUND(o.median_days, 1) AS DECIMAL(10, 1)) AS median_days_to_disposition,
    CAST(ROUND(o.p90_days, 1) AS DECIMAL(10, 1)) AS p90_days_to_disposition,
    COALESCE(o.past_deadline, 0) AS past_deadline,
    COALESCE(o.filed_late, 0) AS filed_late,
    -- Escalated (filed or not) over dispositioned: how often the rule's cases were worth a
    -- SAR decision. Unknown until a case is dispositioned.
    CASE WHEN o.dispositioned > 0
         THEN CAST(CAST(o.escalated AS DECIMAL(18, 4)) / CAST(o.dispositioned AS DECIMAL(18, 4)) AS DECIMAL(5, 4))
    END AS precision,
    f.lowest AS false_positive_lowest_usd,
    CAST(ROUND(f.median, 2) AS DECIMAL(18, 2)) AS false_positive_median_usd,
    CASE WHEN p.found IS NOT NULL THEN concat(p.found[1], ' = ', p.found[2]) END AS amount_parameter,
    CAST(ROUND(f.median_ratio, 2) AS DECIMAL(10, 2)) AS false_positive_median_ratio,
    TIMESTAMP '{{ as_of }}' AS as_of,
    DATE '{{ business_date }}' AS business_date
FROM rule_alerts AS a
LEFT JOIN rule_outcomes AS o ON o.rule_id = a.rule_id
LEFT JOIN false_positive_amounts AS f ON f.rule_id = a.rule_id
LEFT JOIN amount_parameters AS p ON p.rule_id = a.rule_id
ORDER BY a.rule_id

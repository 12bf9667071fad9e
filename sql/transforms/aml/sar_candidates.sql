-- gold.sar_candidates for one business date: a customer with an alert on the date becomes a
-- case of all its alerts of the last {{ lookback_days }} days when their best score reaches
-- {{ min_max_score }} or they come from {{ min_distinct_rules }} rules or more. The case shows the
-- period, the total of the customer's own movements in the evidence (USD), the typologies, the
-- evidence, and a summary of the activity the investigator starts a narrative from. A candidate
-- is a suggestion: only a case an investigator decided to file and an approver approved is filed.
-- A sanctions match is worked as a case too, but what it owes is a report of the blocked or
-- rejected transaction to OFAC, not a SAR: screening's alerts suggest no SAR candidate (customer
-- risk weighs the hit).
-- Parameters: business_date, timezone, the [sar] section.
WITH window_alerts AS (
    SELECT *
    FROM gold.aml_alerts
    WHERE business_date <= DATE '{{ business_date }}'
      AND business_date > DATE '{{ business_date }}' - INTERVAL '{{ lookback_days }} days'
      AND customer_id IS NOT NULL
      AND rule_id <> 'sanctions_screening'
),
cases AS (
    SELECT
        customer_id,
        MIN(business_date) AS period_start,
        MAX(business_date) AS period_end,
        MAX(score) AS max_score,
        COUNT(*) AS alert_count,
        array_sort(array_distinct(array_agg(rule_id))) AS typologies,
        array_sort(array_agg(alert_id)) AS alert_ids,
        array_to_string(array_agg(reason ORDER BY business_date, rule_id, alert_id), '; ') AS reasons
    FROM window_alerts
    GROUP BY customer_id
    HAVING MAX(business_date) = DATE '{{ business_date }}'
       AND (MAX(score) >= {{ min_max_score }} OR COUNT(DISTINCT rule_id) >= {{ min_distinct_rules }})
),
evidence AS (
    SELECT DISTINCT a.customer_id, a.evidence_id
    FROM (
        SELECT w.customer_id, unnest(w.transaction_ids) AS evidence_id
        FROM window_alerts AS w
        JOIN cases AS c ON c.customer_id = w.customer_id
    ) AS a
),
accounts AS (
    SELECT DISTINCT a.customer_id, a.account_id
    FROM (
        SELECT w.customer_id, unnest(w.account_ids) AS account_id
        FROM window_alerts AS w
        JOIN cases AS c ON c.customer_id = w.customer_id
    ) AS a
),
own_movements AS (
    SELECT
        e.customer_id,
        CASE
            WHEN t.currency = 'USD' THEN CAST(t.amount AS DECIMAL(18, 2))
            ELSE CAST(t.amount * r.usd_rate AS DECIMAL(18, 2))
        END AS amount_usd
    FROM evidence AS e
    JOIN silver.transactions AS t
      ON t.transaction_id = e.evidence_id AND t.customer_id = e.customer_id
    LEFT JOIN silver.fx_rates AS r
      ON r.currency = t.currency
     AND r.rate_date = CAST(to_local_time(t.created_at AT TIME ZONE '{{ timezone }}') AS DATE)
),
totals AS (
    SELECT customer_id, CAST(SUM(amount_usd) AS DECIMAL(18, 2)) AS total_amount_usd, COUNT(*) AS movements
    FROM own_movements
    GROUP BY customer_id
),
evidence_lists AS (
    SELECT customer_id, array_sort(array_agg(evidence_id)) AS transaction_ids
    FROM evidence
    GROUP BY customer_id
),
account_lists AS (
    SELECT customer_id, array_sort(array_agg(account_id)) AS account_ids
    FROM accounts
    GROUP BY customer_id
)
SELECT
    concat('SAR-', c.customer_id, '-', '{{ business_date }}') AS case_id,
    c.customer_id,
    cu.full_name AS customer_name,
    c.period_start,
    c.period_end,
    COALESCE(t.total_amount_usd, CAST(0 AS DECIMAL(18, 2))) AS total_amount_usd,
    c.typologies,
    c.alert_ids,
    e.transaction_ids,
    l.account_ids,
    CAST(c.max_score AS BIGINT) AS max_score,
    concat(
        'Between ', CAST(c.period_start AS VARCHAR), ' and ', CAST(c.period_end AS VARCHAR),
        ', customer ', COALESCE(cu.full_name, '(name unknown)'), ' (', c.customer_id, ')',
        CASE WHEN cu.country IS NOT NULL THEN concat(', of ', cu.country) ELSE '' END,
        ', was the subject of ', CAST(c.alert_count AS VARCHAR), ' alerts of the typologies ',
        array_to_string(c.typologies, ', '), ', involving ', CAST(COALESCE(t.movements, 0) AS VARCHAR),
        ' of the customer''s own transactions totalling USD ',
        CAST(COALESCE(t.total_amount_usd, CAST(0 AS DECIMAL(18, 2))) AS VARCHAR),
        '. Activity observed: ', c.reasons,
        '. The highest alert score was ', CAST(c.max_score AS VARCHAR), '.'
    ) AS narrative,
    DATE '{{ business_date }}' AS business_date
FROM cases AS c
LEFT JOIN silver.customers AS cu ON cu.customer_id = c.customer_id
LEFT JOIN totals AS t ON t.customer_id = c.customer_id
LEFT JOIN evidence_lists AS e ON e.customer_id = c.customer_id
LEFT JOIN account_lists AS l ON l.customer_id = c.customer_id
ORDER BY c.customer_id

-- gold.cost_anomalies for one business date, as AWS Cost Anomaly Detection reports them: a
-- service whose EffectiveCost of the day exceeds its expected cost (the median of its daily cost
-- over the baseline days before) by at least the minimum impact in USD and in percent. The root
-- cause is the account and resource of the service whose own cost rose most against its
-- baseline. Parameters: business_date, day, baseline_days, min_baseline_days,
-- min_impact_usd, min_impact_percent.
WITH service_days AS (
    SELECT service_name, cost_day, SUM(effective_cost) AS cost
    FROM cost_lines
    WHERE cost_day BETWEEN {{ day }} - {{ baseline_days }} AND {{ day }}
    GROUP BY service_name, cost_day
),
baselines AS (
    SELECT service_name, median(cost) AS expected_cost, COUNT(*) AS baseline_days
    FROM service_days
    WHERE cost_day < {{ day }}
    GROUP BY service_name
),
today AS (
    SELECT service_name, cost AS actual_cost FROM service_days WHERE cost_day = {{ day }}
),
flagged AS (
    SELECT
        t.service_name,
        t.actual_cost,
        b.expected_cost,
        t.actual_cost - b.expected_cost AS cost_impact,
        b.baseline_days
    FROM today AS t
    JOIN baselines AS b ON b.service_name = t.service_name
    WHERE b.baseline_days >= {{ min_baseline_days }}
      AND b.expected_cost > 0
      AND t.actual_cost - b.expected_cost >= {{ min_impact_usd }}
      AND (t.actual_cost - b.expected_cost) * 100 >= b.expected_cost * {{ min_impact_percent }}
),
resource_days AS (
    SELECT service_name, billing_account_id, COALESCE(resource_id, '') AS resource_id, cost_day,
           SUM(effective_cost) AS cost
    FROM cost_lines
    WHERE cost_day BETWEEN {{ day }} - {{ baseline_days }} AND {{ day }}
      AND service_name IN (SELECT service_name FROM flagged)
    GROUP BY 1, 2, 3, 4
),
resource_impacts AS (
    SELECT
        service_name,
        billing_account_id,
        resource_id,
        SUM(CASE WHEN cost_day = {{ day }} THEN cost ELSE 0 END)
            - COALESCE(median(CASE WHEN cost_day < {{ day }} THEN cost END), 0) AS resource_impact
    FROM resource_days
    GROUP BY 1, 2, 3
),
root_causes AS (
    SELECT *
    FROM (
        SELECT r.*, ROW_NUMBER() OVER (PARTITION BY service_name ORDER BY resource_impact DESC, resource_id) AS rank
        FROM resource_impacts AS r
    ) AS ranked
    WHERE rank = 1
)
SELECT
    f.service_name,
    CAST(f.actual_cost AS DECIMAL(38, 12)) AS actual_cost,
    CAST(f.expected_cost AS DECIMAL(38, 12)) AS expected_cost,
    CAST(f.cost_impact AS DECIMAL(38, 12)) AS impact,
    CAST(f.cost_impact * 100 / f.expected_cost AS DECIMAL(18, 2)) AS impact_percent,
    CAST(f.baseline_days AS BIGINT) AS baseline_days,
    r.billing_account_id AS root_cause_account,
    r.resource_id AS root_cause_resource,
    CAST(r.resource_impact AS DECIMAL(38, 12)) AS root_cause_impact,
    DATE '{{ business_date }}' AS business_date
FROM flagged AS f
LEFT JOIN root_causes AS r ON r.service_name = f.service_name
ORDER BY f.cost_impact DESC

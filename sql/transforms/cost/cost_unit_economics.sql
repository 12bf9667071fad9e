-- gold.cost_unit_economics for one business date: EffectiveCost per settled payment, by
-- payment channel and service. Cost tagged with a channel belongs to it; untagged (shared) cost
-- of a service is spread over the channels in proportion to their settled payments of the date.
-- Settled payments are those captured on the business date that reached settlement.
-- Parameters: business_date, day, allocation_tag, timezone, created_from, created_before.
{% import "transforms/instants.sql" as instants -%}
WITH tagged AS (
    SELECT l.service_name, t.tag_value AS channel, l.effective_cost
    FROM cost_lines AS l
    LEFT JOIN cost_tags AS t ON t.line_id = l.line_id AND t.tag_key = {{ allocation_tag }}
    WHERE l.cost_day = {{ day }}
),
settled AS (
    SELECT channel, COUNT(*) AS settled_payments
    FROM silver.payments
    WHERE status IN ('settled', 'refunded', 'charged_back')
      AND {{ instants.within("created_at", created_from, created_before) }}
      AND CAST(to_local_time(created_at AT TIME ZONE '{{ timezone }}') AS DATE) = DATE '{{ business_date }}'
    GROUP BY channel
),
all_settled AS (
    SELECT SUM(settled_payments) AS payments FROM settled
),
direct AS (
    SELECT service_name, channel, SUM(effective_cost) AS direct_cost
    FROM tagged
    WHERE channel IS NOT NULL
    GROUP BY service_name, channel
),
shared AS (
    SELECT service_name, SUM(effective_cost) AS shared_cost
    FROM tagged
    WHERE channel IS NULL
    GROUP BY service_name
),
channel_services AS (
    SELECT service_name, channel FROM direct
    UNION
    SELECT sh.service_name, s.channel FROM shared AS sh CROSS JOIN settled AS s
)
SELECT
    cs.channel,
    cs.service_name,
    CAST(COALESCE(d.direct_cost, 0) AS DECIMAL(38, 12)) AS direct_cost,
    CAST(COALESCE(sh.shared_cost * s.settled_payments / a.payments, 0) AS DECIMAL(38, 12)) AS shared_cost,
    CAST(COALESCE(d.direct_cost, 0) + COALESCE(sh.shared_cost * s.settled_payments / a.payments, 0)
         AS DECIMAL(38, 12)) AS allocated_cost,
    CAST(COALESCE(s.settled_payments, 0) AS BIGINT) AS settled_payments,
    CASE
        WHEN COALESCE(s.settled_payments, 0) = 0 THEN NULL
        ELSE CAST((COALESCE(d.direct_cost, 0) + COALESCE(sh.shared_cost * s.settled_payments / a.payments, 0))
                  / s.settled_payments AS DECIMAL(38, 12))
    END AS cost_per_payment,
    DATE '{{ business_date }}' AS business_date
FROM channel_services AS cs
LEFT JOIN direct AS d ON d.service_name = cs.service_name AND d.channel = cs.channel
LEFT JOIN shared AS sh ON sh.service_name = cs.service_name
LEFT JOIN settled AS s ON s.channel = cs.channel
CROSS JOIN all_settled AS a
ORDER BY cs.channel, cs.service_name

-- cost_lines: the cost rows of the days a cost job reads, with the day of their charge period.
-- Cloud providers bill in UTC days, so a row's day is the UTC date its charge period starts,
-- whatever the business calendar. The tags stay JSON text here: `cost_tags` parses them.
-- Parameters: from_day, to_day, and charges_from and charges_before, the first instant of
-- from_day and the one after to_day (UTC): the bound on the column the scan prunes with.
{% import "transforms/instants.sql" as instants -%}
SELECT *
FROM (
    SELECT
        line_id,
        billing_account_id,
        provider_name,
        service_name,
        service_category,
        resource_id,
        charge_category,
        billed_cost,
        effective_cost,
        billing_currency,
        tags,
        CAST(CAST(CAST(charge_period_start AS DATE) AS INT) AS BIGINT) AS cost_day
    FROM silver.cost_line_items
    WHERE {{ instants.within("charge_period_start", charges_from, charges_before) }}
) AS lines
WHERE cost_day BETWEEN {{ from_day }} AND {{ to_day }}

-- gold.cost_daily for one business date: cost by billing account, service and charge category,
-- and by the channel a row is tagged with (the allocation tag; 'shared' without one).
-- Parameters: business_date, day, allocation_tag.
SELECT
    l.billing_account_id,
    l.provider_name,
    l.service_name,
    l.service_category,
    l.charge_category,
    COALESCE(t.tag_value, 'shared') AS channel,
    l.billing_currency,
    CAST(SUM(l.billed_cost) AS DECIMAL(38, 12)) AS billed_cost,
    CAST(SUM(l.effective_cost) AS DECIMAL(38, 12)) AS effective_cost,
    COUNT(*) AS line_count,
    DATE '{{ business_date }}' AS business_date
FROM cost_lines AS l
LEFT JOIN cost_tags AS t ON t.line_id = l.line_id AND t.tag_key = {{ allocation_tag }}
WHERE l.cost_day = {{ day }}
GROUP BY 1, 2, 3, 4, 5, 6, 7
ORDER BY 1, 3, 5, 6

-- gold.cost_by_tag for one business date: cost per tag key and value and service. A row with
-- several tags counts under each of them; rows without a key do not appear under it.
-- Parameters: business_date, day.
SELECT
    t.tag_key,
    t.tag_value,
    l.service_name,
    CAST(SUM(l.billed_cost) AS DECIMAL(38, 12)) AS billed_cost,
    CAST(SUM(l.effective_cost) AS DECIMAL(38, 12)) AS effective_cost,
    COUNT(*) AS line_count,
    DATE '{{ business_date }}' AS business_date
FROM cost_lines AS l
JOIN cost_tags AS t ON t.line_id = l.line_id
WHERE l.cost_day = {{ day }}
GROUP BY 1, 2, 3
ORDER BY 1, 2, 3

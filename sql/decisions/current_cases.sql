{#- Every case as its events leave it, for the queries that import it: its customer, the state
    its last event left it in, and the business date of its first alert. -#}
{% macro current_cases() -%}
(
    SELECT opened.case_id, opened.customer_id, opened.first_detected, latest.to_state AS state
    FROM (
        SELECT case_id, MIN(customer_id) AS customer_id, MIN(detected_on) AS first_detected
        FROM decisions.case_events
        GROUP BY case_id
    ) AS opened
    JOIN (
        SELECT case_id, to_state,
            ROW_NUMBER() OVER (PARTITION BY case_id ORDER BY sequence DESC) AS position
        FROM decisions.case_events
    ) AS latest ON latest.case_id = opened.case_id AND latest.position = 1
)
{%- endmacro %}

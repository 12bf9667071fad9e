{#- The breaks a person's decision settled by the end of `business_date`, for the
    reconciliation that imports it: the last event of each break whose state is matched or
    written off, with its id (the decision the reconciliation shows), the counter-item of a
    manual match, who decided, and the business date it takes effect on. -#}
{% macro settled_breaks(business_date) -%}
(
    SELECT break_id, event_id AS decision_id, to_state AS decision, counter_item, actor AS decided_by,
        business_date AS effective_date
    FROM (
        SELECT break_id, event_id, to_state, counter_item, actor, business_date,
            ROW_NUMBER() OVER (PARTITION BY break_id ORDER BY sequence DESC) AS position
        FROM decisions.break_events
        WHERE business_date <= DATE '{{ business_date }}'
    ) AS events
    WHERE position = 1 AND to_state IN ('matched', 'written_off')
)
{%- endmacro %}

-- The cases whose first alert falls in the period, by the state their last event left them in.
{% import "decisions/current_cases.sql" as cases -%}
SELECT state, COUNT(*) AS cases
FROM {{ cases.current_cases() }} AS c
WHERE c.first_detected BETWEEN DATE '{{ from }}' AND DATE '{{ to }}'
GROUP BY state
ORDER BY cases DESC, state

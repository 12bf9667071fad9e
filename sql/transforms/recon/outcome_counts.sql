-- Outcome counts by (outcome, category, rule) of a match run, the figures the benchmark compares
-- across engines.
SELECT outcome, COALESCE(category, '') AS category, rule_id, COUNT(*) AS outcomes
FROM {{ outcomes }}
GROUP BY 1, 2, 3
ORDER BY 1, 2, 3

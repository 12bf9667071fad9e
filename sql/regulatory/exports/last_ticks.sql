-- The latest tick each export schedule delivered, so that a schedule catches up from there.
SELECT schedule, to_char(MAX(scheduled_for), '%Y-%m-%dT%H:%M:%S') AS last_tick
FROM system.regulatory_exports
WHERE schedule IS NOT NULL
GROUP BY schedule

-- Where an export's package was last written.
SELECT location
FROM system.regulatory_exports
WHERE export_id = {{ export_id }}
ORDER BY recorded_at DESC
LIMIT 1

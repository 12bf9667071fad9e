-- Check counts_reconciled: the ingest runs of a source whose records read are not those taken
-- plus those quarantined, or whose quarantined records are not the rows its quarantine table
-- holds for the run.
WITH quarantined AS (
    SELECT _ingest_run, CAST(count(*) AS BIGINT) AS rows
    FROM quarantine.{{ source }}
    GROUP BY _ingest_run
)
SELECT CAST(count(*) AS BIGINT)
FROM system.ingest_runs AS runs
LEFT JOIN quarantined ON quarantined._ingest_run = runs.run_id
WHERE runs.source = '{{ source }}'
  AND (runs.records_read <> runs.records_taken + runs.records_quarantined
       OR runs.records_quarantined <> COALESCE(quarantined.rows, 0))

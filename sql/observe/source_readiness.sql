-- When each business date of a bronze table had all its changes landed: the last ingest of a
-- change committed in it.
SELECT CAST(to_local_time(_source_commit_time AT TIME ZONE '{{ timezone }}') AS DATE) AS business_date,
       max(_ingest_time) AS ready_at
FROM {{ asset }}
WHERE _source_commit_time IS NOT NULL
GROUP BY 1

-- When each source was last ingested (Unix time).
SELECT source, CAST(max(to_unixtime(finished_at)) AS BIGINT) AS finished_at
FROM system.ingest_runs
GROUP BY source
ORDER BY 1

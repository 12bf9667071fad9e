-- Each asset's last successful materialisation: when it finished, how long it took, the rows
-- it wrote.
SELECT asset, CAST(to_unixtime(finished_at) AS BIGINT) AS finished_at, duration_ms, rows_written
FROM (
    SELECT asset, finished_at, duration_ms, rows_written,
           row_number() OVER (PARTITION BY asset ORDER BY finished_at DESC) AS recency
    FROM system.asset_runs
    WHERE status = 'succeeded'
)
WHERE recency = 1
ORDER BY 1

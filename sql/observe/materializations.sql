-- Materialisations recorded in system.asset_runs, by asset and status.
SELECT asset, status, CAST(count(*) AS BIGINT) AS materializations
FROM system.asset_runs
GROUP BY asset, status
ORDER BY 1, 2

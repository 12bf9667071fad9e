-- Failed checks recorded in system.asset_checks, by asset and check.
SELECT asset, check_name, CAST(count(*) AS BIGINT) AS failures
FROM system.asset_checks
WHERE NOT passed
GROUP BY asset, check_name
ORDER BY 1, 2

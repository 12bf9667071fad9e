-- The business dates some run was asked to build a gold asset for, successful or not.
SELECT business_date, max(finished_at) AS last_run_at
FROM system.asset_runs
WHERE asset = '{{ asset }}'
GROUP BY 1

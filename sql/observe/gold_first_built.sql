-- When each business date of a gold asset was first built successfully.
SELECT business_date, min(finished_at) AS ready_at
FROM system.asset_runs
WHERE asset = '{{ asset }}' AND status = 'succeeded'
GROUP BY 1

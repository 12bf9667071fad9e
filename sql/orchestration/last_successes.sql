-- The data version of every asset partition's last success.
SELECT asset, business_date, data_version
FROM (
    SELECT asset, business_date, data_version,
           row_number() OVER (PARTITION BY asset, business_date ORDER BY finished_at DESC) AS recency
    FROM system.asset_runs
    WHERE status = 'succeeded' AND business_date IS NOT NULL
)
WHERE recency = 1

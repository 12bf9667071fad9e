-- The reconciliation page's open breaks of the date by age bucket, youngest first.
SELECT bucket, CAST(COUNT(*) AS VARCHAR) AS breaks
FROM (
    SELECT
        CASE WHEN age_days = 0 THEN '0 days' WHEN age_days <= 2 THEN '1-2 days'
             WHEN age_days <= 6 THEN '3-6 days' WHEN age_days <= 29 THEN '7-29 days'
             ELSE '30+ days' END AS bucket,
        CASE WHEN age_days = 0 THEN 0 WHEN age_days <= 2 THEN 1 WHEN age_days <= 6 THEN 2
             WHEN age_days <= 29 THEN 3 ELSE 4 END AS bucket_order
    FROM gold.recon_breaks
    WHERE business_date = DATE '{{ business_date }}'
)
GROUP BY bucket, bucket_order
ORDER BY bucket_order

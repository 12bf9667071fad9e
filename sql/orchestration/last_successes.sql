-- The data version of the last success of every asset partition whose business date lies in
-- from_date..=to_date: the dates a run builds and the day before them, all that deciding their
-- freshness consults. The bound keeps the read from growing with the dates before, and lets
-- the scan skip files whose business dates lie outside it.
SELECT asset, business_date, data_version
FROM (
    SELECT asset, business_date, data_version,
           row_number() OVER (PARTITION BY asset, business_date ORDER BY finished_at DESC) AS recency
    FROM system.asset_runs
    WHERE status = 'succeeded'
      AND business_date BETWEEN DATE '{{ from_date }}' AND DATE '{{ to_date }}'
)
WHERE recency = 1

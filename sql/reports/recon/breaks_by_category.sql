SELECT category, CAST(COUNT(*) AS VARCHAR) AS breaks
FROM gold.recon_breaks
WHERE business_date = DATE '{{ business_date }}'
GROUP BY category
ORDER BY category

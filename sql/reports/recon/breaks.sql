SELECT *
FROM gold.recon_breaks
WHERE business_date = DATE '{{ business_date }}'
ORDER BY age_days DESC, category, reference

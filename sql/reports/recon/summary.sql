SELECT *
FROM gold.recon_summary
WHERE business_date = DATE '{{ business_date }}'
ORDER BY currency

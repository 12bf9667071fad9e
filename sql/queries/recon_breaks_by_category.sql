-- Which reconciliation breaks are open on the latest business date, by category and currency,
-- and how old is the oldest?
SELECT category,
       currency,
       count(*) AS breaks,
       sum(abs(difference)) AS absolute_difference,
       max(age_days) AS oldest_days
FROM gold.recon_breaks
WHERE business_date = (SELECT max(business_date) FROM gold.recon_breaks)
GROUP BY category, currency
ORDER BY breaks DESC, category, currency;

-- Which SAR cases are open on the latest business date, largest first?
SELECT case_id,
       customer_id,
       period_start,
       period_end,
       total_amount_usd,
       max_score,
       cardinality(alert_ids) AS alerts
FROM gold.sar_candidates
WHERE business_date = (SELECT max(business_date) FROM gold.sar_candidates)
ORDER BY total_amount_usd DESC, case_id;

-- How many AML alerts did each rule raise per business day, and how much money did they cover?
-- Runs as written in `paylake sql` and in Athena (databases named like the zones).
SELECT business_date,
       rule_id,
       count(*) AS alerts,
       count(DISTINCT customer_id) AS customers,
       sum(amount_usd) AS amount_usd,
       max(score) AS max_score
FROM gold.aml_alerts
GROUP BY business_date, rule_id
ORDER BY business_date, alerts DESC, rule_id;

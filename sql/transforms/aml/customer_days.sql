-- aml_customer_days: each customer's volume (in and out, USD) of each business day of
-- aml_movements, held for the run beside it: the baselines of velocity_spike and peer_outlier
-- read it several times each, and an engine may compute a query again for every read.
SELECT customer_id, day_number, SUM(amount_usd) AS volume
FROM aml_movements
GROUP BY customer_id, day_number

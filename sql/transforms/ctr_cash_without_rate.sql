-- Posted cash transactions of a business date whose currency has no rate that day: the CTR job
-- refuses to run rather than leave them out of the USD totals.
-- Parameters: business_date, timezone, created_from, created_before.
{% import "transforms/instants.sql" as instants -%}
SELECT t.currency, COUNT(*) AS transactions
FROM silver.transactions AS t
LEFT JOIN silver.fx_rates AS r
  ON r.rate_date = CAST(to_local_time(t.created_at AT TIME ZONE '{{ timezone }}') AS DATE)
 AND r.currency = t.currency
WHERE t.status = 'posted'
  AND t.transaction_type IN ('cash_deposit', 'cash_withdrawal')
  AND CAST(to_local_time(t.created_at AT TIME ZONE '{{ timezone }}') AS DATE) = DATE '{{ business_date }}'
  AND {{ instants.within("t.created_at", created_from, created_before) }}
  AND r.usd_rate IS NULL
GROUP BY t.currency
ORDER BY t.currency

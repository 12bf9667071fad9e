-- The transactions created in a period of business dates (local days of the business time
-- zone): the injected cases a backtest of the period can be held to.
-- Parameters: from, to, timezone, created_from, created_before (instants.sql).
{% import "transforms/instants.sql" as instants -%}
SELECT transaction_id
FROM silver.transactions
WHERE {{ instants.within("created_at", created_from, created_before) }}
  AND CAST(to_local_time(created_at AT TIME ZONE '{{ timezone }}') AS DATE)
      BETWEEN DATE '{{ from }}' AND DATE '{{ to }}'

-- aml_movements: the one input of the AML rules. Posted money movements of the run's dates and
-- of the look-back before them, with the direction of the money, the amount in USD at the rate
-- of the business date (USD needs no rate), the business date in the business calendar, and the
-- business date as a day number so that windows are integer arithmetic in every engine. Only
-- the columns rules read: this table is held in memory for the whole run.
--
-- Parameters: timezone, from_day and to_day (days since 1970-01-01), lookback_days, and
-- created_from and created_before (UTC), creation times that hold those days with a day to
-- spare: the business date is computed, and only a bound on the column itself lets the scan
-- skip the months and files of silver that lie outside the run (instants.sql).
{% import "transforms/instants.sql" as instants -%}
WITH dated AS (
    SELECT
        t.*,
        CAST(to_local_time(t.created_at AT TIME ZONE '{{ timezone }}') AS DATE) AS business_date
    FROM silver.transactions AS t
    WHERE t.status = 'posted'
      AND {{ instants.within("t.created_at", created_from, created_before) }}
),
numbered AS (
    SELECT d.*, CAST(CAST(d.business_date AS INT) AS BIGINT) AS day_number
    FROM dated AS d
)
SELECT
    n.transaction_id,
    n.account_id,
    n.customer_id,
    -- Four values each: dictionary-encoded, a byte a row instead of sixteen.
    arrow_cast(n.transaction_type, 'Dictionary(Int8, Utf8)') AS transaction_type,
    arrow_cast(
        CASE WHEN n.transaction_type IN ('cash_deposit', 'transfer_in') THEN 'in' ELSE 'out' END,
        'Dictionary(Int8, Utf8)'
    ) AS direction,
    n.counterparty_account_id,
    n.amount,
    CASE
        WHEN n.currency = 'USD' THEN CAST(n.amount AS DECIMAL(18, 2))
        ELSE CAST(n.amount * r.usd_rate AS DECIMAL(18, 2))
    END AS amount_usd,
    n.created_at,
    n.business_date,
    n.day_number
FROM numbered AS n
LEFT JOIN silver.fx_rates AS r
  ON r.rate_date = n.business_date AND r.currency = n.currency
WHERE n.day_number > {{ from_day }} - {{ lookback_days }} AND n.day_number <= {{ to_day }}

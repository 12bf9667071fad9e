-- Rule high_risk_jurisdiction: movements of USD {{ min_amount_usd }} or more of a customer, or with
-- a counterparty, in a jurisdiction on FATF's lists: {{ call_for_action }} (call for action) or
-- {{ increased_monitoring }} (increased monitoring). One alert per customer and day.
WITH listed_customers AS (
    SELECT customer_id, country,
           CASE WHEN country IN ({{ call_for_action }}) THEN 1 ELSE 0 END AS call_for_action
    FROM silver.customers
    WHERE country IN ({{ call_for_action }}) OR country IN ({{ increased_monitoring }})
),
listed_accounts AS (
    SELECT a.account_id, l.country, l.call_for_action
    FROM silver.accounts AS a
    JOIN listed_customers AS l ON l.customer_id = a.customer_id
),
flagged AS (
    SELECT
        m.*,
        COALESCE(counterparty.country, own.country) AS listed_country,
        GREATEST(COALESCE(own.call_for_action, 0), COALESCE(counterparty.call_for_action, 0)) AS call_for_action
    FROM aml_movements AS m
    LEFT JOIN listed_customers AS own ON own.customer_id = m.customer_id
    LEFT JOIN listed_accounts AS counterparty ON counterparty.account_id = m.counterparty_account_id
    WHERE m.day_number BETWEEN {{ from_day }} AND {{ to_day }}
      AND m.amount_usd >= {{ min_amount_usd }}
      AND (own.country IS NOT NULL OR counterparty.country IS NOT NULL)
)
SELECT
    customer_id,
    MIN(account_id) AS account_id,
    business_date,
    CAST(LEAST(100, {{ score }} + 20 * MAX(call_for_action)) AS BIGINT) AS score,
    CAST(SUM(amount_usd) AS DECIMAL(18, 2)) AS amount_usd,
    array_agg(transaction_id ORDER BY created_at, transaction_id) AS transaction_ids,
    array_concat(array_agg(DISTINCT account_id), array_agg(DISTINCT counterparty_account_id) FILTER (WHERE counterparty_account_id IS NOT NULL)) AS account_ids,
    concat(
        CAST(COUNT(*) AS VARCHAR), ' movements of USD ',
        CAST(CAST(SUM(amount_usd) AS DECIMAL(18, 2)) AS VARCHAR),
        ' involving jurisdictions on FATF lists: ',
        array_to_string(array_sort(array_distinct(array_agg(listed_country))), ', ')
    ) AS reason
FROM flagged
GROUP BY customer_id, business_date

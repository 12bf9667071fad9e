-- Rule rapid_movement: at least {{ min_outflow_ratio }} of an inflow of USD {{ min_inflow_usd }} or more
-- leaves the account within {{ window_hours }} hours. The alert falls on the business date of the
-- last outflow. Fractions are cut with floor(): a cast to an integer truncates in DataFusion
-- and rounds in DuckDB and PostgreSQL.
WITH inflows AS (
    SELECT * FROM aml_movements
    WHERE direction = 'in' AND amount_usd >= {{ min_inflow_usd }}
),
outflows AS (
    SELECT * FROM aml_movements WHERE direction = 'out'
),
passed AS (
    SELECT
        i.transaction_id AS inflow_id,
        i.account_id,
        i.customer_id,
        i.counterparty_account_id AS sender_account_id,
        i.amount_usd AS inflow_usd,
        o.transaction_id AS outflow_id,
        o.amount_usd AS outflow_usd,
        o.created_at AS outflow_at,
        o.day_number AS outflow_day,
        o.business_date AS outflow_date,
        o.counterparty_account_id AS beneficiary_account_id
    FROM inflows AS i
    JOIN outflows AS o
      ON o.account_id = i.account_id
     AND o.created_at > i.created_at
     AND o.created_at <= i.created_at + INTERVAL '{{ window_hours }} hours'
)
SELECT
    customer_id,
    account_id,
    MAX(outflow_date) AS business_date,
    CAST(LEAST(100, {{ score }} + CAST(floor(20 * (SUM(outflow_usd) / inflow_usd - {{ min_outflow_ratio }})) AS BIGINT)) AS BIGINT) AS score,
    CAST(SUM(outflow_usd) AS DECIMAL(18, 2)) AS amount_usd,
    array_concat([inflow_id], array_agg(outflow_id ORDER BY outflow_at, outflow_id)) AS transaction_ids,
    array_concat(
        array_concat([account_id], array_agg(DISTINCT sender_account_id) FILTER (WHERE sender_account_id IS NOT NULL)),
        array_agg(DISTINCT beneficiary_account_id) FILTER (WHERE beneficiary_account_id IS NOT NULL)
    ) AS account_ids,
    concat(
        'USD ', CAST(inflow_usd AS VARCHAR), ' received and USD ',
        CAST(CAST(SUM(outflow_usd) AS DECIMAL(18, 2)) AS VARCHAR), ' (',
        CAST(CAST(floor(100 * SUM(outflow_usd) / inflow_usd) AS BIGINT) AS VARCHAR),
        '%) sent on within {{ window_hours }} hours'
    ) AS reason
FROM passed
GROUP BY inflow_id, account_id, customer_id, inflow_usd
HAVING SUM(outflow_usd) >= {{ min_outflow_ratio }} * inflow_usd
   AND MAX(outflow_day) BETWEEN {{ from_day }} AND {{ to_day }}

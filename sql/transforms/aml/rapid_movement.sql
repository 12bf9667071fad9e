-- Rule rapid_movement: an account passes money through, again and again. A pass-through is an
-- inflow of USD {{ min_inflow_usd }} or more of which between {{ min_outflow_ratio }} and
-- {{ max_outflow_ratio }} leaves within {{ window_hours }} hours, counting what leaves before the
-- account's next inflow (that money belongs to the next one); it falls on the business date of
-- its last outflow. An account alerts on a date of its pass-throughs when it made
-- {{ min_passes }} or more within the {{ lookback_days }} days ending then, with every one of
-- them as evidence. Fractions are cut with floor(): a cast to an integer truncates in
-- DataFusion and rounds in DuckDB and PostgreSQL.
-- Only an account that received an inflow large enough can pass one through: the next inflow
-- of each is looked for among that account's inflows alone.
WITH receiving AS (
    SELECT DISTINCT account_id FROM aml_movements
    WHERE direction = 'in' AND amount_usd >= {{ min_inflow_usd }}
),
inflows AS (
    SELECT
        transaction_id, account_id, customer_id, counterparty_account_id, amount_usd, created_at,
        LEAD(created_at) OVER (PARTITION BY account_id ORDER BY created_at, transaction_id) AS next_inflow_at
    FROM aml_movements
    WHERE direction = 'in' AND account_id IN (SELECT account_id FROM receiving)
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
        i.created_at AS inflow_at,
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
    WHERE i.amount_usd >= {{ min_inflow_usd }}
      AND (i.next_inflow_at IS NULL OR o.created_at < i.next_inflow_at)
),
-- One row per pass-through, with its outflows in order (an outflow belongs to one inflow at
-- most: the last before it).
passes AS (
    SELECT
        inflow_id,
        account_id,
        customer_id,
        inflow_usd,
        inflow_at,
        sender_account_id,
        SUM(outflow_usd) AS outflow_usd,
        MAX(outflow_day) AS last_outflow_day,
        MAX(outflow_date) AS business_date,
        array_agg(outflow_id ORDER BY outflow_at, outflow_id) AS outflow_ids,
        array_agg(beneficiary_account_id) AS beneficiaries
    FROM passed
    GROUP BY inflow_id, account_id, customer_id, inflow_usd, inflow_at, sender_account_id
    HAVING SUM(outflow_usd) >= {{ min_outflow_ratio }} * inflow_usd
       AND SUM(outflow_usd) <= {{ max_outflow_ratio }} * inflow_usd
),
-- Each pass-through counts in the look-back of the {{ lookback_days }} days from its own: spread
-- over them, grouped per account and day, in one pass over the pass-throughs.
spread AS (
    SELECT p.*, unnest(range(last_outflow_day, last_outflow_day + {{ lookback_days }})) AS window_end
    FROM passes AS p
),
windows AS (
    SELECT
        account_id,
        window_end AS day_number,
        MIN(customer_id) AS customer_id,
        MAX(business_date) FILTER (WHERE last_outflow_day = window_end) AS business_date,
        COUNT(*) AS passes_in_lookback,
        SUM(inflow_usd) FILTER (WHERE last_outflow_day = window_end) AS received_on_date,
        SUM(outflow_usd) FILTER (WHERE last_outflow_day = window_end) AS passed_on_date,
        -- Each pass-through's inflow then its outflows, the pass-throughs in time order.
        flatten(array_agg(array_concat([inflow_id], outflow_ids) ORDER BY inflow_at, inflow_id)) AS transaction_ids,
        array_agg(sender_account_id) AS senders,
        flatten(array_agg(beneficiaries)) AS beneficiaries
    FROM spread
    WHERE window_end BETWEEN {{ from_day }} AND {{ to_day }}
    GROUP BY account_id, window_end
    HAVING COUNT(*) FILTER (WHERE last_outflow_day = window_end) > 0
       AND COUNT(*) >= {{ min_passes }}
)
SELECT
    customer_id,
    account_id,
    business_date,
    CAST(LEAST(100, {{ score }} + 5 * (passes_in_lookback - {{ min_passes }})) AS BIGINT) AS score,
    CAST(passed_on_date AS DECIMAL(18, 2)) AS amount_usd,
    transaction_ids,
    -- Senders and beneficiaries may repeat or be missing (cash): the alert keeps each once.
    array_concat(array_concat([account_id], senders), beneficiaries) AS account_ids,
    concat(
        'USD ', CAST(CAST(received_on_date AS DECIMAL(18, 2)) AS VARCHAR), ' received and USD ',
        CAST(CAST(passed_on_date AS DECIMAL(18, 2)) AS VARCHAR), ' (',
        CAST(CAST(floor(100 * passed_on_date / received_on_date) AS BIGINT) AS VARCHAR),
        '%) sent on within {{ window_hours }} hours; ',
        CAST(passes_in_lookback AS VARCHAR), ' pass-throughs within {{ lookback_days }} days'
    ) AS reason
FROM windows

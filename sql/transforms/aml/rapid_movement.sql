-- Rule rapid_movement: an account passes money through, again and again. A pass-through is an
-- inflow of USD {{ min_inflow_usd }} or more of which between {{ min_outflow_ratio }} and
-- {{ max_outflow_ratio }} leaves within {{ window_hours }} hours, counting what leaves before the
-- account's next inflow (that money belongs to the next one); it falls on the business date of
-- its last outflow. An account alerts on a date of its pass-throughs when it made
-- {{ min_passes }} or more within the {{ lookback_days }} days ending then, with every one of
-- them as evidence. Fractions are cut with floor(): a cast to an integer truncates in
-- DataFusion and rounds in DuckDB and PostgreSQL.
WITH inflows AS (
    SELECT
        transaction_id, account_id, customer_id, counterparty_account_id, amount_usd, created_at,
        LEAD(created_at) OVER (PARTITION BY account_id ORDER BY created_at, transaction_id) AS next_inflow_at
    FROM aml_movements
    WHERE direction = 'in'
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
passes AS (
    SELECT
        inflow_id,
        account_id,
        customer_id,
        inflow_usd,
        SUM(outflow_usd) AS outflow_usd,
        MAX(outflow_day) AS last_outflow_day,
        MAX(outflow_date) AS business_date
    FROM passed
    GROUP BY inflow_id, account_id, customer_id, inflow_usd
    HAVING SUM(outflow_usd) >= {{ min_outflow_ratio }} * inflow_usd
       AND SUM(outflow_usd) <= {{ max_outflow_ratio }} * inflow_usd
),
-- The run's dates on which an account completed a pass-through, each with the account's
-- pass-throughs of the look-back that ends on it, that date's included.
dates AS (
    SELECT DISTINCT account_id, customer_id, last_outflow_day AS day_number, business_date
    FROM passes
    WHERE last_outflow_day BETWEEN {{ from_day }} AND {{ to_day }}
),
in_lookback AS (
    SELECT d.account_id, d.customer_id, d.day_number, d.business_date, p.inflow_id, p.inflow_usd, p.outflow_usd, p.last_outflow_day
    FROM dates AS d
    JOIN passes AS p
      ON p.account_id = d.account_id
     AND p.last_outflow_day <= d.day_number
     AND p.last_outflow_day > d.day_number - {{ lookback_days }}
),
counted AS (
    SELECT
        account_id, customer_id, day_number, business_date,
        COUNT(*) AS passes_in_lookback,
        SUM(inflow_usd) FILTER (WHERE last_outflow_day = day_number) AS received_on_date,
        SUM(outflow_usd) FILTER (WHERE last_outflow_day = day_number) AS passed_on_date
    FROM in_lookback
    GROUP BY account_id, customer_id, day_number, business_date
    HAVING COUNT(*) >= {{ min_passes }}
),
-- The transactions of every pass-through an alert carries: inflows and their outflows, once.
evidence AS (
    SELECT DISTINCT l.account_id, l.day_number, legs.transaction_id, legs.created_at, legs.sender_account_id, legs.beneficiary_account_id
    FROM counted AS c
    JOIN in_lookback AS l ON l.account_id = c.account_id AND l.day_number = c.day_number
    JOIN (
        SELECT inflow_id, inflow_id AS transaction_id, inflow_at AS created_at,
               sender_account_id, CAST(NULL AS VARCHAR) AS beneficiary_account_id
        FROM passed
        UNION ALL
        SELECT inflow_id, outflow_id, outflow_at, CAST(NULL AS VARCHAR), beneficiary_account_id
        FROM passed
    ) AS legs
      ON legs.inflow_id = l.inflow_id
),
evidence_of_alert AS (
    SELECT
        account_id,
        day_number,
        array_agg(transaction_id ORDER BY created_at, transaction_id) AS transaction_ids,
        array_agg(DISTINCT sender_account_id) FILTER (WHERE sender_account_id IS NOT NULL) AS senders,
        array_agg(DISTINCT beneficiary_account_id) FILTER (WHERE beneficiary_account_id IS NOT NULL) AS beneficiaries
    FROM evidence
    GROUP BY account_id, day_number
)
SELECT
    c.customer_id,
    c.account_id,
    c.business_date,
    CAST(LEAST(100, {{ score }} + 5 * (c.passes_in_lookback - {{ min_passes }})) AS BIGINT) AS score,
    CAST(c.passed_on_date AS DECIMAL(18, 2)) AS amount_usd,
    e.transaction_ids,
    array_concat(array_concat([c.account_id], e.senders), e.beneficiaries) AS account_ids,
    concat(
        'USD ', CAST(CAST(c.received_on_date AS DECIMAL(18, 2)) AS VARCHAR), ' received and USD ',
        CAST(CAST(c.passed_on_date AS DECIMAL(18, 2)) AS VARCHAR), ' (',
        CAST(CAST(floor(100 * c.passed_on_date / c.received_on_date) AS BIGINT) AS VARCHAR),
        '%) sent on within {{ window_hours }} hours; ',
        CAST(c.passes_in_lookback AS VARCHAR), ' pass-throughs within {{ lookback_days }} days'
    ) AS reason
FROM counted AS c
JOIN evidence_of_alert AS e ON e.account_id = c.account_id AND e.day_number = c.day_number

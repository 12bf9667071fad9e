-- Rule scatter_gather: an origin pays at least {{ min_intermediaries }} intermediaries that each
-- forward {{ min_forward_ratio }} or more of what they received to the same beneficiary, later and
-- within {{ window_days }} days. The alert is on the origin, on the date of the last forward.
-- paylake runs this rule as a graph search (transforms/src/aml/scatter_gather.rs); this
-- statement of it is what the benchmark's peer runs, and both must give the same alerts.
WITH sent AS (
    SELECT
        account_id AS from_account,
        customer_id AS from_customer,
        counterparty_account_id AS to_account,
        transaction_id,
        amount_usd,
        created_at,
        day_number,
        business_date
    FROM aml_movements
    WHERE transaction_type = 'transfer_out' AND counterparty_account_id IS NOT NULL
),
hops AS (
    SELECT
        a.from_account AS origin,
        a.from_customer AS origin_customer,
        a.to_account AS intermediary,
        b.to_account AS beneficiary,
        a.transaction_id AS first_leg,
        b.transaction_id AS second_leg,
        a.amount_usd AS first_usd,
        b.day_number AS last_day,
        b.business_date AS last_date
    FROM sent AS a
    JOIN sent AS b
      ON b.from_account = a.to_account
     AND b.created_at > a.created_at
     AND b.day_number < a.day_number + {{ window_days }}
     AND b.to_account <> a.from_account
     AND b.amount_usd >= {{ min_forward_ratio }} * a.amount_usd
     AND b.amount_usd <= a.amount_usd
),
triggers AS (
    SELECT DISTINCT origin, beneficiary, last_day, last_date
    FROM hops
    WHERE last_day BETWEEN {{ from_day }} AND {{ to_day }}
),
-- One row per first leg, so that a leg forwarded in pieces counts once.
first_legs AS (
    SELECT
        t.origin, t.beneficiary, t.last_day, t.last_date, h.origin_customer, h.intermediary,
        h.first_leg, h.first_usd, array_agg(h.second_leg) AS second_legs
    FROM triggers AS t
    JOIN hops AS h
      ON h.origin = t.origin
     AND h.beneficiary = t.beneficiary
     AND h.last_day <= t.last_day
     AND h.last_day > t.last_day - {{ window_days }}
    GROUP BY t.origin, t.beneficiary, t.last_day, t.last_date, h.origin_customer,
             h.intermediary, h.first_leg, h.first_usd
)
SELECT
    MIN(origin_customer) AS customer_id,
    origin AS account_id,
    last_date AS business_date,
    CAST(LEAST(100, {{ score }} + 5 * (COUNT(DISTINCT intermediary) - {{ min_intermediaries }})) AS BIGINT) AS score,
    CAST(SUM(first_usd) AS DECIMAL(18, 2)) AS amount_usd,
    array_concat(array_agg(first_leg ORDER BY first_leg), flatten(array_agg(second_legs))) AS transaction_ids,
    array_concat([origin, beneficiary], array_agg(DISTINCT intermediary)) AS account_ids,
    concat(
        'USD ', CAST(CAST(SUM(first_usd) AS DECIMAL(18, 2)) AS VARCHAR), ' sent through ',
        CAST(COUNT(DISTINCT intermediary) AS VARCHAR), ' intermediaries on to account ',
        beneficiary, ' within {{ window_days }} days'
    ) AS reason
FROM first_legs
GROUP BY origin, beneficiary, last_day, last_date
HAVING COUNT(DISTINCT intermediary) >= {{ min_intermediaries }}
   AND SUM(first_usd) >= {{ min_total_usd }}

-- Rule gather_scatter: a hub receives from at least {{ min_sources }} distinct senders and pays at
-- least {{ min_beneficiaries }} distinct beneficiaries within {{ window_days }} days, passing on
-- {{ min_forward_ratio }} or more of what it received. An alert needs a payment out on its date.
-- Counts first, evidence only for the windows that qualify.
{#- A side's legs of one type, each spread over the windows ending on its day and on the
    window_days - 1 days after, summed per account, counterparty and window end. #}
{% macro per_counterparty_window(leg, window_days, from_day, to_day) -%}
SELECT account_id, counterparty_account_id, window_end, SUM(amount) AS amount
    FROM (
        SELECT account_id, counterparty_account_id, amount_usd AS amount,
               unnest(range(day_number, day_number + {{ window_days }})) AS window_end
        FROM legs
        WHERE transaction_type = '{{ leg }}'
    ) AS spread
    WHERE window_end BETWEEN {{ from_day }} AND {{ to_day }}
    GROUP BY account_id, counterparty_account_id, window_end
{%- endmacro %}
WITH legs AS (
    SELECT * FROM aml_movements
    WHERE transaction_type IN ('transfer_in', 'transfer_out')
      AND counterparty_account_id IS NOT NULL
),
-- Distinct counterparties are counted by grouping twice and legs spread over their windows,
-- as in the fan-in rule; the gathering and the scattering sides are counted apart and joined,
-- so that each side's grouping holds only its own legs.
gathered_per_sender AS (
    {{ per_counterparty_window("transfer_in", window_days, from_day, to_day) }}
),
gathering AS (
    SELECT account_id, window_end, COUNT(*) AS sources, SUM(amount) AS gathered
    FROM gathered_per_sender
    GROUP BY account_id, window_end
    HAVING COUNT(*) >= {{ min_sources }} AND SUM(amount) >= {{ min_total_usd }}
),
scattered_per_beneficiary AS (
    {{ per_counterparty_window("transfer_out", window_days, from_day, to_day) }}
),
scattering AS (
    SELECT account_id, window_end, COUNT(*) AS beneficiaries, SUM(amount) AS scattered
    FROM scattered_per_beneficiary
    GROUP BY account_id, window_end
    HAVING COUNT(*) >= {{ min_beneficiaries }}
),
counted AS (
    SELECT g.account_id, g.window_end AS day_number, g.sources, s.beneficiaries, g.gathered, s.scattered
    FROM gathering AS g
    JOIN scattering AS s ON s.account_id = g.account_id AND s.window_end = g.window_end
    WHERE s.scattered >= {{ min_forward_ratio }} * g.gathered
),
-- An alert needs a payment out on its date.
qualifying AS (
    SELECT c.*, t.business_date
    FROM counted AS c
    JOIN (SELECT DISTINCT account_id, day_number, business_date FROM legs
          WHERE transaction_type = 'transfer_out') AS t
      ON t.account_id = c.account_id AND t.day_number = c.day_number
)
SELECT
    MIN(l.customer_id) AS customer_id,
    q.account_id,
    q.business_date,
    CAST({{ score }} AS BIGINT) AS score,
    CAST(q.gathered AS DECIMAL(18, 2)) AS amount_usd,
    array_agg(l.transaction_id ORDER BY l.created_at, l.transaction_id) AS transaction_ids,
    array_concat([q.account_id], array_agg(DISTINCT l.counterparty_account_id)) AS account_ids,
    concat(
        'USD ', CAST(CAST(q.gathered AS DECIMAL(18, 2)) AS VARCHAR), ' gathered from ',
        CAST(q.sources AS VARCHAR), ' senders and USD ',
        CAST(CAST(q.scattered AS DECIMAL(18, 2)) AS VARCHAR), ' scattered to ',
        CAST(q.beneficiaries AS VARCHAR), ' beneficiaries within {{ window_days }} days'
    ) AS reason
FROM qualifying AS q
JOIN legs AS l
  ON l.account_id = q.account_id
 AND l.day_number <= q.day_number
 AND l.day_number > q.day_number - {{ window_days }}
GROUP BY q.account_id, q.day_number, q.business_date, q.sources, q.beneficiaries, q.gathered, q.scattered

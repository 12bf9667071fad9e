-- break_candidates for one business date: every difference open at the end of the date, carried
-- from the day it arose until a person settles it, with the decision that settled it by then.
--   An unmatched item (outcome `open`) is in flight until its counterpart is due; then it is
--   timing_pending for the window of its rule, and missing_in_<side> after.
--   The date's violations of gold.ledger_integrity, and those of the days before still inside the
--   write-off period, are breaks too (integrity_violation).
--   A break older than the items the match reads (the write-off period) is carried from the
--   day before's gold.recon_breaks while no one has decided it.
-- The break id hashes the parts of the break, not its category, so that a break keeps its id
-- when timing_pending becomes missing.
-- Parameters: business_date, previous_date, as_of_day, write_off_after_days, rules_version.
{% import "decisions/settled_breaks.sql" as decisions -%}
WITH carried AS (
    SELECT
        o.*,
        CASE
            WHEN o.outcome = 'open' AND {{ as_of_day }} - o.due_day < o.window_days THEN 'timing_pending'
            ELSE o.category
        END AS open_category,
        {{ as_of_day }} - o.origin_day AS age_days
    FROM recon_outcomes AS o
    WHERE (o.outcome = 'break' OR (o.outcome = 'open' AND o.due_day <= {{ as_of_day }}))
      AND {{ as_of_day }} - o.origin_day <= {{ write_off_after_days }}
),
integrity AS (
    SELECT
        check_type,
        subject,
        currency,
        expected_amount,
        actual_amount,
        difference,
        detail,
        business_date AS origin_date,
        {{ as_of_day }} - CAST(CAST(business_date AS INT) AS BIGINT) AS age_days
    FROM gold.ledger_integrity
    WHERE status = 'violation'
      AND business_date <= DATE '{{ business_date }}'
      AND {{ as_of_day }} - CAST(CAST(business_date AS INT) AS BIGINT) <= {{ write_off_after_days }}
),
computed AS (
SELECT
    substr(md5(concat(rule_id, '|', left_side, '|', COALESCE(left_reference, ''), '|', right_side, '|',
                      COALESCE(right_reference, ''), '|', COALESCE(field, ''))), 1, 16) AS break_id,
    open_category AS category,
    reference,
    left_side,
    left_reference,
    right_side,
    right_reference,
    currency,
    left_amount,
    right_amount,
    difference,
    field,
    expected_value,
    actual_value,
    rule_id,
    arrow_cast(CAST(origin_day AS INT), 'Date32') AS origin_date,
    arrow_cast(CAST(due_day AS INT), 'Date32') AS due_date,
    CAST(age_days AS BIGINT) AS age_days,
    detail
FROM carried
UNION ALL
SELECT
    substr(md5(concat('integrity|', check_type, '|', subject, '|', COALESCE(currency, ''), '|',
                      CAST(origin_date AS VARCHAR))), 1, 16) AS break_id,
    'integrity_violation' AS category,
    subject AS reference,
    CASE WHEN check_type = 'journal_balance' THEN 'ledger' ELSE 'bank' END AS left_side,
    subject AS left_reference,
    CASE WHEN check_type = 'journal_balance' THEN 'ledger' ELSE 'bank' END AS right_side,
    CAST(NULL AS VARCHAR) AS right_reference,
    currency,
    expected_amount AS left_amount,
    actual_amount AS right_amount,
    difference,
    check_type AS field,
    CAST(expected_amount AS VARCHAR) AS expected_value,
    CAST(actual_amount AS VARCHAR) AS actual_value,
    check_type AS rule_id,
    origin_date,
    origin_date AS due_date,
    CAST(age_days AS BIGINT) AS age_days,
    detail
FROM integrity
)

, undecided_before AS (
    -- The day before's breaks past the write-off age, which the match no longer reads.
    SELECT break_id, category, reference, left_side, left_reference, right_side, right_reference,
        currency, left_amount, right_amount, difference, field, expected_value, actual_value,
        rule_id, origin_date, due_date, age_days + 1 AS age_days, detail
    FROM gold.recon_breaks
    WHERE business_date = DATE '{{ previous_date }}'
      AND age_days >= {{ write_off_after_days }}
      AND status = 'write_off_due'
      AND break_id NOT IN (SELECT break_id FROM computed)
),
breaks AS (
    SELECT * FROM computed
    UNION ALL
    SELECT * FROM undecided_before
)
SELECT b.*, s.decision_id, s.decision, s.counter_item, s.decided_by, s.effective_date
FROM breaks AS b
LEFT JOIN {{ decisions.settled_breaks(business_date) }} AS s ON s.break_id = b.break_id

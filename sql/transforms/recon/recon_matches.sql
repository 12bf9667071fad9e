-- gold.recon_matches for one business date: the matches completed on the date (the day the last
-- of their parts arrived), with the rule that made each, its stage, and how many days after its
-- counterpart was due it came. Reads the match's outcomes as of the date. A break a person
-- matched by hand is a match of rule `manual` (stage 0) on the date the decision takes effect,
-- with the counter-item they named and the decision's id.
-- Parameters: business_date, as_of_day, rules_version.
SELECT
    substr(md5(concat(rule_id, '|', COALESCE(left_reference, ''), '|', COALESCE(right_reference, ''))), 1, 16)
        AS match_id,
    CAST(stage AS BIGINT) AS stage,
    rule_id,
    match_type,
    reference,
    left_side,
    left_reference,
    right_side,
    right_reference,
    CAST(right_count AS BIGINT) AS right_count,
    currency,
    left_amount,
    right_amount,
    difference,
    arrow_cast(CAST(origin_day AS INT), 'Date32') AS origin_date,
    CAST(GREATEST(event_day - due_day, 0) AS BIGINT) AS days_late,
    detail,
    CAST(NULL AS VARCHAR) AS decision_id,
    {{ rules_version }} AS rules_version,
    DATE '{{ business_date }}' AS business_date
FROM recon_outcomes
WHERE outcome = 'matched' AND event_day = {{ as_of_day }}
UNION ALL
SELECT
    substr(md5(concat('manual|', break_id, '|', decision_id)), 1, 16) AS match_id,
    CAST(0 AS BIGINT) AS stage,
    'manual' AS rule_id,
    'manual' AS match_type,
    reference,
    left_side,
    -- The counter-item the person named stands on the side the break lacks, or on the right.
    COALESCE(left_reference, counter_item) AS left_reference,
    right_side,
    CASE WHEN left_reference IS NULL THEN right_reference ELSE counter_item END AS right_reference,
    CAST(1 AS BIGINT) AS right_count,
    currency,
    left_amount,
    right_amount,
    difference,
    origin_date,
    CAST(GREATEST(age_days - (CAST(CAST(due_date AS INT) AS BIGINT) - CAST(CAST(origin_date AS INT) AS BIGINT)), 0) AS BIGINT) AS days_late,
    concat('matched by hand by ', decided_by, ' to ', counter_item, ' (break ', break_id, ', ', category, ')') AS detail,
    decision_id,
    {{ rules_version }} AS rules_version,
    DATE '{{ business_date }}' AS business_date
FROM break_candidates
WHERE decision = 'matched' AND effective_date = DATE '{{ business_date }}'
ORDER BY rule_id, reference, right_reference

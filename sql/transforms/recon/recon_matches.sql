-- gold.recon_matches for one business date: the matches completed on the date (the day the last
-- of their parts arrived), with the rule that made each, its stage, and how many days after its
-- counterpart was due it came. Reads the match's outcomes as of the date.
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
    {{ rules_version }} AS rules_version,
    DATE '{{ business_date }}' AS business_date
FROM recon_outcomes
WHERE outcome = 'matched' AND event_day = {{ as_of_day }}
ORDER BY rule_id, reference, right_reference

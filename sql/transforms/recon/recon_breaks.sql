-- gold.recon_breaks for one business date: the break candidates no person's decision settled
-- before the date. A break reaches status write_off_due on the day its age is
-- write_off_after_days and is carried on until someone decides; written_off is a person's
-- decision (the event's id in decision_id), shown on the date it takes effect and not carried
-- after. A break matched by hand leaves the breaks on that date and is a match with rule
-- `manual` (recon_matches.sql).
-- Parameters: business_date, write_off_after_days, rules_version.
SELECT
    break_id, category, reference, left_side, left_reference, right_side, right_reference,
    currency, left_amount, right_amount, difference, field, expected_value, actual_value,
    rule_id, origin_date, due_date, age_days,
    CASE
        WHEN decision = 'written_off' THEN 'written_off'
        WHEN age_days >= {{ write_off_after_days }} THEN 'write_off_due'
        ELSE 'open'
    END AS status,
    detail,
    decision_id,
    {{ rules_version }} AS rules_version,
    DATE '{{ business_date }}' AS business_date
FROM break_candidates
WHERE decision IS NULL
   OR (decision = 'written_off' AND effective_date = DATE '{{ business_date }}')
ORDER BY category, reference, right_reference

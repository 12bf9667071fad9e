-- Every event of every case, in the order they happened to each case: the log the cases'
-- current states are replayed from.
SELECT event_id, case_id, sequence, customer_id, subject_id, alert_ids, detected_on, action,
    from_state, to_state, actor, role, assignee, outcome, rationale, narrative, export_id,
    bsa_id, event_time
FROM decisions.case_events
ORDER BY case_id, sequence

-- Every event of every reconciliation break, in the order they happened to each break.
SELECT event_id, break_id, sequence, business_date, category, currency, amount, amount_usd,
    action, from_state, to_state, actor, role, assignee, counter_item, note, event_time
FROM decisions.break_events
ORDER BY break_id, sequence

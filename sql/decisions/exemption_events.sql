-- Every event of every CTR exemption, in the order they happened to each exemption.
SELECT event_id, exemption_id, sequence, customer_id, action, from_state, to_state, phase,
    basis, fincen_110_date, effective_to, actor, role, note, event_time
FROM decisions.exemption_events
ORDER BY exemption_id, sequence

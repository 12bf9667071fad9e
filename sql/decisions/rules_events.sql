-- Every rules version event, in the order they were taken.
SELECT * FROM decisions.rules_events ORDER BY event_time, version, sequence

-- Every suppression and whitelist event, in order.
SELECT * FROM decisions.suppression_events ORDER BY decision_id, sequence

-- The suppressions and whitelists in force on a business date: each decision as its last event
-- leaves it, granted, and the date within its days.
-- Parameters: business_date.
SELECT decision_id, kind, customer_id, counterparty_name, rule_id, sdn_ent_num, entry_fingerprint
FROM (
    SELECT *, ROW_NUMBER() OVER (PARTITION BY decision_id ORDER BY sequence DESC) AS latest
    FROM decisions.suppression_events
) AS events
WHERE latest = 1
  AND action = 'grant'
  AND valid_from <= DATE '{{ business_date }}'
  AND expires_on >= DATE '{{ business_date }}'
ORDER BY decision_id

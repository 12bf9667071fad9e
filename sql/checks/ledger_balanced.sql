-- Check ledger_balanced: the journals of the date that do not balance, as the ledger integrity
-- step found them.
SELECT CAST(count(*) AS BIGINT)
FROM gold.ledger_integrity
WHERE business_date = DATE '{{ business_date }}'
  AND check_type = 'journal_balance'
  AND status <> 'ok'

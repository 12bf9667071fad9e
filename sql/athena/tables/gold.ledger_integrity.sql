-- gold.ledger_integrity: Integrity checks of a business date with their status: each journal's debits equal its credits per currency; each bank statement's opening balance plus its booked entries equals its closing balance (camt.053 OPBD, CLBD).
-- Owner: finance. Key: business_date, check_type, subject, currency. Personal data: none.
-- Generated from the table registry by `paylake catalog sql-files`; do not edit.
-- Athena reads the columns and the partitions from the Delta log:
--   check_type string
--   subject string
--   currency string
--   expected_amount decimal(18,2)
--   actual_amount decimal(18,2)
--   difference decimal(18,2)
--   status string
--   detail string
--   business_date date
CREATE EXTERNAL TABLE gold.ledger_integrity
LOCATION '${lake}/gold/ledger_integrity/'
TBLPROPERTIES ('table_type' = 'DELTA');

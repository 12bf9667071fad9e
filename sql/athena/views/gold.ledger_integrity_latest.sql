-- gold.ledger_integrity: Integrity checks of a business date with their status: each journal's debits equal its credits per currency; each bank statement's opening balance plus its booked entries equals its closing balance (camt.053 OPBD, CLBD).
-- Owner: finance. Key: business_date, check_type, subject, currency. Personal data: none.
-- Generated from the table registry by `paylake catalog sql-files`; do not edit.
-- The rows of the latest business date the table holds.
CREATE OR REPLACE VIEW gold.ledger_integrity_latest AS
SELECT *
FROM gold.ledger_integrity
WHERE business_date = (SELECT max(business_date) FROM gold.ledger_integrity);

-- gold.ledger_integrity: Integrity checks of a business date with their status: each journal's debits equal its credits per currency; each bank statement's opening balance plus its booked entries equals its closing balance (camt.053 OPBD, CLBD).
-- Owner: finance. Key: business_date, check_type, subject, currency. Personal data: none.
-- Generated from the table registry by `paylake catalog sql-files`; do not edit.
CREATE TABLE IF NOT EXISTS gold.ledger_integrity (
  check_type VARCHAR(65535) NOT NULL,
  subject VARCHAR(65535) NOT NULL,
  currency VARCHAR(65535),
  expected_amount DECIMAL(18,2),
  actual_amount DECIMAL(18,2),
  difference DECIMAL(18,2),
  status VARCHAR(65535) NOT NULL,
  detail VARCHAR(65535),
  business_date DATE
)
DISTSTYLE EVEN
COMPOUND SORTKEY (business_date, check_type, subject);

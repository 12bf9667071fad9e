-- gold.ledger_integrity: Integrity checks of a business date with their status: each journal's debits equal its credits per currency; each bank statement's opening balance plus its booked entries equals its closing balance (camt.053 OPBD, CLBD).
-- Owner: finance. Key: business_date, check_type, subject, currency. Personal data: none.
-- Loads one business date, as one transaction (BatchExecuteStatement).
-- Generated from the table registry by `paylake catalog sql-files`; do not edit.
CREATE TEMP TABLE stage_files_ledger_integrity (
  check_type VARCHAR(65535),
  subject VARCHAR(65535),
  currency VARCHAR(65535),
  expected_amount DECIMAL(18,2),
  actual_amount DECIMAL(18,2),
  difference DECIMAL(18,2),
  status VARCHAR(65535),
  detail VARCHAR(65535)
);
COPY stage_files_ledger_integrity FROM '${manifest}' IAM_ROLE '${iam_role}' FORMAT AS PARQUET MANIFEST;
CREATE TEMP TABLE stage_ledger_integrity AS SELECT *, CAST('${business_date}' AS DATE) AS business_date FROM stage_files_ledger_integrity;
MERGE INTO gold.ledger_integrity AS t USING stage_ledger_integrity AS s ON t.business_date = s.business_date AND t.check_type = s.check_type AND t.subject = s.subject AND t.currency = s.currency
WHEN MATCHED THEN UPDATE SET expected_amount = s.expected_amount, actual_amount = s.actual_amount, difference = s.difference, status = s.status, detail = s.detail
WHEN NOT MATCHED THEN INSERT (check_type, subject, currency, expected_amount, actual_amount, difference, status, detail, business_date) VALUES (s.check_type, s.subject, s.currency, s.expected_amount, s.actual_amount, s.difference, s.status, s.detail, s.business_date);
DELETE FROM gold.ledger_integrity WHERE business_date = CAST('${business_date}' AS DATE) AND NOT EXISTS (SELECT 1 FROM stage_ledger_integrity AS s WHERE s.business_date = gold.ledger_integrity.business_date AND s.check_type = gold.ledger_integrity.check_type AND s.subject = gold.ledger_integrity.subject AND s.currency = gold.ledger_integrity.currency);

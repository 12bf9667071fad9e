-- gold.filing_deadlines: Every CTR and SAR owed to FinCEN as of a business date: the trigger (transaction date for a CTR, detection date for a SAR), the due date (15 days; 30 for a SAR, 60 when no suspect is known), and whether it is due, late, filed or filed late, with the export that delivered it.
-- Owner: compliance. Key: business_date, filing_kind, record_key. Personal data: customer_name.
-- Loads one business date, as one transaction (BatchExecuteStatement).
-- Generated from the table registry by `paylake catalog sql-files`; do not edit.
CREATE TEMP TABLE stage_files_filing_deadlines (
  filing_kind VARCHAR(65535),
  record_key VARCHAR(65535),
  customer_id VARCHAR(65535),
  customer_name VARCHAR(65535),
  amount_usd DECIMAL(18,2),
  trigger_date DATE,
  deadline_days BIGINT,
  suspect_known BOOLEAN,
  due_date DATE,
  status VARCHAR(65535),
  days_remaining BIGINT,
  export_id VARCHAR(65535),
  filed_on DATE
);
COPY stage_files_filing_deadlines FROM '${manifest}' IAM_ROLE '${iam_role}' FORMAT AS PARQUET MANIFEST;
CREATE TEMP TABLE stage_filing_deadlines AS SELECT *, CAST('${business_date}' AS DATE) AS business_date FROM stage_files_filing_deadlines;
MERGE INTO gold.filing_deadlines AS t USING stage_filing_deadlines AS s ON t.business_date = s.business_date AND t.filing_kind = s.filing_kind AND t.record_key = s.record_key
WHEN MATCHED THEN UPDATE SET customer_id = s.customer_id, customer_name = s.customer_name, amount_usd = s.amount_usd, trigger_date = s.trigger_date, deadline_days = s.deadline_days, suspect_known = s.suspect_known, due_date = s.due_date, status = s.status, days_remaining = s.days_remaining, export_id = s.export_id, filed_on = s.filed_on
WHEN NOT MATCHED THEN INSERT (filing_kind, record_key, customer_id, customer_name, amount_usd, trigger_date, deadline_days, suspect_known, due_date, status, days_remaining, export_id, filed_on, business_date) VALUES (s.filing_kind, s.record_key, s.customer_id, s.customer_name, s.amount_usd, s.trigger_date, s.deadline_days, s.suspect_known, s.due_date, s.status, s.days_remaining, s.export_id, s.filed_on, s.business_date);
DELETE FROM gold.filing_deadlines WHERE business_date = CAST('${business_date}' AS DATE) AND NOT EXISTS (SELECT 1 FROM stage_filing_deadlines AS s WHERE s.business_date = gold.filing_deadlines.business_date AND s.filing_kind = gold.filing_deadlines.filing_kind AND s.record_key = gold.filing_deadlines.record_key);

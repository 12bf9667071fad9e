-- gold.filing_deadlines: Every CTR and SAR owed to FinCEN as of a business date: the trigger (transaction date for a CTR, detection date for a SAR), the due date (15 days; 30 for a SAR, 60 when no suspect is known), and whether it is due, late, filed or filed late, with the export that delivered it.
-- Owner: compliance. Key: business_date, filing_kind, record_key. Personal data: customer_name.
-- Generated from the table registry by `paylake catalog sql-files`; do not edit.
-- Athena reads the columns and the partitions from the Delta log:
--   filing_kind string
--   record_key string
--   customer_id string
--   customer_name string
--   amount_usd decimal(18,2)
--   trigger_date date
--   deadline_days bigint
--   suspect_known boolean
--   due_date date
--   status string
--   days_remaining bigint
--   export_id string
--   filed_on date
--   business_date date
CREATE EXTERNAL TABLE gold.filing_deadlines
LOCATION '${lake}/gold/filing_deadlines/'
TBLPROPERTIES ('table_type' = 'DELTA');

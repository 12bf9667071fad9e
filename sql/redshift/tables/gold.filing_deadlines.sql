-- gold.filing_deadlines: Every CTR and SAR owed to FinCEN as of a business date: the trigger (transaction date for a CTR, detection date for a SAR), the due date (15 days; 30 for a SAR, 60 when no suspect is known), and whether it is due, late, filed or filed late, with the export that delivered it.
-- Owner: compliance. Key: business_date, filing_kind, record_key. Personal data: customer_name.
-- Generated from the table registry by `paylake catalog sql-files`; do not edit.
CREATE TABLE IF NOT EXISTS gold.filing_deadlines (
  filing_kind VARCHAR(65535) NOT NULL,
  record_key VARCHAR(65535) NOT NULL,
  customer_id VARCHAR(65535),
  customer_name VARCHAR(65535),
  amount_usd DECIMAL(18,2),
  trigger_date DATE,
  deadline_days BIGINT,
  suspect_known BOOLEAN,
  due_date DATE,
  status VARCHAR(65535) NOT NULL,
  days_remaining BIGINT,
  export_id VARCHAR(65535),
  filed_on DATE,
  business_date DATE
)
DISTSTYLE KEY
DISTKEY (customer_id)
COMPOUND SORTKEY (business_date, filing_kind, record_key);

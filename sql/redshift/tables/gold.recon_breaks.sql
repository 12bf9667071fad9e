-- gold.recon_breaks: Reconciliation breaks open at the end of the business date, carried from day to day until matched or until a person writes them off (status open, write_off_due from the write-off age, written_off on the date a person's decision takes effect, with its id): missing_in_ledger, missing_in_processor, missing_in_bank, timing_pending, amount_mismatch, fee_variance, fx_difference, currency_mismatch, duplicate, split_incomplete, integrity_violation; with the field that differs, both values and the age in days.
-- Owner: finance. Key: business_date, break_id. Personal data: none.
-- Generated from the table registry by `paylake catalog sql-files`; do not edit.
CREATE TABLE IF NOT EXISTS gold.recon_breaks (
  break_id VARCHAR(65535) NOT NULL,
  category VARCHAR(65535) NOT NULL,
  reference VARCHAR(65535),
  left_side VARCHAR(65535),
  left_reference VARCHAR(65535),
  right_side VARCHAR(65535),
  right_reference VARCHAR(65535),
  currency VARCHAR(65535),
  left_amount DECIMAL(18,2),
  right_amount DECIMAL(18,2),
  difference DECIMAL(18,2),
  field VARCHAR(65535),
  expected_value VARCHAR(65535),
  actual_value VARCHAR(65535),
  rule_id VARCHAR(65535),
  origin_date DATE,
  due_date DATE,
  age_days BIGINT,
  status VARCHAR(65535) NOT NULL,
  detail VARCHAR(65535),
  decision_id VARCHAR(65535),
  rules_version VARCHAR(65535),
  business_date DATE
)
DISTSTYLE EVEN
COMPOUND SORTKEY (business_date, break_id);

-- gold.sar_candidates: Suspicious Activity Report candidates: a customer's alerts of the look-back period grouped into one case with period, total, typologies, evidence and a draft narrative.
-- Owner: compliance. Key: business_date, case_id. Personal data: customer_name, narrative.
-- Generated from the table registry by `paylake catalog sql-files`; do not edit.
CREATE TABLE IF NOT EXISTS gold.sar_candidates (
  case_id VARCHAR(65535) NOT NULL,
  customer_id VARCHAR(65535),
  customer_name VARCHAR(65535),
  period_start DATE,
  period_end DATE,
  total_amount_usd DECIMAL(18,2),
  typologies SUPER,
  alert_ids SUPER,
  transaction_ids SUPER,
  account_ids SUPER,
  max_score BIGINT,
  narrative VARCHAR(65535),
  business_date DATE
)
DISTSTYLE KEY
DISTKEY (customer_id)
COMPOUND SORTKEY (business_date, case_id);

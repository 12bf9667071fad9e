-- gold.aml_alerts: Alerts of the AML rules: which rule and version with which parameters, the customer and account, a score from 0 to 100, the evidence transactions and accounts, and a one-line reason. The id is stable across re-runs of the same inputs.
-- Owner: compliance. Key: alert_id. Personal data: none.
-- Generated from the table registry by `paylake catalog sql-files`; do not edit.
CREATE TABLE IF NOT EXISTS gold.aml_alerts (
  alert_id VARCHAR(65535) NOT NULL,
  rule_id VARCHAR(65535) NOT NULL,
  rule_version VARCHAR(65535) NOT NULL,
  parameters VARCHAR(65535),
  customer_id VARCHAR(65535),
  account_id VARCHAR(65535),
  score BIGINT,
  amount_usd DECIMAL(18,2),
  transaction_ids SUPER,
  account_ids SUPER,
  reason VARCHAR(65535),
  business_date DATE
)
DISTSTYLE KEY
DISTKEY (customer_id)
COMPOUND SORTKEY (business_date, alert_id);

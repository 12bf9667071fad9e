-- gold.aml_alerts: Alerts of the AML rules: which rule and version with which parameters, the customer and account, a score from 0 to 100, the evidence transactions and accounts, and a one-line reason. The id is stable across re-runs of the same inputs. An alert under a suppression or whitelist decision in force is written all the same, with the decision's id in `suppressed_by`, and opens no case. The rule `sanctions_screening` alerts a sanctions hit that is new or whose entry changed.
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
  business_date DATE,
  suppressed_by VARCHAR(65535)
)
DISTSTYLE KEY
DISTKEY (customer_id)
COMPOUND SORTKEY (business_date, alert_id);

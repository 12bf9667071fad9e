-- gold.cost_anomalies: Services whose daily cost rose above their expected cost (median of the days before) by the configured impact, with the account and resource that caused most of it, as AWS Cost Anomaly Detection reports.
-- Owner: finance. Key: business_date, service_name. Personal data: none.
-- Generated from the table registry by `paylake catalog sql-files`; do not edit.
CREATE TABLE IF NOT EXISTS gold.cost_anomalies (
  service_name VARCHAR(65535),
  actual_cost DECIMAL(38,12),
  expected_cost DECIMAL(38,12),
  impact DECIMAL(38,12),
  impact_percent DECIMAL(18,2),
  baseline_days BIGINT,
  root_cause_account VARCHAR(65535),
  root_cause_resource VARCHAR(65535),
  root_cause_impact DECIMAL(38,12),
  business_date DATE
)
DISTSTYLE EVEN
COMPOUND SORTKEY (business_date, service_name);

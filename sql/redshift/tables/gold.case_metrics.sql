-- gold.case_metrics: What became of each rule's alerts of a business date, as the case log stood at `as_of`: the alerts, the cases they went into and opened, how those cases were disposed (closed as false positive or not suspicious, escalated, a SAR filed or decided against), the median and 90th percentile days from a case's first alert to its disposition, the cases past their SAR deadline without a decision, SARs filed late, and the rule's precision by dispositions (escalated over dispositioned); the rules version and its parameters, the alerts suppressed by a decision in force, and where the false positives sat: the lowest and median amount of the alerts whose cases were closed as false positive, and the median of their amount over the rule's amount threshold (`amount_parameter`, its first `*_usd` parameter): 1.05 means the false positives sat 5% over it, a threshold to raise.
-- Owner: compliance. Key: business_date, rule_id. Personal data: none.
-- Generated from the table registry by `paylake catalog sql-files`; do not edit.
CREATE TABLE IF NOT EXISTS gold.case_metrics (
  rule_id VARCHAR(65535) NOT NULL,
  alerts BIGINT NOT NULL,
  alerts_in_cases BIGINT NOT NULL,
  cases BIGINT NOT NULL,
  cases_opened BIGINT NOT NULL,
  closed_false_positive BIGINT NOT NULL,
  closed_not_suspicious BIGINT NOT NULL,
  escalated BIGINT NOT NULL,
  sar_not_filed BIGINT NOT NULL,
  filed BIGINT NOT NULL,
  dispositioned BIGINT NOT NULL,
  median_days_to_disposition DECIMAL(10,1),
  p90_days_to_disposition DECIMAL(10,1),
  past_deadline BIGINT NOT NULL,
  filed_late BIGINT NOT NULL,
  precision DECIMAL(5,4),
  as_of TIMESTAMPTZ NOT NULL,
  business_date DATE,
  rule_version VARCHAR(65535),
  parameters VARCHAR(65535),
  suppressed BIGINT,
  false_positive_lowest_usd DECIMAL(18,2),
  false_positive_median_usd DECIMAL(18,2),
  amount_parameter VARCHAR(65535),
  false_positive_median_ratio DECIMAL(10,2)
)
DISTSTYLE EVEN
COMPOUND SORTKEY (business_date, rule_id);

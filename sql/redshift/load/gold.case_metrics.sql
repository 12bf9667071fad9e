-- gold.case_metrics: What became of each rule's alerts of a business date, as the case log stood at `as_of`: the alerts, the cases they went into and opened, how those cases were disposed (closed as false positive or not suspicious, escalated, a SAR filed or decided against), the median and 90th percentile days from a case's first alert to its disposition, the cases past their SAR deadline without a decision, SARs filed late, and the rule's precision by dispositions (escalated over dispositioned); the rules version and its parameters, the alerts suppressed by a decision in force, and where the false positives sat: the lowest and median amount of the alerts whose cases were closed as false positive, and the median of their amount over the rule's amount threshold (`amount_parameter`, its first `*_usd` parameter): 1.05 means the false positives sat 5% over it, a threshold to raise.
-- Owner: compliance. Key: business_date, rule_id. Personal data: none.
-- Loads one business date, as one transaction (BatchExecuteStatement).
-- Generated from the table registry by `paylake catalog sql-files`; do not edit.
CREATE TEMP TABLE stage_files_case_metrics (
  rule_id VARCHAR(65535),
  alerts BIGINT,
  alerts_in_cases BIGINT,
  cases BIGINT,
  cases_opened BIGINT,
  closed_false_positive BIGINT,
  closed_not_suspicious BIGINT,
  escalated BIGINT,
  sar_not_filed BIGINT,
  filed BIGINT,
  dispositioned BIGINT,
  median_days_to_disposition DECIMAL(10,1),
  p90_days_to_disposition DECIMAL(10,1),
  past_deadline BIGINT,
  filed_late BIGINT,
  precision DECIMAL(5,4),
  as_of TIMESTAMPTZ,
  rule_version VARCHAR(65535),
  parameters VARCHAR(65535),
  suppressed BIGINT,
  false_positive_lowest_usd DECIMAL(18,2),
  false_positive_median_usd DECIMAL(18,2),
  amount_parameter VARCHAR(65535),
  false_positive_median_ratio DECIMAL(10,2)
);
COPY stage_files_case_metrics FROM '${manifest}' IAM_ROLE '${iam_role}' FORMAT AS PARQUET MANIFEST;
CREATE TEMP TABLE stage_case_metrics AS SELECT *, CAST('${business_date}' AS DATE) AS business_date FROM stage_files_case_metrics;
MERGE INTO gold.case_metrics AS t USING stage_case_metrics AS s ON t.business_date = s.business_date AND t.rule_id = s.rule_id
WHEN MATCHED THEN UPDATE SET alerts = s.alerts, alerts_in_cases = s.alerts_in_cases, cases = s.cases, cases_opened = s.cases_opened, closed_false_positive = s.closed_false_positive, closed_not_suspicious = s.closed_not_suspicious, escalated = s.escalated, sar_not_filed = s.sar_not_filed, filed = s.filed, dispositioned = s.dispositioned, median_days_to_disposition = s.median_days_to_disposition, p90_days_to_disposition = s.p90_days_to_disposition, past_deadline = s.past_deadline, filed_late = s.filed_late, precision = s.precision, as_of = s.as_of, rule_version = s.rule_version, parameters = s.parameters, suppressed = s.suppressed, false_positive_lowest_usd = s.false_positive_lowest_usd, false_positive_median_usd = s.false_positive_median_usd, amount_parameter = s.amount_parameter, false_positive_median_ratio = s.false_positive_median_ratio
WHEN NOT MATCHED THEN INSERT (rule_id, alerts, alerts_in_cases, cases, cases_opened, closed_false_positive, closed_not_suspicious, escalated, sar_not_filed, filed, dispositioned, median_days_to_disposition, p90_days_to_disposition, past_deadline, filed_late, precision, as_of, business_date, rule_version, parameters, suppressed, false_positive_lowest_usd, false_positive_median_usd, amount_parameter, false_positive_median_ratio) VALUES (s.rule_id, s.alerts, s.alerts_in_cases, s.cases, s.cases_opened, s.closed_false_positive, s.closed_not_suspicious, s.escalated, s.sar_not_filed, s.filed, s.dispositioned, s.median_days_to_disposition, s.p90_days_to_disposition, s.past_deadline, s.filed_late, s.precision, s.as_of, s.business_date, s.rule_version, s.parameters, s.suppressed, s.false_positive_lowest_usd, s.false_positive_median_usd, s.amount_parameter, s.false_positive_median_ratio);
DELETE FROM gold.case_metrics WHERE business_date = CAST('${business_date}' AS DATE) AND NOT EXISTS (SELECT 1 FROM stage_case_metrics AS s WHERE s.business_date = gold.case_metrics.business_date AND s.rule_id = gold.case_metrics.rule_id);

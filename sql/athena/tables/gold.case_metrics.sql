-- gold.case_metrics: What became of each rule's alerts of a business date, as the case log stood at `as_of`: the alerts, the cases they went into and opened, how those cases were disposed (closed as false positive or not suspicious, escalated, a SAR filed or decided against), the median and 90th percentile days from a case's first alert to its disposition, the cases past their SAR deadline without a decision, SARs filed late, and the rule's precision by dispositions (escalated over dispositioned); the rules version and its parameters, the alerts suppressed by a decision in force, and where the false positives sat (the lowest and median amount of the alerts whose cases were closed as false positive, to set beside the thresholds).
-- Owner: compliance. Key: business_date, rule_id. Personal data: none.
-- Generated from the table registry by `paylake catalog sql-files`; do not edit.
-- Athena reads the columns and the partitions from the Delta log:
--   rule_id string
--   alerts bigint
--   alerts_in_cases bigint
--   cases bigint
--   cases_opened bigint
--   closed_false_positive bigint
--   closed_not_suspicious bigint
--   escalated bigint
--   sar_not_filed bigint
--   filed bigint
--   dispositioned bigint
--   median_days_to_disposition decimal(10,1)
--   p90_days_to_disposition decimal(10,1)
--   past_deadline bigint
--   filed_late bigint
--   precision decimal(5,4)
--   as_of timestamp
--   business_date date
--   rule_version string
--   parameters string
--   suppressed bigint
--   false_positive_lowest_usd decimal(18,2)
--   false_positive_median_usd decimal(18,2)
CREATE EXTERNAL TABLE gold.case_metrics
LOCATION '${lake}/gold/case_metrics/'
TBLPROPERTIES ('table_type' = 'DELTA');

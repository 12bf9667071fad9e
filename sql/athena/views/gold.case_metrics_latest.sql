-- gold.case_metrics: What became of each rule's alerts of a business date, as the case log stood at `as_of`: the alerts, the cases they went into and opened, how those cases were disposed (closed as false positive or not suspicious, escalated, a SAR filed or decided against), the median and 90th percentile days from a case's first alert to its disposition, the cases past their SAR deadline without a decision, SARs filed late, and the rule's precision by dispositions (escalated over dispositioned); the rules version and its parameters, the alerts suppressed by a decision in force, and where the false positives sat: the lowest and median amount of the alerts whose cases were closed as false positive, and the median of their amount over the rule's amount threshold (`amount_parameter`, its first `*_usd` parameter): 1.05 means the false positives sat 5% over it, a threshold to raise.
-- Owner: compliance. Key: business_date, rule_id. Personal data: none.
-- Generated from the table registry by `paylake catalog sql-files`; do not edit.
-- The rows of the latest business date the table holds.
CREATE OR REPLACE VIEW gold.case_metrics_latest AS
SELECT *
FROM gold.case_metrics
WHERE business_date = (SELECT max(business_date) FROM gold.case_metrics);

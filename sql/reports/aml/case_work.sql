-- The AML report's case work: each rule's (and version's) alerts of the period, those
-- suppressed, by what people decided about their cases (gold.case_metrics), where its false
-- positives sat beside its parameters, and the rule's precision by dispositions over the period
-- (escalated over dispositioned cases). Days to disposition are per date in gold, so the
-- period shows the range of the daily medians and the slowest daily 90th percentile.
SELECT
    rule_id,
    COALESCE(rule_version, '') AS rule_version,
    SUM(alerts) AS alerts,
    SUM(COALESCE(suppressed, 0)) AS suppressed,
    SUM(cases) AS cases,
    SUM(closed_false_positive) AS closed_false_positive,
    SUM(closed_not_suspicious) AS closed_not_suspicious,
    SUM(escalated) AS escalated,
    SUM(filed) AS filed,
    SUM(sar_not_filed) AS sar_not_filed,
    SUM(dispositioned) AS dispositioned,
    CASE WHEN MIN(median_days_to_disposition) IS NULL THEN ''
         WHEN MIN(median_days_to_disposition) = MAX(median_days_to_disposition)
         THEN CAST(MIN(median_days_to_disposition) AS VARCHAR)
         ELSE concat(CAST(MIN(median_days_to_disposition) AS VARCHAR), '–',
                     CAST(MAX(median_days_to_disposition) AS VARCHAR))
    END AS median_days,
    MAX(p90_days_to_disposition) AS slowest_p90_days,
    SUM(past_deadline) AS past_deadline,
    SUM(filed_late) AS filed_late,
    CASE WHEN SUM(dispositioned) > 0
         THEN CAST(CAST(SUM(escalated) AS DECIMAL(18, 4)) / CAST(SUM(dispositioned) AS DECIMAL(18, 4)) AS DECIMAL(5, 4))
    END AS precision,
    MIN(false_positive_lowest_usd) AS false_positive_lowest_usd,
    MAX(false_positive_median_usd) AS false_positive_median_usd,
    COALESCE(MIN(amount_parameter), '') AS amount_parameter,
    MAX(false_positive_median_ratio) AS false_positive_median_ratio,
    COALESCE(MIN(parameters), '') AS parameters,
    MAX(as_of) AS as_of
FROM gold.case_metrics
WHERE business_date BETWEEN DATE '{{ from }}' AND DATE '{{ to }}'
GROUP BY rule_id, rule_version
ORDER BY 3 DESC, rule_id, rule_version

-- The live alerts of a period and what people decided about them: the case each went into and
-- how far that case went (a filed SAR or an approved decision to file first, then a decision
-- not to file, an escalation, a close as false positive or not suspicious, still open), or why
-- it has none (suppressed, or not taken in). Screening's alerts are left out: a rules file
-- changes the rules, not the list.
-- Parameters: from, to.
WITH alerts AS (
    SELECT alert_id, rule_id, rule_version, customer_id, account_id, business_date,
           transaction_ids, suppressed_by
    FROM gold.aml_alerts
    WHERE business_date BETWEEN DATE '{{ from }}' AND DATE '{{ to }}'
      AND rule_id <> 'sanctions_screening'
),
taken AS (
    SELECT case_id, alert_id
    FROM (
        SELECT case_id, unnest(alert_ids) AS alert_id
        FROM decisions.case_events
        WHERE action IN ('open', 'attach')
    ) AS unnested
),
outcomes AS (
    SELECT case_id,
        MAX(CASE WHEN action = 'file' THEN 1 ELSE 0 END) AS filed,
        MAX(CASE WHEN action = 'approve' AND outcome = 'file' THEN 1 ELSE 0 END) AS sar_approved,
        MAX(CASE WHEN action = 'approve' AND outcome = 'no_file' THEN 1 ELSE 0 END) AS sar_not_filed,
        MAX(CASE WHEN action = 'escalate' THEN 1 ELSE 0 END) AS escalated,
        MAX(CASE WHEN action = 'close' AND outcome = 'false_positive' THEN 1 ELSE 0 END) AS false_positive,
        MAX(CASE WHEN action = 'close' AND outcome = 'not_suspicious' THEN 1 ELSE 0 END) AS not_suspicious
    FROM decisions.case_events
    GROUP BY case_id
)
SELECT a.alert_id, a.rule_id, a.rule_version, a.customer_id, a.account_id, a.business_date,
       a.transaction_ids, t.case_id,
       CASE
           WHEN o.filed = 1 THEN 'sar_filed'
           WHEN o.sar_approved = 1 THEN 'sar_approved'
           WHEN o.sar_not_filed = 1 THEN 'sar_not_filed'
           WHEN o.escalated = 1 THEN 'escalated'
           WHEN o.false_positive = 1 THEN 'closed_false_positive'
           WHEN o.not_suspicious = 1 THEN 'closed_not_suspicious'
           WHEN t.case_id IS NOT NULL THEN 'open'
           WHEN a.suppressed_by IS NOT NULL THEN 'suppressed'
           ELSE 'no_case'
       END AS disposition
FROM alerts AS a
LEFT JOIN taken AS t ON t.alert_id = a.alert_id
LEFT JOIN outcomes AS o ON o.case_id = t.case_id
ORDER BY a.business_date, a.alert_id

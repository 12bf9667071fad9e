-- The AML report's counts of the period: alerts, customers alerted, CTR and SAR candidates,
-- sanctions hits, and the filings it triggered that are late as of the latest deadlines.
SELECT
    (SELECT COUNT(*) FROM gold.aml_alerts
     WHERE business_date BETWEEN DATE '{{ from }}' AND DATE '{{ to }}') AS alerts,
    (SELECT COUNT(DISTINCT customer_id) FROM gold.aml_alerts
     WHERE business_date BETWEEN DATE '{{ from }}' AND DATE '{{ to }}') AS customers_alerted,
    (SELECT COUNT(*) FROM gold.ctr_candidates
     WHERE business_date BETWEEN DATE '{{ from }}' AND DATE '{{ to }}') AS ctr_candidates,
    (SELECT COUNT(*) FROM gold.sar_candidates
     WHERE business_date BETWEEN DATE '{{ from }}' AND DATE '{{ to }}') AS sar_candidates,
    (SELECT COUNT(DISTINCT hit_id) FROM gold.sanctions_hits
     WHERE business_date BETWEEN DATE '{{ from }}' AND DATE '{{ to }}') AS sanctions_hits,
    (SELECT COUNT(*) FROM gold.filing_deadlines
     WHERE status = 'late'
       AND business_date = (SELECT MAX(business_date) FROM gold.filing_deadlines)
       AND trigger_date BETWEEN DATE '{{ from }}' AND DATE '{{ to }}') AS filings_late

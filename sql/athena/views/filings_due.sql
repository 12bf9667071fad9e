-- CTRs and SARs not filed yet as of the latest business date, the most urgent first.
CREATE OR REPLACE VIEW gold.filings_due AS
SELECT filing_kind,
       record_key,
       customer_id,
       amount_usd,
       trigger_date,
       due_date,
       days_remaining,
       status
FROM gold.filing_deadlines
WHERE business_date = (SELECT max(business_date) FROM gold.filing_deadlines)
  AND status IN ('due', 'late');

SELECT filing_kind, record_key, customer_id, amount_usd, trigger_date, due_date, days_remaining, status, export_id, filed_on, business_date AS as_of
FROM gold.filing_deadlines
WHERE business_date = (SELECT MAX(business_date)
FROM gold.filing_deadlines) AND trigger_date BETWEEN DATE '{{ from }}' AND DATE '{{ to }}'
ORDER BY CASE status WHEN 'late' THEN 0 WHEN 'due' THEN 1 WHEN 'filed_late' THEN 2 ELSE 3 END, due_date, record_key

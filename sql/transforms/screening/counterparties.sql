-- The names on the other side of the date's money: the related parties of the bank statement
-- entries booked on the date (camt.053 `RltdPties`), each with the entry that carried it.
-- Parameters: business_date.
SELECT party_type, name, movement_id
FROM (
    SELECT 'camt053_debtor' AS party_type, debtor_name AS name,
           concat(statement_id, '/', entry_reference) AS movement_id
    FROM silver.bank_statement_entries WHERE booking_date = DATE '{{ business_date }}'
    UNION ALL
    SELECT 'camt053_creditor', creditor_name, concat(statement_id, '/', entry_reference)
    FROM silver.bank_statement_entries WHERE booking_date = DATE '{{ business_date }}'
    UNION ALL
    SELECT 'camt053_ultimate_debtor', ultimate_debtor_name, concat(statement_id, '/', entry_reference)
    FROM silver.bank_statement_entries WHERE booking_date = DATE '{{ business_date }}'
    UNION ALL
    SELECT 'camt053_ultimate_creditor', ultimate_creditor_name, concat(statement_id, '/', entry_reference)
    FROM silver.bank_statement_entries WHERE booking_date = DATE '{{ business_date }}'
) AS parties
WHERE name IS NOT NULL
ORDER BY party_type, name, movement_id

-- Every bank statement entry, of any date, that names a counterparty: the movements a new
-- sanctions hit on that name points to.
-- Parameters: name (a text literal).
SELECT DISTINCT concat(statement_id, '/', entry_reference) AS movement_id
FROM silver.bank_statement_entries
WHERE debtor_name = {{ name }} OR creditor_name = {{ name }}
   OR ultimate_debtor_name = {{ name }} OR ultimate_creditor_name = {{ name }}
ORDER BY movement_id

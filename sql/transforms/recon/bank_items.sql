-- recon_bank: booked credits of the bank statements (camt.053), where the processor's payouts
-- arrive. Parameters: from_day, as_of_day; `date_day` as in ledger_items.sql.
SELECT *
FROM (
    SELECT
        statement_id,
        entry_reference,
        account_iban,
        -- camt.053 writes NOTPROVIDED when the payer gave no end-to-end id.
        CASE WHEN end_to_end_id = 'NOTPROVIDED' THEN NULL ELSE end_to_end_id END AS end_to_end_id,
        currency,
        amount,
        date_day(booking_date) AS booking_day
    FROM silver.bank_statement_entries
    WHERE credit_debit = 'CRDT' AND (status IS NULL OR status = 'BOOK')
) AS credits
WHERE booking_day BETWEEN {{ from_day }} AND {{ as_of_day }}

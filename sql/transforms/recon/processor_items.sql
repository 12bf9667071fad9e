-- recon_processor: the settlement report's lines for single payments (Settled, Refunded,
-- Chargeback) with their gross amount, their fees and the day they were reported.
-- Parameters: from_day, as_of_day, created_from, created_before; `local_day` and `utc_instant`
-- as in ledger_items.sql.
SELECT *
FROM (
    SELECT
        settlement_line_id,
        psp_reference,
        record_type,
        batch_number,
        gross_currency AS currency,
        COALESCE(gross_credit, gross_debit) AS gross_amount,
        COALESCE(interchange, 0) + COALESCE(scheme_fees, 0) + COALESCE(markup, 0)
            + COALESCE(commission, 0) AS fees,
        local_day(creation_date) AS line_day
    FROM silver.settlement_lines
    WHERE record_type IN ('Settled', 'Refunded', 'Chargeback')
      AND creation_date >= utc_instant('{{ created_from }}')
      AND creation_date < utc_instant('{{ created_before }}')
) AS lines
WHERE line_day BETWEEN {{ from_day }} AND {{ as_of_day }}

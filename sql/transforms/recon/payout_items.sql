-- recon_payouts: each payout of the processor (a MerchantPayout line) with the net of the batch
-- it pays in its currency: what the processor owes for the batch's lines, credits less debits.
-- Parameters: from_day, as_of_day, created_from, created_before, and batch_lines_from, the
-- earliest instant a line of a payout's batch can have been created (the longest batch of the
-- finance rules before created_from); `local_day` and `utc_instant` as in ledger_items.sql.
WITH batch_net AS (
    SELECT
        batch_number,
        net_currency AS currency,
        SUM(COALESCE(net_credit, 0) - COALESCE(net_debit, 0)) AS net_total,
        COUNT(*) AS line_count
    FROM silver.settlement_lines
    WHERE record_type <> 'MerchantPayout'
      AND creation_date >= utc_instant('{{ batch_lines_from }}')
      AND creation_date < utc_instant('{{ created_before }}')
    GROUP BY batch_number, net_currency
),
payouts AS (
    SELECT
        modification_reference AS payout_reference,
        batch_number,
        net_currency AS currency,
        net_debit AS amount,
        local_day(creation_date) AS payout_day
    FROM silver.settlement_lines
    WHERE record_type = 'MerchantPayout'
      AND creation_date >= utc_instant('{{ created_from }}')
      AND creation_date < utc_instant('{{ created_before }}')
)
SELECT
    p.payout_reference,
    p.batch_number,
    p.currency,
    p.amount,
    p.payout_day,
    b.net_total AS batch_net_total,
    COALESCE(b.line_count, 0) AS batch_line_count
FROM payouts AS p
LEFT JOIN batch_net AS b ON b.batch_number = p.batch_number AND b.currency = p.currency
WHERE p.payout_day BETWEEN {{ from_day }} AND {{ as_of_day }}

-- recon_repeated_lines: every settlement line after the first that reports the same payment and
-- type, with its occurrence and the payment item it repeats (when the ledger has it). Few rows:
-- the payment stage reads them as duplicates, and leaves them out of its pairs.
WITH duplicate_keys AS (
    SELECT psp_reference, record_type
    FROM recon_processor
    GROUP BY psp_reference, record_type
    HAVING COUNT(*) > 1
),
numbered AS (
    SELECT
        l.*,
        ROW_NUMBER() OVER (
            PARTITION BY l.psp_reference, l.record_type ORDER BY l.line_day, l.settlement_line_id
        ) AS occurrence
    FROM recon_processor AS l
    JOIN duplicate_keys AS d ON d.psp_reference = l.psp_reference AND d.record_type = l.record_type
)
SELECT
    n.settlement_line_id,
    n.psp_reference,
    n.record_type,
    n.currency,
    n.gross_amount,
    n.line_day,
    n.occurrence,
    g.payment_id,
    g.amount AS ledger_amount,
    g.origin_day
FROM numbered AS n
LEFT JOIN recon_ledger AS g ON g.payment_id = n.psp_reference AND g.record_type = n.record_type
WHERE n.occurrence > 1

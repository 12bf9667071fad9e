-- recon_pairs: each internal payment item beside the first settlement line of its type that
-- names it (PSP reference = payment id), or alone; and each first line whose payment the ledger
-- lacks, alone. Later lines of the same payment and type are in recon_repeated_lines.
WITH duplicate_keys AS (
    SELECT psp_reference, record_type
    FROM recon_processor
    GROUP BY psp_reference, record_type
    HAVING COUNT(*) > 1
),
repeated AS (
    SELECT
        l.settlement_line_id,
        ROW_NUMBER() OVER (
            PARTITION BY l.psp_reference, l.record_type ORDER BY l.line_day, l.settlement_line_id
        ) AS occurrence
    FROM recon_processor AS l
    JOIN duplicate_keys AS d ON d.psp_reference = l.psp_reference AND d.record_type = l.record_type
),
first_lines AS (
    SELECT l.*
    FROM recon_processor AS l
    LEFT JOIN (SELECT settlement_line_id FROM repeated WHERE occurrence > 1) AS later
      ON later.settlement_line_id = l.settlement_line_id
    WHERE later.settlement_line_id IS NULL
)
SELECT
    g.payment_id,
    g.record_type AS expected_type,
    g.currency AS ledger_currency,
    g.amount AS ledger_amount,
    g.origin_day,
    l.settlement_line_id,
    l.psp_reference,
    l.record_type AS line_type,
    l.currency AS line_currency,
    l.gross_amount,
    l.fees,
    l.line_day
FROM recon_ledger AS g
FULL OUTER JOIN first_lines AS l
  ON l.psp_reference = g.payment_id AND l.record_type = g.record_type

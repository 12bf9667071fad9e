-- gold.ledger_integrity for one business date: the invariants finance relies on, one row per
-- check with its status.
--   journal_balance: every journal (the postings of one transaction) posted on the date has
--     equal debits and credits in each currency.
--   statement_balance: every bank statement closing on the date has an opening balance plus its
--     booked entries equal to its closing balance (camt.053 OPBD + entries = CLBD).
-- Parameters: business_date, timezone, created_from and created_before (instants.sql).
{% import "transforms/instants.sql" as instants -%}
WITH postings AS (
    SELECT
        e.transaction_id,
        e.currency,
        e.direction,
        e.amount,
        CAST(to_local_time(e.posted_at AT TIME ZONE '{{ timezone }}') AS DATE) AS business_date
    FROM silver.ledger_entries AS e
    WHERE {{ instants.within("e.posted_at", created_from, created_before) }}
),
journals AS (
    SELECT
        transaction_id,
        currency,
        SUM(CASE WHEN direction = 'debit' THEN amount ELSE 0 END) AS debits,
        SUM(CASE WHEN direction = 'credit' THEN amount ELSE 0 END) AS credits,
        COUNT(*) AS postings
    FROM postings
    WHERE business_date = DATE '{{ business_date }}'
    GROUP BY transaction_id, currency
),
signed_balances AS (
    SELECT
        statement_id,
        currency,
        balance_type,
        balance_date,
        CASE WHEN credit_debit = 'DBIT' THEN -amount ELSE amount END AS signed_amount
    FROM silver.bank_statement_balances
    WHERE balance_type IN ('OPBD', 'CLBD')
),
statements AS (
    SELECT
        statement_id,
        MIN(currency) AS currency,
        MAX(CASE WHEN balance_type = 'OPBD' THEN signed_amount END) AS opening,
        MAX(CASE WHEN balance_type = 'CLBD' THEN signed_amount END) AS closing,
        MAX(CASE WHEN balance_type = 'CLBD' THEN balance_date END) AS closing_date
    FROM signed_balances
    GROUP BY statement_id
),
booked AS (
    SELECT
        statement_id,
        SUM(CASE WHEN credit_debit = 'DBIT' THEN -amount ELSE amount END) AS net,
        COUNT(*) AS entries
    FROM silver.bank_statement_entries
    WHERE status IS NULL OR status = 'BOOK'
    GROUP BY statement_id
)
SELECT
    'journal_balance' AS check_type,
    transaction_id AS subject,
    currency,
    CAST(debits AS DECIMAL(18, 2)) AS expected_amount,
    CAST(credits AS DECIMAL(18, 2)) AS actual_amount,
    CAST(credits - debits AS DECIMAL(18, 2)) AS difference,
    CASE WHEN debits = credits THEN 'ok' ELSE 'violation' END AS status,
    concat(
        CAST(postings AS VARCHAR), ' postings: debits ', CAST(CAST(debits AS DECIMAL(18, 2)) AS VARCHAR),
        ', credits ', CAST(CAST(credits AS DECIMAL(18, 2)) AS VARCHAR)
    ) AS detail,
    DATE '{{ business_date }}' AS business_date
FROM journals
UNION ALL
SELECT
    'statement_balance' AS check_type,
    s.statement_id AS subject,
    s.currency,
    CAST(s.closing AS DECIMAL(18, 2)) AS expected_amount,
    CAST(s.opening + COALESCE(b.net, 0) AS DECIMAL(18, 2)) AS actual_amount,
    CAST(s.opening + COALESCE(b.net, 0) - s.closing AS DECIMAL(18, 2)) AS difference,
    CASE
        WHEN s.opening IS NULL OR s.closing IS NULL THEN 'violation'
        WHEN s.opening + COALESCE(b.net, 0) = s.closing THEN 'ok'
        ELSE 'violation'
    END AS status,
    CASE
        WHEN s.opening IS NULL THEN 'the statement has no opening balance (OPBD)'
        WHEN s.closing IS NULL THEN 'the statement has no closing balance (CLBD)'
        ELSE concat(
            'opening ', CAST(CAST(s.opening AS DECIMAL(18, 2)) AS VARCHAR), ' + ',
            CAST(COALESCE(b.entries, 0) AS VARCHAR), ' booked entries net ',
            CAST(CAST(COALESCE(b.net, 0) AS DECIMAL(18, 2)) AS VARCHAR), ' against closing ',
            CAST(CAST(s.closing AS DECIMAL(18, 2)) AS VARCHAR)
        )
    END AS detail,
    DATE '{{ business_date }}' AS business_date
FROM statements AS s
LEFT JOIN booked AS b ON b.statement_id = s.statement_id
WHERE s.closing_date = DATE '{{ business_date }}'
ORDER BY check_type, subject, currency

-- The processor's payouts (recon_payouts) against the batch they pay and the bank credits that
-- pay them (recon_bank), in stages:
--   1 payout_batch_total        one payout to many lines: it equals its batch's net in its
--                               currency; else amount_mismatch on batch_net_total
--   1 payout_end_to_end         the bank credit whose end-to-end id is the payout reference
--   1 payout_end_to_end_split   several credits with that id, adding up to the payout; short of
--                               it they are split_incomplete, twice the same amount a duplicate
--   2 payout_end_to_end_tolerance  one credit within the payout tolerance; else amount_mismatch
--   2 payout_amount_date        a credit without a known id, of the same currency and amount,
--                               booked inside the payout's window, when it is the only candidate
--                               of the payout and the payout the only one of the credit
-- A payout without its credit, or a credit that no payout explains, is `open`.
--
-- Columns as in payments.sql. Parameters: the [payout] values of finance-rules.toml.
WITH credits_by_reference AS (
    SELECT
        end_to_end_id,
        MIN(currency) AS currency,
        COUNT(DISTINCT currency) AS currencies,
        SUM(amount) AS total,
        MIN(amount) AS smallest,
        MAX(amount) AS largest,
        COUNT(*) AS entries,
        MIN(entry_reference) AS first_entry,
        MAX(booking_day) AS last_booking_day
    FROM recon_bank
    WHERE end_to_end_id IS NOT NULL
    GROUP BY end_to_end_id
),
paid AS (
    SELECT
        p.*,
        c.currency AS bank_currency,
        c.currencies,
        c.total,
        c.smallest,
        c.largest,
        c.entries,
        c.first_entry,
        c.last_booking_day,
        c.total - p.amount AS difference
    FROM recon_payouts AS p
    JOIN credits_by_reference AS c ON c.end_to_end_id = p.payout_reference
),
unpaid AS (
    SELECT p.*
    FROM recon_payouts AS p
    LEFT JOIN credits_by_reference AS c ON c.end_to_end_id = p.payout_reference
    WHERE c.end_to_end_id IS NULL
),
unreferenced_credits AS (
    SELECT b.*
    FROM recon_bank AS b
    LEFT JOIN recon_payouts AS p ON p.payout_reference = b.end_to_end_id
    WHERE p.payout_reference IS NULL
),
candidates AS (
    SELECT
        u.payout_reference,
        u.currency,
        u.amount,
        u.payout_day,
        b.statement_id,
        b.entry_reference,
        b.booking_day,
        COUNT(*) OVER (PARTITION BY u.payout_reference) AS per_payout,
        COUNT(*) OVER (PARTITION BY b.statement_id, b.entry_reference) AS per_credit
    FROM unpaid AS u
    JOIN unreferenced_credits AS b
      ON b.currency = u.currency
     AND b.amount = u.amount
     AND b.booking_day BETWEEN u.payout_day
         AND u.payout_day + {{ payout_lag_days }} + {{ payout_window_days }}
),
amount_date_matches AS (
    SELECT * FROM candidates WHERE per_payout = 1 AND per_credit = 1
)
SELECT
    CASE WHEN amount = batch_net_total THEN 'matched' ELSE 'break' END AS outcome,
    1 AS stage,
    'payout_batch_total' AS rule_id,
    'one_to_many' AS match_type,
    CASE WHEN amount = batch_net_total THEN NULL ELSE 'amount_mismatch' END AS category,
    payout_reference AS reference,
    'payout' AS left_side,
    payout_reference AS left_reference,
    'processor_batch' AS right_side,
    CAST(batch_number AS VARCHAR) AS right_reference,
    CAST(batch_line_count AS BIGINT) AS right_count,
    currency,
    amount AS left_amount,
    CAST(batch_net_total AS DECIMAL(18, 2)) AS right_amount,
    CAST(batch_net_total - amount AS DECIMAL(18, 2)) AS difference,
    CASE WHEN amount = batch_net_total THEN NULL ELSE 'batch_net_total' END AS field,
    CAST(amount AS VARCHAR) AS expected_value,
    CAST(CAST(batch_net_total AS DECIMAL(18, 2)) AS VARCHAR) AS actual_value,
    payout_day AS origin_day,
    payout_day AS due_day,
    payout_day AS event_day,
    {{ payout_window_days }} AS window_days,
    concat('payout ', payout_reference, ' of ', CAST(amount AS VARCHAR), ' ', currency,
           ' against the net ', COALESCE(CAST(CAST(batch_net_total AS DECIMAL(18, 2)) AS VARCHAR), 'of no lines'),
           ' of batch ', CAST(batch_number AS VARCHAR), ' (', CAST(batch_line_count AS VARCHAR), ' lines)') AS detail
FROM recon_payouts
UNION ALL
SELECT
    CASE
        WHEN currencies > 1 OR bank_currency <> currency THEN 'break'
        WHEN difference = 0 THEN 'matched'
        WHEN entries = 1 AND ABS(difference) <= {{ payout_amount_tolerance_absolute }} THEN 'matched'
        ELSE 'break'
    END AS outcome,
    CASE WHEN difference = 0 THEN 1 ELSE 2 END AS stage,
    CASE
        WHEN entries > 1 THEN 'payout_end_to_end_split'
        WHEN difference = 0 THEN 'payout_end_to_end'
        ELSE 'payout_end_to_end_tolerance'
    END AS rule_id,
    CASE WHEN entries > 1 THEN 'many_to_one' ELSE 'one_to_one' END AS match_type,
    CASE
        WHEN currencies > 1 OR bank_currency <> currency THEN 'currency_mismatch'
        WHEN difference = 0 THEN NULL
        WHEN entries = 1 AND ABS(difference) <= {{ payout_amount_tolerance_absolute }} THEN NULL
        WHEN entries > 1 AND smallest = amount AND largest = amount THEN 'duplicate'
        WHEN entries > 1 AND difference < 0 THEN 'split_incomplete'
        ELSE 'amount_mismatch'
    END AS category,
    payout_reference AS reference,
    'payout' AS left_side,
    payout_reference AS left_reference,
    'bank' AS right_side,
    first_entry AS right_reference,
    CAST(entries AS BIGINT) AS right_count,
    currency,
    amount AS left_amount,
    CAST(total AS DECIMAL(18, 2)) AS right_amount,
    CAST(difference AS DECIMAL(18, 2)) AS difference,
    CASE
        WHEN currencies > 1 OR bank_currency <> currency THEN 'currency'
        WHEN difference = 0 THEN NULL
        ELSE 'amount'
    END AS field,
    CASE WHEN currencies > 1 OR bank_currency <> currency THEN currency ELSE CAST(amount AS VARCHAR) END
        AS expected_value,
    CASE WHEN currencies > 1 OR bank_currency <> currency THEN bank_currency ELSE CAST(CAST(total AS DECIMAL(18, 2)) AS VARCHAR) END
        AS actual_value,
    payout_day AS origin_day,
    payout_day + {{ payout_lag_days }} AS due_day,
    GREATEST(payout_day, last_booking_day) AS event_day,
    {{ payout_window_days }} AS window_days,
    concat(CAST(entries AS VARCHAR), ' bank credit(s) with end-to-end id ', payout_reference, ' total ',
           CAST(CAST(total AS DECIMAL(18, 2)) AS VARCHAR), ' ', bank_currency, ' for a payout of ',
           CAST(amount AS VARCHAR), ' ', currency) AS detail
FROM paid
UNION ALL
SELECT
    'matched' AS outcome,
    2 AS stage,
    'payout_amount_date' AS rule_id,
    'one_to_one' AS match_type,
    CAST(NULL AS VARCHAR) AS category,
    payout_reference AS reference,
    'payout' AS left_side,
    payout_reference AS left_reference,
    'bank' AS right_side,
    entry_reference AS right_reference,
    1 AS right_count,
    currency,
    amount AS left_amount,
    amount AS right_amount,
    CAST(0 AS DECIMAL(18, 2)) AS difference,
    CAST(NULL AS VARCHAR) AS field,
    CAST(amount AS VARCHAR) AS expected_value,
    CAST(amount AS VARCHAR) AS actual_value,
    payout_day AS origin_day,
    payout_day + {{ payout_lag_days }} AS due_day,
    GREATEST(payout_day, booking_day) AS event_day,
    {{ payout_window_days }} AS window_days,
    concat('bank credit ', entry_reference, ' of statement ', statement_id,
           ' carries no payout reference; the only payout of ', CAST(amount AS VARCHAR), ' ', currency,
           ' in its window is ', payout_reference) AS detail
FROM amount_date_matches
UNION ALL
SELECT
    'open' AS outcome,
    1 AS stage,
    'payout_end_to_end' AS rule_id,
    'one_to_one' AS match_type,
    'missing_in_bank' AS category,
    u.payout_reference AS reference,
    'payout' AS left_side,
    u.payout_reference AS left_reference,
    'bank' AS right_side,
    CAST(NULL AS VARCHAR) AS right_reference,
    0 AS right_count,
    u.currency,
    u.amount AS left_amount,
    CAST(NULL AS DECIMAL(18, 2)) AS right_amount,
    CAST(NULL AS DECIMAL(18, 2)) AS difference,
    'end_to_end_id' AS field,
    u.payout_reference AS expected_value,
    CAST(NULL AS VARCHAR) AS actual_value,
    u.payout_day AS origin_day,
    u.payout_day + {{ payout_lag_days }} AS due_day,
    CAST(NULL AS BIGINT) AS event_day,
    {{ payout_window_days }} AS window_days,
    concat('no bank credit pays payout ', u.payout_reference, ' of ', CAST(u.amount AS VARCHAR), ' ',
           u.currency) AS detail
FROM unpaid AS u
LEFT JOIN amount_date_matches AS m ON m.payout_reference = u.payout_reference
WHERE m.payout_reference IS NULL
UNION ALL
SELECT
    'open' AS outcome,
    2 AS stage,
    'payout_amount_date' AS rule_id,
    'one_to_one' AS match_type,
    'missing_in_processor' AS category,
    COALESCE(b.end_to_end_id, b.entry_reference) AS reference,
    'payout' AS left_side,
    CAST(NULL AS VARCHAR) AS left_reference,
    'bank' AS right_side,
    b.entry_reference AS right_reference,
    1 AS right_count,
    b.currency,
    CAST(NULL AS DECIMAL(18, 2)) AS left_amount,
    b.amount AS right_amount,
    CAST(NULL AS DECIMAL(18, 2)) AS difference,
    'end_to_end_id' AS field,
    CAST(NULL AS VARCHAR) AS expected_value,
    b.end_to_end_id AS actual_value,
    b.booking_day AS origin_day,
    b.booking_day AS due_day,
    CAST(NULL AS BIGINT) AS event_day,
    {{ payout_window_days }} AS window_days,
    concat('bank credit ', b.entry_reference, ' of statement ', b.statement_id, ' (',
           CAST(b.amount AS VARCHAR), ' ', b.currency, ', end-to-end id ',
           COALESCE(b.end_to_end_id, 'none'), ') matches no payout') AS detail
FROM unreferenced_credits AS b
LEFT JOIN amount_date_matches AS m
  ON m.statement_id = b.statement_id AND m.entry_reference = b.entry_reference
WHERE m.entry_reference IS NULL

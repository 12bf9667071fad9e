-- Internal payments (recon_ledger) against the processor's settlement lines (recon_processor),
-- in stages. Every line names its payment (PSP reference = payment id), so a pair is found by
-- key in one pass; the stages decide which rule accepts it:
--   1 payment_exact      same currency, same amount
--   2 payment_tolerance  same currency, difference within the tolerance; else amount_mismatch
--   3 payment_fx         other currency, within the FX tolerance of the payment converted at the
--                        rates of its business date; else fx_difference, or currency_mismatch
--                        when a rate is missing
-- A payment without its line, or a line without its payment, is `open` (the gold job decides
-- from its age whether it is still in flight, timing_pending, or missing). Later lines of the
-- same payment and type (recon_repeated_lines) are duplicates; a Settled line whose fees depart
-- from the contract is a fee_variance, beside its match.
--
-- One row per outcome, in the columns every stage writes (see payouts.sql). Parameters: the
-- [settlement] and [fees] values of finance-rules.toml.
WITH first_lines AS (
    SELECT l.*
    FROM recon_processor AS l
    LEFT JOIN recon_repeated_lines AS later ON later.settlement_line_id = l.settlement_line_id
    WHERE later.settlement_line_id IS NULL
),
pairs AS (
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
        l.line_day
    FROM recon_ledger AS g
    FULL OUTER JOIN first_lines AS l
      ON l.psp_reference = g.payment_id AND l.record_type = g.record_type
),
expected AS (
    SELECT
        p.*,
        p.payment_id IS NOT NULL AND p.settlement_line_id IS NOT NULL AS paired,
        p.ledger_currency = p.line_currency AS same_currency,
        CASE
            WHEN p.ledger_currency = p.line_currency THEN p.ledger_amount
            ELSE CAST(
                p.ledger_amount
                    * CASE WHEN p.ledger_currency = 'USD' THEN 1 ELSE ledger_rate.usd_rate END
                    / CASE WHEN p.line_currency = 'USD' THEN 1 ELSE line_rate.usd_rate END
                AS DECIMAL(18, 2))
        END AS expected_amount
    FROM pairs AS p
    LEFT JOIN recon_rates AS ledger_rate
      ON ledger_rate.currency = p.ledger_currency AND ledger_rate.rate_day = p.origin_day
    LEFT JOIN recon_rates AS line_rate
      ON line_rate.currency = p.line_currency AND line_rate.rate_day = p.origin_day
),
judged AS (
    SELECT
        e.*,
        e.gross_amount - e.expected_amount AS difference,
        CASE
            WHEN NOT e.paired OR e.expected_amount IS NULL THEN FALSE
            WHEN e.same_currency THEN ABS(e.gross_amount - e.expected_amount) <= GREATEST(
                {{ amount_tolerance_absolute }},
                ABS(e.ledger_amount) * {{ amount_tolerance_percent }} / 100
            )
            ELSE ABS(e.gross_amount - e.expected_amount)
                <= ABS(e.expected_amount) * {{ fx_tolerance_percent }} / 100
        END AS accepted
    FROM expected AS e
),
fee_lines AS (
    SELECT
        l.*,
        l.gross_amount * ({{ interchange_bps }} + {{ scheme_fee_bps }} + {{ markup_bps }}) / 10000
            + {{ commission }} AS expected_fees
    FROM first_lines AS l
    WHERE l.record_type = 'Settled'
)
SELECT
    CASE WHEN NOT paired THEN 'open' WHEN accepted THEN 'matched' ELSE 'break' END AS outcome,
    CASE
        WHEN NOT paired THEN 1
        WHEN NOT same_currency THEN 3
        WHEN difference = 0 THEN 1
        ELSE 2
    END AS stage,
    CASE
        WHEN NOT paired THEN 'payment_exact'
        WHEN NOT same_currency THEN 'payment_fx'
        WHEN difference = 0 THEN 'payment_exact'
        ELSE 'payment_tolerance'
    END AS rule_id,
    'one_to_one' AS match_type,
    CASE
        WHEN payment_id IS NULL THEN 'missing_in_ledger'
        WHEN settlement_line_id IS NULL THEN 'missing_in_processor'
        WHEN accepted THEN NULL
        WHEN expected_amount IS NULL THEN 'currency_mismatch'
        WHEN NOT same_currency THEN 'fx_difference'
        ELSE 'amount_mismatch'
    END AS category,
    COALESCE(payment_id, psp_reference) AS reference,
    'ledger' AS left_side,
    payment_id AS left_reference,
    'processor' AS right_side,
    settlement_line_id AS right_reference,
    CASE WHEN settlement_line_id IS NULL THEN 0 ELSE 1 END AS right_count,
    COALESCE(line_currency, ledger_currency) AS currency,
    COALESCE(expected_amount, ledger_amount) AS left_amount,
    gross_amount AS right_amount,
    difference,
    CASE
        WHEN NOT paired THEN 'psp_reference'
        WHEN accepted THEN NULL
        WHEN expected_amount IS NULL THEN 'currency'
        ELSE 'gross_amount'
    END AS field,
    CASE
        WHEN payment_id IS NULL THEN NULL
        WHEN settlement_line_id IS NULL THEN payment_id
        WHEN accepted THEN NULL
        WHEN expected_amount IS NULL THEN ledger_currency
        ELSE CAST(expected_amount AS VARCHAR)
    END AS expected_value,
    CASE
        WHEN payment_id IS NULL THEN psp_reference
        WHEN settlement_line_id IS NULL THEN NULL
        WHEN accepted THEN NULL
        WHEN expected_amount IS NULL THEN line_currency
        ELSE CAST(gross_amount AS VARCHAR)
    END AS actual_value,
    COALESCE(origin_day, line_day) AS origin_day,
    CASE WHEN payment_id IS NULL THEN line_day ELSE origin_day + {{ settlement_lag_days }} END AS due_day,
    CASE WHEN paired THEN GREATEST(origin_day, line_day) END AS event_day,
    {{ settlement_window_days }} AS window_days,
    -- Matches are many and say nothing a reader needs beyond their columns: no text.
    CASE
        WHEN payment_id IS NULL THEN concat(line_type, ' line ', settlement_line_id, ' names payment ',
            psp_reference, ', which the ledger does not hold')
        WHEN settlement_line_id IS NULL THEN concat('no ', expected_type, ' line reports payment ',
            payment_id, ' of ', CAST(ledger_amount AS VARCHAR), ' ', ledger_currency)
        WHEN accepted THEN NULL
        ELSE concat(expected_type, ' line ', settlement_line_id, ' reports ', CAST(gross_amount AS VARCHAR),
            ' ', line_currency, ' for payment ', payment_id, ' of ', CAST(ledger_amount AS VARCHAR),
            ' ', ledger_currency)
    END AS detail
FROM judged
UNION ALL
SELECT
    'break' AS outcome,
    1 AS stage,
    'payment_exact' AS rule_id,
    'one_to_one' AS match_type,
    'duplicate' AS category,
    psp_reference AS reference,
    'ledger' AS left_side,
    payment_id AS left_reference,
    'processor' AS right_side,
    settlement_line_id AS right_reference,
    CAST(occurrence AS BIGINT) AS right_count,
    currency,
    ledger_amount AS left_amount,
    gross_amount AS right_amount,
    gross_amount AS difference,
    'psp_reference' AS field,
    CAST(NULL AS VARCHAR) AS expected_value,
    psp_reference AS actual_value,
    COALESCE(origin_day, line_day) AS origin_day,
    line_day AS due_day,
    line_day AS event_day,
    {{ settlement_window_days }} AS window_days,
    concat(record_type, ' line ', settlement_line_id, ' reports payment ', psp_reference,
           ' again (occurrence ', CAST(occurrence AS VARCHAR), ')') AS detail
FROM recon_repeated_lines
UNION ALL
SELECT
    'break' AS outcome,
    1 AS stage,
    'fee_contract' AS rule_id,
    'one_to_one' AS match_type,
    'fee_variance' AS category,
    g.payment_id AS reference,
    'ledger' AS left_side,
    g.payment_id AS left_reference,
    'processor' AS right_side,
    f.settlement_line_id AS right_reference,
    1 AS right_count,
    f.currency,
    CAST(f.expected_fees AS DECIMAL(18, 2)) AS left_amount,
    f.fees AS right_amount,
    CAST(f.fees - f.expected_fees AS DECIMAL(18, 2)) AS difference,
    'fees' AS field,
    CAST(CAST(f.expected_fees AS DECIMAL(18, 2)) AS VARCHAR) AS expected_value,
    CAST(f.fees AS VARCHAR) AS actual_value,
    g.origin_day,
    g.origin_day + {{ settlement_lag_days }} AS due_day,
    f.line_day AS event_day,
    {{ settlement_window_days }} AS window_days,
    concat('Settled line ', f.settlement_line_id, ' charges fees of ', CAST(f.fees AS VARCHAR),
           ' where the contract gives ', CAST(CAST(f.expected_fees AS DECIMAL(18, 2)) AS VARCHAR)) AS detail
FROM fee_lines AS f
JOIN recon_ledger AS g ON g.payment_id = f.psp_reference AND g.record_type = 'Settled'
WHERE ABS(f.fees - f.expected_fees) > {{ fee_tolerance }}

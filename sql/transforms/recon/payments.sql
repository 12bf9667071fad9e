-- Internal payments (recon_ledger) against the processor's settlement lines (recon_processor),
-- in stages. Every line names its payment (PSP reference = payment id), so a pair is found by
-- key; the stages decide which rule accepts it:
--   1 payment_exact      same currency, same amount
--   2 payment_tolerance  same currency, difference within the tolerance; else amount_mismatch
--   3 payment_fx         other currency, within the FX tolerance of the payment converted at the
--                        rates of its business date; else fx_difference, or currency_mismatch
--                        when a rate is missing
-- A payment without its line, or a line without its payment, is `open` (the gold job decides
-- from its age whether it is still in flight, timing_pending, or missing). A second line for
-- the same payment and type is a duplicate; a Settled line whose fees depart from the contract
-- is a fee_variance, beside its match.
--
-- Reads recon_pairs and recon_repeated_lines (pairs.sql, repeated_lines.sql). One row per
-- outcome, in the columns every stage writes (see payouts.sql). Parameters: the [settlement] and
-- [fees] values of finance-rules.toml.
WITH same_currency AS (
    SELECT
        p.*,
        p.gross_amount - p.ledger_amount AS difference,
        GREATEST(
            {amount_tolerance_absolute},
            ABS(p.ledger_amount) * {amount_tolerance_percent} / 100
        ) AS tolerance
    FROM recon_pairs AS p
    WHERE p.payment_id IS NOT NULL
      AND p.settlement_line_id IS NOT NULL
      AND p.ledger_currency = p.line_currency
),
cross_currency AS (
    SELECT
        p.*,
        CAST(
            p.ledger_amount
                * CASE WHEN p.ledger_currency = 'USD' THEN 1 ELSE ledger_rate.usd_rate END
                / CASE WHEN p.line_currency = 'USD' THEN 1 ELSE line_rate.usd_rate END
            AS DECIMAL(18, 2)
        ) AS converted_amount
    FROM recon_pairs AS p
    LEFT JOIN recon_rates AS ledger_rate
      ON ledger_rate.currency = p.ledger_currency AND ledger_rate.rate_day = p.origin_day
    LEFT JOIN recon_rates AS line_rate
      ON line_rate.currency = p.line_currency AND line_rate.rate_day = p.origin_day
    WHERE p.payment_id IS NOT NULL
      AND p.settlement_line_id IS NOT NULL
      AND p.ledger_currency <> p.line_currency
)
SELECT
    CASE WHEN ABS(difference) <= tolerance THEN 'matched' ELSE 'break' END AS outcome,
    CASE WHEN difference = 0 THEN 1 ELSE 2 END AS stage,
    CASE WHEN difference = 0 THEN 'payment_exact' ELSE 'payment_tolerance' END AS rule_id,
    'one_to_one' AS match_type,
    CASE WHEN ABS(difference) <= tolerance THEN NULL ELSE 'amount_mismatch' END AS category,
    payment_id AS reference,
    'ledger' AS left_side,
    payment_id AS left_reference,
    'processor' AS right_side,
    settlement_line_id AS right_reference,
    1 AS right_count,
    ledger_currency AS currency,
    ledger_amount AS left_amount,
    gross_amount AS right_amount,
    difference,
    CASE WHEN ABS(difference) <= tolerance THEN NULL ELSE 'gross_amount' END AS field,
    CASE WHEN ABS(difference) <= tolerance THEN NULL ELSE CAST(ledger_amount AS VARCHAR) END
        AS expected_value,
    CASE WHEN ABS(difference) <= tolerance THEN NULL ELSE CAST(gross_amount AS VARCHAR) END
        AS actual_value,
    origin_day,
    origin_day + {settlement_lag_days} AS due_day,
    GREATEST(origin_day, line_day) AS event_day,
    {settlement_window_days} AS window_days,
    -- Matches are many and say nothing a reader needs beyond their columns: no text.
    CASE
        WHEN ABS(difference) <= tolerance THEN NULL
        ELSE concat(expected_type, ' line ', settlement_line_id, ' reports ', CAST(gross_amount AS VARCHAR),
                    ' ', ledger_currency, ' for payment ', payment_id, ' of ', CAST(ledger_amount AS VARCHAR))
    END AS detail
FROM same_currency
UNION ALL
SELECT
    CASE
        WHEN converted_amount IS NULL THEN 'break'
        WHEN ABS(gross_amount - converted_amount) <= ABS(converted_amount) * {fx_tolerance_percent} / 100
            THEN 'matched'
        ELSE 'break'
    END AS outcome,
    3 AS stage,
    'payment_fx' AS rule_id,
    'one_to_one' AS match_type,
    CASE
        WHEN converted_amount IS NULL THEN 'currency_mismatch'
        WHEN ABS(gross_amount - converted_amount) <= ABS(converted_amount) * {fx_tolerance_percent} / 100
            THEN NULL
        ELSE 'fx_difference'
    END AS category,
    payment_id AS reference,
    'ledger' AS left_side,
    payment_id AS left_reference,
    'processor' AS right_side,
    settlement_line_id AS right_reference,
    1 AS right_count,
    line_currency AS currency,
    converted_amount AS left_amount,
    gross_amount AS right_amount,
    gross_amount - converted_amount AS difference,
    CASE WHEN converted_amount IS NULL THEN 'currency' ELSE 'gross_amount' END AS field,
    CASE
        WHEN converted_amount IS NULL THEN ledger_currency
        ELSE CAST(converted_amount AS VARCHAR)
    END AS expected_value,
    CASE
        WHEN converted_amount IS NULL THEN line_currency
        ELSE CAST(gross_amount AS VARCHAR)
    END AS actual_value,
    origin_day,
    origin_day + {settlement_lag_days} AS due_day,
    GREATEST(origin_day, line_day) AS event_day,
    {settlement_window_days} AS window_days,
    concat(expected_type, ' line ', settlement_line_id, ' reports ', CAST(gross_amount AS VARCHAR),
           ' ', line_currency, ' for payment ', payment_id, ' of ', CAST(ledger_amount AS VARCHAR),
           ' ', ledger_currency) AS detail
FROM cross_currency
UNION ALL
SELECT
    'open' AS outcome,
    1 AS stage,
    'payment_exact' AS rule_id,
    'one_to_one' AS match_type,
    'missing_in_processor' AS category,
    payment_id AS reference,
    'ledger' AS left_side,
    payment_id AS left_reference,
    'processor' AS right_side,
    CAST(NULL AS VARCHAR) AS right_reference,
    0 AS right_count,
    ledger_currency AS currency,
    ledger_amount AS left_amount,
    CAST(NULL AS DECIMAL(18, 2)) AS right_amount,
    CAST(NULL AS DECIMAL(18, 2)) AS difference,
    'psp_reference' AS field,
    payment_id AS expected_value,
    CAST(NULL AS VARCHAR) AS actual_value,
    origin_day,
    origin_day + {settlement_lag_days} AS due_day,
    CAST(NULL AS BIGINT) AS event_day,
    {settlement_window_days} AS window_days,
    concat('no ', expected_type, ' line reports payment ', payment_id, ' of ',
           CAST(ledger_amount AS VARCHAR), ' ', ledger_currency) AS detail
FROM recon_pairs
WHERE settlement_line_id IS NULL
UNION ALL
SELECT
    'open' AS outcome,
    1 AS stage,
    'payment_exact' AS rule_id,
    'one_to_one' AS match_type,
    'missing_in_ledger' AS category,
    psp_reference AS reference,
    'ledger' AS left_side,
    CAST(NULL AS VARCHAR) AS left_reference,
    'processor' AS right_side,
    settlement_line_id AS right_reference,
    1 AS right_count,
    line_currency AS currency,
    CAST(NULL AS DECIMAL(18, 2)) AS left_amount,
    gross_amount AS right_amount,
    CAST(NULL AS DECIMAL(18, 2)) AS difference,
    'psp_reference' AS field,
    CAST(NULL AS VARCHAR) AS expected_value,
    psp_reference AS actual_value,
    line_day AS origin_day,
    line_day AS due_day,
    CAST(NULL AS BIGINT) AS event_day,
    {settlement_window_days} AS window_days,
    concat(line_type, ' line ', settlement_line_id, ' names payment ', psp_reference,
           ', which the ledger does not hold') AS detail
FROM recon_pairs
WHERE payment_id IS NULL
UNION ALL
SELECT
    'break' AS outcome,
    1 AS stage,
    'payment_exact' AS rule_id,
    'one_to_one' AS match_type,
    'duplicate' AS category,
    l.psp_reference AS reference,
    'ledger' AS left_side,
    l.payment_id AS left_reference,
    'processor' AS right_side,
    l.settlement_line_id AS right_reference,
    CAST(l.occurrence AS BIGINT) AS right_count,
    l.currency,
    l.ledger_amount AS left_amount,
    l.gross_amount AS right_amount,
    l.gross_amount AS difference,
    'psp_reference' AS field,
    CAST(NULL AS VARCHAR) AS expected_value,
    l.psp_reference AS actual_value,
    COALESCE(l.origin_day, l.line_day) AS origin_day,
    l.line_day AS due_day,
    l.line_day AS event_day,
    {settlement_window_days} AS window_days,
    concat(l.record_type, ' line ', l.settlement_line_id, ' reports payment ', l.psp_reference,
           ' again (occurrence ', CAST(l.occurrence AS VARCHAR), ')') AS detail
FROM recon_repeated_lines AS l
UNION ALL
SELECT
    'break' AS outcome,
    1 AS stage,
    'fee_contract' AS rule_id,
    'one_to_one' AS match_type,
    'fee_variance' AS category,
    payment_id AS reference,
    'ledger' AS left_side,
    payment_id AS left_reference,
    'processor' AS right_side,
    settlement_line_id AS right_reference,
    1 AS right_count,
    currency,
    CAST(expected_fees AS DECIMAL(18, 2)) AS left_amount,
    fees AS right_amount,
    CAST(fees - expected_fees AS DECIMAL(18, 2)) AS difference,
    'fees' AS field,
    CAST(CAST(expected_fees AS DECIMAL(18, 2)) AS VARCHAR) AS expected_value,
    CAST(fees AS VARCHAR) AS actual_value,
    origin_day,
    origin_day + {settlement_lag_days} AS due_day,
    line_day AS event_day,
    {settlement_window_days} AS window_days,
    concat('Settled line ', settlement_line_id, ' charges fees of ', CAST(fees AS VARCHAR),
           ' where the contract gives ', CAST(CAST(expected_fees AS DECIMAL(18, 2)) AS VARCHAR)) AS detail
FROM (
    SELECT
        payment_id,
        settlement_line_id,
        line_currency AS currency,
        fees,
        gross_amount * ({interchange_bps} + {scheme_fee_bps} + {markup_bps}) / 10000
            + {commission} AS expected_fees,
        origin_day,
        line_day
    FROM recon_pairs
    WHERE payment_id IS NOT NULL AND line_type = 'Settled'
) AS settled
WHERE ABS(fees - expected_fees) > {fee_tolerance}

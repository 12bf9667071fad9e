-- The breaks open at the end of the latest reconciled business date (or of one break, when
-- `break_id` is a text literal rather than NULL), with the amount a person would write off in
-- its currency and in USD at the rate of that date (NULL without a rate).
-- Parameters: break_id.
WITH latest AS (
    SELECT MAX(business_date) AS business_date FROM gold.recon_breaks
)
SELECT b.break_id, b.category, b.reference, b.left_side, b.left_reference, b.right_side,
    b.right_reference, b.currency, b.left_amount, b.right_amount, b.difference, b.field,
    b.expected_value, b.actual_value, b.rule_id, b.origin_date, b.age_days, b.status, b.detail,
    b.business_date,
    CAST(ABS(COALESCE(b.difference, b.left_amount, b.right_amount)) AS DECIMAL(18, 2)) AS amount,
    CAST(ABS(COALESCE(b.difference, b.left_amount, b.right_amount))
         * CASE WHEN b.currency = 'USD' THEN CAST(1 AS DECIMAL(18, 8)) ELSE r.usd_rate END
         AS DECIMAL(18, 2)) AS amount_usd
FROM gold.recon_breaks AS b
JOIN latest AS l ON b.business_date = l.business_date
LEFT JOIN silver.fx_rates AS r ON r.currency = b.currency AND r.rate_date = b.business_date
WHERE b.status IN ('open', 'write_off_due')
  AND ({{ break_id }} IS NULL OR b.break_id = {{ break_id }})
ORDER BY b.age_days DESC, b.break_id

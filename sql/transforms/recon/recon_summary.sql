-- gold.recon_summary for one business date, per currency: what was matched on the date (payments
-- to their lines; payouts to the bank), what is
-- still in flight (not yet due), and the breaks open at its end by kind and age.
-- Reads the date's partitions of gold.recon_matches and gold.recon_breaks, written before it,
-- and the outcomes for what is in flight. Parameters: business_date, as_of_day.
WITH matched AS (
    SELECT
        currency,
        COUNT(*) AS matched_count,
        -- Payments matched to their lines, and payouts matched to the bank's credits; a payout's
        -- match to its batch would count the same money again.
        SUM(CASE WHEN left_side = 'ledger' THEN left_amount ELSE 0 END) AS matched_amount,
        SUM(CASE WHEN right_side = 'bank' THEN left_amount ELSE 0 END) AS paid_out_amount,
        SUM(CASE WHEN days_late > 0 THEN 1 ELSE 0 END) AS late_matched_count,
        SUM(CASE WHEN stage > 1 THEN 1 ELSE 0 END) AS tolerant_matched_count
    FROM gold.recon_matches
    WHERE business_date = DATE '{{ business_date }}'
    GROUP BY currency
),
open_breaks AS (
    SELECT
        currency,
        SUM(CASE WHEN status IN ('open', 'write_off_due') AND category <> 'timing_pending' THEN 1 ELSE 0 END) AS break_count,
        SUM(CASE WHEN status IN ('open', 'write_off_due') AND category <> 'timing_pending'
                 THEN ABS(COALESCE(difference, left_amount, right_amount)) ELSE 0 END) AS break_amount,
        SUM(CASE WHEN category = 'timing_pending' THEN 1 ELSE 0 END) AS timing_pending_count,
        SUM(CASE WHEN status = 'written_off' THEN 1 ELSE 0 END) AS written_off_count,
        MAX(age_days) AS oldest_break_days
    FROM gold.recon_breaks
    WHERE business_date = DATE '{{ business_date }}'
    GROUP BY currency
),
in_flight AS (
    SELECT currency, COUNT(*) AS in_flight_count, SUM(COALESCE(left_amount, right_amount)) AS in_flight_amount
    FROM recon_outcomes
    WHERE outcome = 'open' AND due_day > {{ as_of_day }}
    GROUP BY currency
),
currencies AS (
    SELECT currency FROM matched
    UNION
    SELECT currency FROM open_breaks
    UNION
    SELECT currency FROM in_flight
)
SELECT
    c.currency,
    CAST(COALESCE(m.matched_count, 0) AS BIGINT) AS matched_count,
    CAST(COALESCE(m.matched_amount, 0) AS DECIMAL(18, 2)) AS matched_amount,
    CAST(COALESCE(m.paid_out_amount, 0) AS DECIMAL(18, 2)) AS paid_out_amount,
    CAST(COALESCE(m.late_matched_count, 0) AS BIGINT) AS late_matched_count,
    CAST(COALESCE(m.tolerant_matched_count, 0) AS BIGINT) AS tolerant_matched_count,
    CAST(COALESCE(b.break_count, 0) AS BIGINT) AS open_break_count,
    CAST(COALESCE(b.break_amount, 0) AS DECIMAL(18, 2)) AS open_break_amount,
    CAST(COALESCE(b.timing_pending_count, 0) AS BIGINT) AS timing_pending_count,
    CAST(COALESCE(b.written_off_count, 0) AS BIGINT) AS written_off_count,
    CAST(b.oldest_break_days AS BIGINT) AS oldest_break_days,
    CAST(COALESCE(f.in_flight_count, 0) AS BIGINT) AS in_flight_count,
    CAST(COALESCE(f.in_flight_amount, 0) AS DECIMAL(18, 2)) AS in_flight_amount,
    DATE '{{ business_date }}' AS business_date
FROM currencies AS c
LEFT JOIN matched AS m ON m.currency = c.currency
LEFT JOIN open_breaks AS b ON b.currency = c.currency
LEFT JOIN in_flight AS f ON f.currency = c.currency
WHERE c.currency IS NOT NULL
ORDER BY c.currency

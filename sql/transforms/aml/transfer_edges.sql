-- Edges of the transfer graph the path searches share (cycle, scatter_gather): payments out
-- of USD {{ min_amount_usd }} or more from the {{ window_days }} days before the run's first date to
-- its last date.
SELECT
    transaction_id,
    account_id AS from_account,
    counterparty_account_id AS to_account,
    customer_id AS from_customer,
    amount_usd,
    created_at,
    day_number
FROM aml_movements
WHERE transaction_type = 'transfer_out'
  AND counterparty_account_id IS NOT NULL
  AND amount_usd >= {{ min_amount_usd }}
  AND day_number > {{ from_day }} - {{ window_days }}
  AND day_number <= {{ to_day }}

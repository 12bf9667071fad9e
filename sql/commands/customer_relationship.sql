-- Where a customer's relationship stands, for an erasure request: whether the customer is known,
-- how many accounts are still open, and the last moment the relationship left a record (an
-- account closed, money moved, a card paid). Retention runs from that moment.
SELECT
  (SELECT count(*) FROM silver.customers_history WHERE customer_id = {{ customer }}) AS customer_versions,
  (SELECT count(*) FROM silver.accounts WHERE customer_id = {{ customer }}) AS accounts,
  (SELECT count(*) FROM silver.accounts
    WHERE customer_id = {{ customer }} AND status <> 'closed') AS open_accounts,
  (SELECT max(updated_at) FROM silver.accounts
    WHERE customer_id = {{ customer }} AND status = 'closed') AS last_closed_at,
  (SELECT max(created_at) FROM silver.transactions WHERE customer_id = {{ customer }}) AS last_transaction_at,
  (SELECT max(created_at) FROM silver.payments WHERE customer_id = {{ customer }}) AS last_payment_at,
  (SELECT max(valid_from) FROM silver.customers_history WHERE customer_id = {{ customer }}) AS last_profile_change_at

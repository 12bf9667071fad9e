-- Where each customer's relationship stands, for erasure: how many accounts are still open,
-- the last moment the relationship left a record (an account closed, money moved, a card paid,
-- the profile changed; retention runs from the latest), and whether silver still holds the
-- customer's personal data, and the name others' free text may mention the customer by. One
-- customer when `customer` is given, else every customer.
WITH profiles AS (
  SELECT customer_id, max(valid_from) AS last_profile_change_at
  FROM silver.customers_history
  {% if customer %}WHERE customer_id = {{ customer }}{% endif %}
  GROUP BY customer_id
),
accounts AS (
  SELECT customer_id,
         count(*) FILTER (WHERE status <> 'closed') AS open_accounts,
         max(CASE WHEN status = 'closed' THEN updated_at END) AS last_closed_at
  FROM silver.accounts
  GROUP BY customer_id
),
movements AS (
  SELECT customer_id, max(created_at) AS last_transaction_at
  FROM silver.transactions
  GROUP BY customer_id
),
card_payments AS (
  SELECT customer_id, max(created_at) AS last_payment_at
  FROM silver.payments
  GROUP BY customer_id
),
names AS (
  SELECT customer_id, max(full_name) AS full_name
  FROM silver.customers
  GROUP BY customer_id
),
personal AS (
  SELECT DISTINCT customer_id
  FROM silver.customers
  WHERE {% for column in personal_columns %}{{ column }} IS NOT NULL{% if not loop.last %} OR {% endif %}{% endfor %}
)
SELECT p.customer_id,
       coalesce(a.open_accounts, 0) AS open_accounts,
       a.last_closed_at,
       m.last_transaction_at,
       c.last_payment_at,
       p.last_profile_change_at,
       h.customer_id IS NOT NULL AS holds_personal_data,
       n.full_name
FROM profiles p
LEFT JOIN accounts a ON a.customer_id = p.customer_id
LEFT JOIN movements m ON m.customer_id = p.customer_id
LEFT JOIN card_payments c ON c.customer_id = p.customer_id
LEFT JOIN personal h ON h.customer_id = p.customer_id
LEFT JOIN names n ON n.customer_id = p.customer_id
ORDER BY p.customer_id

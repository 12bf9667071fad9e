-- The parties screened: every customer with a name.
SELECT customer_id, full_name FROM silver.customers WHERE full_name IS NOT NULL

-- gold.ctr_candidates: Currency Transaction Report candidates: a customer's cash in or cash out of one business day, all channels, over USD 10,000 (31 CFR 1010.311, 1010.313). A customer with an approved CTR exemption in force keeps its candidates with the exemption's reason (`exemption`); they are not filed.
-- Owner: compliance. Key: business_date, customer_id, direction. Personal data: customer_name.
-- Generated from the table registry by `paylake catalog sql-files`; do not edit.
CREATE TABLE IF NOT EXISTS gold.ctr_candidates (
  customer_id VARCHAR(65535),
  customer_name VARCHAR(65535),
  direction VARCHAR(65535),
  total_amount_usd DECIMAL(18,2),
  transaction_count BIGINT,
  channels SUPER,
  transaction_ids SUPER,
  exemption VARCHAR(65535),
  business_date DATE
)
DISTSTYLE KEY
DISTKEY (customer_id)
COMPOUND SORTKEY (business_date, customer_id, direction);

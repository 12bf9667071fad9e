-- gold.customer_risk: Each customer's risk on a business date: KYC factors (country, business type, PEP), alert history and sanctions hits, each factor's points shown, their sum and rating.
-- Owner: compliance. Key: business_date, customer_id. Personal data: none.
-- Generated from the table registry by `paylake catalog sql-files`; do not edit.
CREATE TABLE IF NOT EXISTS gold.customer_risk (
  customer_id VARCHAR(65535),
  customer_type VARCHAR(65535),
  country VARCHAR(65535),
  country_points BIGINT,
  business_type_points BIGINT,
  pep_points BIGINT,
  alert_points BIGINT,
  sanctions_points BIGINT,
  risk_score BIGINT,
  risk_rating VARCHAR(65535),
  explanation VARCHAR(65535),
  business_date DATE
)
DISTSTYLE KEY
DISTKEY (customer_id)
COMPOUND SORTKEY (business_date, customer_id);

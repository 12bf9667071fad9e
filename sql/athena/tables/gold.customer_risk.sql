-- gold.customer_risk: Each customer's risk on a business date: KYC factors (country, business type, PEP), alert history and sanctions hits, each factor's points shown, their sum and rating.
-- Owner: compliance. Key: business_date, customer_id. Personal data: none.
-- Generated from the table registry by `paylake catalog sql-files`; do not edit.
-- Athena reads the columns and the partitions from the Delta log:
--   customer_id string
--   customer_type string
--   country string
--   country_points bigint
--   business_type_points bigint
--   pep_points bigint
--   alert_points bigint
--   sanctions_points bigint
--   risk_score bigint
--   risk_rating string
--   explanation string
--   business_date date
CREATE EXTERNAL TABLE gold.customer_risk
LOCATION '${lake}/gold/customer_risk/'
TBLPROPERTIES ('table_type' = 'DELTA');

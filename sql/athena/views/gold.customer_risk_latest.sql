-- gold.customer_risk: Each customer's risk on a business date: KYC factors (country, business type, PEP), alert history and sanctions hits, each factor's points shown, their sum and rating.
-- Owner: compliance. Key: business_date, customer_id. Personal data: none.
-- Generated from the table registry by `paylake catalog sql-files`; do not edit.
-- The rows of the latest business date the table holds.
CREATE OR REPLACE VIEW gold.customer_risk_latest AS
SELECT *
FROM gold.customer_risk
WHERE business_date = (SELECT max(business_date) FROM gold.customer_risk);

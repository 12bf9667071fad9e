-- gold.cost_by_tag: Cloud cost of a billing day per tag key and value and service.
-- Owner: finance. Key: business_date, tag_key, tag_value, service_name. Personal data: none.
-- Generated from the table registry by `paylake catalog sql-files`; do not edit.
-- The rows of the latest business date the table holds.
CREATE OR REPLACE VIEW gold.cost_by_tag_latest AS
SELECT *
FROM gold.cost_by_tag
WHERE business_date = (SELECT max(business_date) FROM gold.cost_by_tag);

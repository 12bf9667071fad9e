-- gold.cost_by_tag: Cloud cost of a billing day per tag key and value and service.
-- Owner: finance. Key: business_date, tag_key, tag_value, service_name. Personal data: none.
-- Generated from the table registry by `paylake catalog sql-files`; do not edit.
CREATE TABLE IF NOT EXISTS gold.cost_by_tag (
  tag_key VARCHAR(65535),
  tag_value VARCHAR(65535),
  service_name VARCHAR(65535),
  billed_cost DECIMAL(38,12),
  effective_cost DECIMAL(38,12),
  line_count BIGINT,
  business_date DATE
)
DISTSTYLE EVEN
COMPOUND SORTKEY (business_date, tag_key, tag_value);

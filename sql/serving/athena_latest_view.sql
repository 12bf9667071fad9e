{%- import "serving/table_header.sql" as file -%}
{{ file.header(table) }}-- The rows of the latest business date the table holds.
CREATE OR REPLACE VIEW {{ database }}.{{ table.name }}_latest AS
SELECT *
FROM {{ database }}.{{ table.name }}
WHERE business_date = (SELECT max(business_date) FROM {{ database }}.{{ table.name }});

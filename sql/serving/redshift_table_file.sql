{%- import "serving/table_header.sql" as file -%}
{{ file.header(table) }}{% include "serving/redshift_table.sql" %};

{%- import "serving/table_header.sql" as file -%}
{{ file.header(table, note="-- Loads one business date, as one transaction (BatchExecuteStatement).\n") }}{% include "serving/redshift_load.sql" %}

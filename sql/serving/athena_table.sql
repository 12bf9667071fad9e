{%- import "serving/table_header.sql" as file -%}
{{ file.header(table) }}-- Athena reads the columns and the partitions from the Delta log:
{% for column in table.columns %}--   {{ column.name }} {{ column.glue_type }}
{% endfor %}CREATE EXTERNAL TABLE {{ database }}.{{ table.name }}
LOCATION '{{ lake_root }}/{{ table.zone }}/{{ table.name }}/'
TBLPROPERTIES ('table_type' = 'DELTA');

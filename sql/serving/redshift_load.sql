{#- One business date of a gold table, one transaction: COPY the date's live Parquet files
    (listed in a manifest) into staging, MERGE into the target, delete the date's rows the lake
    no longer holds. The files carry no partition column (Delta keeps it in the path), so
    staging adds it. One statement per `;` at a line's end. -#}
{% macro each(columns, template, separator) %}{% for column in columns %}{% if not loop.first %}{{ separator }}{% endif %}{{ template|replace("?", column) }}{% endfor %}{% endmacro -%}
CREATE TEMP TABLE stage_files_{{ table.name }} (
{% for column in table.file_columns %}  {{ column.name }} {{ column.redshift_type }}{% if not loop.last %},{% endif %}
{% endfor %});
COPY stage_files_{{ table.name }} FROM '{{ manifest_url }}' IAM_ROLE '{{ iam_role }}' FORMAT AS PARQUET{% if table.nested %} SERIALIZETOJSON{% endif %} MANIFEST;
CREATE TEMP TABLE stage_{{ table.name }} AS SELECT *, CAST('{{ business_date }}' AS DATE) AS business_date FROM stage_files_{{ table.name }};
MERGE INTO {{ table.qualified_name }} AS t USING stage_{{ table.name }} AS s ON {{ each(table.match_columns, "t.? = s.?", " AND ") }}
WHEN MATCHED THEN UPDATE SET {{ each(table.update_columns, "? = s.?", ", ") }}
WHEN NOT MATCHED THEN INSERT ({{ table.column_names|join(", ") }}) VALUES ({{ each(table.column_names, "s.?", ", ") }});
DELETE FROM {{ table.qualified_name }} WHERE business_date = CAST('{{ business_date }}' AS DATE) AND NOT EXISTS (SELECT 1 FROM stage_{{ table.name }} AS s WHERE {{ each(table.match_columns, "s.? = " ~ table.qualified_name ~ ".?", " AND ") }});

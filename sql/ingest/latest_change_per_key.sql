-- The changes of one ingest batch (registered as `bronze`) that reach silver's MERGE: of many
-- changes of one key, only the last.
{% import "ingest/columns.sql" as columns -%}
SELECT {{ columns.quoted(columns_of_silver) }}, "{{ op }}"
FROM (
    SELECT *,
           row_number() OVER (PARTITION BY {{ columns.quoted(key) }} ORDER BY "{{ order }}" DESC) AS _change_rank
    FROM bronze
) AS ranked
WHERE _change_rank = 1

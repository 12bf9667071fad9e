-- The history of an entity rebuilt from its bronze changes (registered as `bronze`): one row per
-- change (a change delivered twice counts once), each valid until the next change of its key.
{% import "ingest/columns.sql" as columns -%}
WITH changes AS (
    SELECT *,
           row_number() OVER (PARTITION BY "{{ key }}", "{{ order }}" ORDER BY "{{ order }}") AS _copy
    FROM bronze
),
versions AS (
    SELECT {{ columns.quoted(business_columns) }},
           COALESCE("{{ commit_time }}", "{{ ingest_time }}") AS "{{ valid_from }}",
           LEAD(COALESCE("{{ commit_time }}", "{{ ingest_time }}")) OVER (PARTITION BY "{{ key }}" ORDER BY "{{ order }}") AS "{{ valid_to }}",
           "{{ op }}" = 'D' AS "{{ is_deleted }}",
           "{{ order }}"
    FROM changes
    WHERE _copy = 1
)
SELECT {{ columns.quoted(business_columns) }}, "{{ valid_from }}", "{{ valid_to }}",
       "{{ valid_to }}" IS NULL AND NOT "{{ is_deleted }}" AS "{{ is_current }}",
       "{{ is_deleted }}", "{{ order }}"
FROM versions

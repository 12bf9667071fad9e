-- The changes of one ingest batch (registered as `bronze`) that reach silver's MERGE: of many
-- changes of one key, only the last in source order.
--
-- A stream may deliver one change twice, with the same order; landing file and position,
-- unique in bronze, tell the copies apart. `_change_id` sorts as the tuple (order, file,
-- position), since no part holds the character 0 that separates them.
--
-- Each key's greatest change id is found by grouping and its change by a join: a window
-- ranking the changes would sort every column of every change, the join sorts nothing.
--
-- A silver table partitioned by month gets each change's partition from its creation time;
-- a delete that carries only its key has none.
{% import "ingest/columns.sql" as columns -%}
WITH changes AS (
    SELECT *,
           concat("{{ order }}", chr(0), "{{ file }}", chr(0),
                  lpad(CAST("{{ position }}" AS VARCHAR), 20, '0')) AS _change_id
    FROM bronze
)
SELECT {% for name in columns_of_silver -%}
       {% if name == month %}CAST(date_trunc('month', change."{{ month_of }}") AS DATE) AS "{{ name }}"
       {%- else %}change."{{ name }}"{% endif %}, {% endfor %}change."{{ op }}"
FROM (
    SELECT {{ columns.quoted(key) }}, max(_change_id) AS _latest_change_id
    FROM changes
    GROUP BY {{ columns.quoted(key) }}
) AS latest
JOIN changes AS change
  ON {% for name in key %}change."{{ name }}" = latest."{{ name }}" AND {% endfor %}change._change_id = latest._latest_change_id

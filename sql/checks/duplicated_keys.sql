-- Check unique_key: how many values of a table's key occur more than once. The relation and
-- its key's columns are identifiers from the registry.
SELECT CAST(count(*) AS BIGINT)
FROM (
    SELECT {{ key | join(", ") }}
    FROM {{ relation }}
    GROUP BY {{ key | join(", ") }}
    HAVING count(*) > 1
)

-- The rows of one table of the registry.
SELECT count(*) AS row_count FROM {{ relation }}

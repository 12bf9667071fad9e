-- The least and greatest value of the first key column among the rows written since a table's
-- key last checked unique ({{ changed }}).
SELECT min({{ key | first }}), max({{ key | first }})
FROM {{ changed }}

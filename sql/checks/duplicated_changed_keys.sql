-- Check unique_key over what changed: how many values of a table's key, among those of the rows
-- written since it last checked unique ({{ changed }}), occur more than once in the table.
-- $1 and $2 are the least and greatest first key column of those rows (changed_key_range.sql):
-- a literal range lets the scan skip the table's files whose statistics lie outside it.
SELECT CAST(count(*) AS BIGINT)
FROM (
    SELECT {% for column in key %}whole.{{ column }}{% if not loop.last %}, {% endif %}{% endfor %}
    FROM {{ relation }} AS whole
    WHERE whole.{{ key | first }} BETWEEN $1 AND $2
      AND EXISTS (
          SELECT 1
          FROM {{ changed }} AS changed
          WHERE {% for column in key %}changed.{{ column }} = whole.{{ column }}{% if not loop.last %} AND {% endif %}{% endfor %}
      )
    GROUP BY {% for column in key %}whole.{{ column }}{% if not loop.last %}, {% endif %}{% endfor %}
    HAVING count(*) > 1
) AS duplicated

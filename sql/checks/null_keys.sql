-- Check key_not_null: how many rows have a null in a column of the table's key.
SELECT CAST(count(*) AS BIGINT)
FROM {{ relation }}
WHERE {% for column in key %}{{ column }} IS NULL{% if not loop.last %} OR {% endif %}{% endfor %}

CREATE TABLE IF NOT EXISTS {{ table.qualified_name }} (
{% for column in table.columns %}  {{ column.name }} {{ column.redshift_type }}{% if column.not_null %} NOT NULL{% endif %}{% if not loop.last %},{% endif %}
{% endfor %})
{% if table.distribution_key %}DISTSTYLE KEY
DISTKEY ({{ table.distribution_key }}){% else %}DISTSTYLE EVEN{% endif %}
COMPOUND SORTKEY ({{ table.sort_key|join(", ") }})

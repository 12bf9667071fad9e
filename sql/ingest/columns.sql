{#- Column lists of the ingest statements; the names come from the registry. -#}
{% macro quoted(names) -%}
{% for name in names %}{% if not loop.first %}, {% endif %}"{{ name }}"{% endfor %}
{%- endmacro %}

{#- The comment every generated file of a served table starts with. -#}
{% macro header(table, note="") -%}
-- {{ table.qualified_name }}: {{ table.description }}
-- Owner: {{ table.owner }}. Key: {{ table.key|join(", ") }}. Personal data: {% if table.personal_data %}{{ table.personal_data|join(", ") }}{% else %}none{% endif %}.
{{ note }}-- Generated from the table registry by `paylake catalog sql-files`; do not edit.
{% endmacro %}

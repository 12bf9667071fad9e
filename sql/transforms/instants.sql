{#- Bounds on a time column as literals a scan can prune with: silver's month partitions and
    its files' statistics are of the column itself, not of a business date computed from it.
    `created_from` and `created_before` are the parameters every date's template receives: the
    instants that can fall on its dates in any time zone, with a day to spare each side. -#}
{% macro utc(text) -%}
arrow_cast('{{ text }}', 'Timestamp(Microsecond, Some("UTC"))')
{%- endmacro %}
{% macro within(column, from, before) -%}
{{ column }} >= {{ utc(from) }} AND {{ column }} < {{ utc(before) }}
{%- endmacro %}

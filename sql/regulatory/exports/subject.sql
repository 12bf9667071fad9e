{#- The columns of a filing's subject from silver.customers, aliased `k` by the query that
    imports them. -#}
{% macro columns() -%}
k.customer_id AS known_customer, k.customer_type, k.full_name,
    CAST(k.date_of_birth AS VARCHAR) AS date_of_birth, k.address, k.country, k.phone,
    COALESCE(k.occupation, k.industry) AS occupation
{%- endmacro %}

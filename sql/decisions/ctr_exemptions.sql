{#- The customers exempt from CTRs on `business_date`, for the queries that import it: an
    exemption a second officer approved, in force from the date its FinCEN Form 110 was filed
    until the date a revocation ends it, with the reason the CTR candidates keep. -#}
{% macro in_force(business_date) -%}
(
    SELECT a.customer_id,
        MIN(concat(a.phase, ' exemption ', a.exemption_id, ' (', a.basis, '), FinCEN 110 filed ',
                   CAST(a.fincen_110_date AS VARCHAR), ', approved by ', a.actor)) AS reason
    FROM decisions.exemption_events AS a
    LEFT JOIN decisions.exemption_events AS r
      ON r.exemption_id = a.exemption_id AND r.action = 'revoke'
    WHERE a.action = 'approve'
      AND a.fincen_110_date <= DATE '{{ business_date }}'
      AND (r.effective_to IS NULL OR r.effective_to > DATE '{{ business_date }}')
    GROUP BY a.customer_id
)
{%- endmacro %}

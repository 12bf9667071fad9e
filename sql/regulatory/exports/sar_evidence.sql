-- The transactions behind each SAR case of a package, by record key.
-- Parameters: kind, base_id, cutoff.
{% import "regulatory/exports/sar_cases.sql" as sar -%}
WITH {{ sar.ctes() }}
SELECT case_id AS record_key, transaction_id
FROM case_evidence

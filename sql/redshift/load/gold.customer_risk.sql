-- gold.customer_risk: Each customer's risk on a business date: KYC factors (country, business type, PEP), alert history and sanctions hits, each factor's points shown, their sum and rating.
-- Owner: compliance. Key: business_date, customer_id. Personal data: none.
-- Loads one business date, as one transaction (BatchExecuteStatement).
-- Generated from the table registry by `paylake catalog sql-files`; do not edit.
CREATE TEMP TABLE stage_files_customer_risk (
  customer_id VARCHAR(65535),
  customer_type VARCHAR(65535),
  country VARCHAR(65535),
  country_points BIGINT,
  business_type_points BIGINT,
  pep_points BIGINT,
  alert_points BIGINT,
  sanctions_points BIGINT,
  risk_score BIGINT,
  risk_rating VARCHAR(65535),
  explanation VARCHAR(65535)
);
COPY stage_files_customer_risk FROM '${manifest}' IAM_ROLE '${iam_role}' FORMAT AS PARQUET MANIFEST;
CREATE TEMP TABLE stage_customer_risk AS SELECT *, CAST('${business_date}' AS DATE) AS business_date FROM stage_files_customer_risk;
MERGE INTO gold.customer_risk AS t USING stage_customer_risk AS s ON t.business_date = s.business_date AND t.customer_id = s.customer_id
WHEN MATCHED THEN UPDATE SET customer_type = s.customer_type, country = s.country, country_points = s.country_points, business_type_points = s.business_type_points, pep_points = s.pep_points, alert_points = s.alert_points, sanctions_points = s.sanctions_points, risk_score = s.risk_score, risk_rating = s.risk_rating, explanation = s.explanation
WHEN NOT MATCHED THEN INSERT (customer_id, customer_type, country, country_points, business_type_points, pep_points, alert_points, sanctions_points, risk_score, risk_rating, explanation, business_date) VALUES (s.customer_id, s.customer_type, s.country, s.country_points, s.business_type_points, s.pep_points, s.alert_points, s.sanctions_points, s.risk_score, s.risk_rating, s.explanation, s.business_date);
DELETE FROM gold.customer_risk WHERE business_date = CAST('${business_date}' AS DATE) AND NOT EXISTS (SELECT 1 FROM stage_customer_risk AS s WHERE s.business_date = gold.customer_risk.business_date AND s.customer_id = gold.customer_risk.customer_id);

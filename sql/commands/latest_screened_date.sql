-- The latest business date screened: the one a new sanctions publication is screened for at once.
SELECT MAX(business_date) AS business_date FROM gold.sanctions_hits

-- gold.recon_matches: Matches of the three-way reconciliation completed on the business date: payment to settlement line, payout to its batch, payout to bank credit, each with the rule and stage that made it (exact, tolerant, FX, or `manual`: a break a person matched by hand, with the decision's id) and how late it came.
-- Owner: finance. Key: business_date, match_id. Personal data: none.
-- Generated from the table registry by `paylake catalog sql-files`; do not edit.
-- Athena reads the columns and the partitions from the Delta log:
--   match_id string
--   stage bigint
--   rule_id string
--   match_type string
--   reference string
--   left_side string
--   left_reference string
--   right_side string
--   right_reference string
--   right_count bigint
--   currency string
--   left_amount decimal(18,2)
--   right_amount decimal(18,2)
--   difference decimal(18,2)
--   origin_date date
--   days_late bigint
--   detail string
--   decision_id string
--   rules_version string
--   business_date date
CREATE EXTERNAL TABLE gold.recon_matches
LOCATION '${lake}/gold/recon_matches/'
TBLPROPERTIES ('table_type' = 'DELTA');

-- gold.recon_matches: Matches of the three-way reconciliation completed on the business date: payment to settlement line, payout to its batch, payout to bank credit, each with the rule and stage that made it (exact, tolerant, FX, or `manual`: a break a person matched by hand, with the decision's id) and how late it came.
-- Owner: finance. Key: business_date, match_id. Personal data: none.
-- Generated from the table registry by `paylake catalog sql-files`; do not edit.
CREATE TABLE IF NOT EXISTS gold.recon_matches (
  match_id VARCHAR(65535) NOT NULL,
  stage BIGINT,
  rule_id VARCHAR(65535) NOT NULL,
  match_type VARCHAR(65535),
  reference VARCHAR(65535),
  left_side VARCHAR(65535),
  left_reference VARCHAR(65535),
  right_side VARCHAR(65535),
  right_reference VARCHAR(65535),
  right_count BIGINT,
  currency VARCHAR(65535),
  left_amount DECIMAL(18,2),
  right_amount DECIMAL(18,2),
  difference DECIMAL(18,2),
  origin_date DATE,
  days_late BIGINT,
  detail VARCHAR(65535),
  decision_id VARCHAR(65535),
  rules_version VARCHAR(65535),
  business_date DATE
)
DISTSTYLE EVEN
COMPOUND SORTKEY (business_date, match_id);

-- The breaks open on the latest business date each table holds.
CREATE OR REPLACE VIEW gold.recon_breaks_open AS
SELECT *
FROM gold.recon_breaks
WHERE business_date = (SELECT max(business_date) FROM gold.recon_breaks);

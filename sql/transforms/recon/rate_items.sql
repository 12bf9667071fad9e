-- recon_rates: the daily rate of one unit of each currency in USD, by day number.
-- `date_day` as in ledger_items.sql.
SELECT currency, date_day(rate_date) AS rate_day, usd_rate
FROM silver.fx_rates

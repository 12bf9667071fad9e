-- The version of the list in force: the landing file its entries were loaded from.
SELECT MAX(_source_file) FROM silver.sanctions_entries

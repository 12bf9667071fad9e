-- The latest delivery of a table delivered whole each time: the greatest landing file name
-- (load ids sort by time) among the batch's changes (registered as `bronze`).
SELECT max("{{ file }}") AS latest_file FROM bronze

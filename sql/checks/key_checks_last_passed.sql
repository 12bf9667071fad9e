-- The newest version of each table at which both its key checks passed in one run, among the
-- checks since {{ since }}: where the next key check of the table can start. A key that occurs
-- twice in a later version occurs at least once in a file written after that version.
SELECT asset, CAST(max(table_version) AS BIGINT) AS table_version
FROM (
    SELECT run_id, asset, table_version
    FROM system.asset_checks
    WHERE check_name IN ('unique_key', 'key_not_null')
      AND table_version IS NOT NULL
      AND run_date >= DATE '{{ since }}'
    GROUP BY run_id, asset, table_version
    HAVING bool_and(passed) AND count(*) = 2
) AS passed_in_one_run
GROUP BY asset

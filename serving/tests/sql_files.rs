//! The SQL committed under `sql/` is what the registry generates: a table added or changed in
//! the registry without `paylake catalog sql-files` fails here, so the files never drift.

use std::path::Path;

#[test]
fn committed_sql_files_equal_the_generated_ones() {
    let sql = Path::new(env!("CARGO_MANIFEST_DIR")).join("../sql");
    let files = paylake_serving::sql_files::sql_files(|zone| zone.to_string()).unwrap();
    assert!(files.len() > 40, "{} files", files.len());
    for (relative, generated) in files {
        let committed = std::fs::read_to_string(sql.join(&relative))
            .unwrap_or_else(|err| panic!("sql/{relative}: {err}; run `paylake catalog sql-files`"));
        assert_eq!(
            committed, generated,
            "sql/{relative} differs from the registry; run `paylake catalog sql-files`"
        );
    }
}

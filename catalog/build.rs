//! Compiles the SQL files under `sql/` into the crate: `paylake_catalog::sql` serves them, so a
//! release binary carries every query it runs. The `tables.toml` files beside them, the tables
//! a stage's SQL writes, are compiled in for the registry.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let sql_root = manifest_dir.join("../sql");
    println!("cargo:rerun-if-changed={}", sql_root.display());
    let mut files = Vec::new();
    collect(&sql_root, &sql_root, &mut files);
    files.sort();
    let (table_files, sql_files): (Vec<_>, Vec<_>) = files
        .into_iter()
        .partition(|(relative, _)| relative.ends_with("tables.toml"));
    let mut generated = String::new();
    write_static(&mut generated, "COMPILED_SQL", &sql_files);
    write_static(&mut generated, "COMPILED_TABLE_FILES", &table_files);
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets it")).join("sql_files.rs");
    std::fs::write(out, generated).expect("OUT_DIR is writable");
}

fn write_static(generated: &mut String, name: &str, files: &[(String, PathBuf)]) {
    writeln!(generated, "pub(crate) static {name}: &[(&str, &str)] = &[").expect("a string");
    for (relative, absolute) in files {
        writeln!(
            generated,
            "    ({relative:?}, include_str!({:?})),",
            absolute.display().to_string()
        )
        .expect("writing to a string");
    }
    generated.push_str("];\n");
}

fn collect(root: &Path, folder: &Path, files: &mut Vec<(String, PathBuf)>) {
    let entries = std::fs::read_dir(folder).expect("sql/ is readable");
    for entry in entries {
        let path = entry.expect("sql/ entry").path();
        if path.is_dir() {
            collect(root, &path, files);
        } else if path.extension().is_some_and(|extension| extension == "sql")
            || path.file_name().is_some_and(|name| name == "tables.toml")
        {
            let relative = path
                .strip_prefix(root)
                .expect("under sql/")
                .to_string_lossy()
                .replace('\\', "/");
            let absolute = path.canonicalize().expect("an existing file");
            files.push((relative, absolute));
        }
    }
}

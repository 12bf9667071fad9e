//! Compiles the SQL files under `sql/` into the crate: `paylake_catalog::sql` serves them, so a
//! release binary carries every query it runs.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let sql_root = manifest_dir.join("../sql");
    println!("cargo:rerun-if-changed={}", sql_root.display());
    let mut files = Vec::new();
    collect(&sql_root, &sql_root, &mut files);
    files.sort();
    let mut generated = String::from("pub(crate) static COMPILED_SQL: &[(&str, &str)] = &[\n");
    for (relative, absolute) in &files {
        writeln!(
            generated,
            "    ({relative:?}, include_str!({:?})),",
            absolute.display().to_string()
        )
        .expect("writing to a string");
    }
    generated.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets it")).join("sql_files.rs");
    std::fs::write(out, generated).expect("OUT_DIR is writable");
}

fn collect(root: &Path, folder: &Path, files: &mut Vec<(String, PathBuf)>) {
    let entries = std::fs::read_dir(folder).expect("sql/ is readable");
    for entry in entries {
        let path = entry.expect("sql/ entry").path();
        if path.is_dir() {
            collect(root, &path, files);
        } else if path.extension().is_some_and(|extension| extension == "sql") {
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

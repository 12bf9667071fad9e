//! The landing zone: files as producers delivered them, never changed by paylake.

use std::path::{Path, PathBuf};

use crate::error::{IngestError, Result};
use crate::sources::Source;

/// A delivered file, with its path relative to `landing/` (the lineage every record keeps).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct LandingFile {
    pub relative_path: String,
    pub path: PathBuf,
}

/// Every file a source has delivered, in name order (DMS and Firehose names sort by time).
pub fn list_files(landing_dir: &Path, source: Source) -> Result<Vec<LandingFile>> {
    let root = landing_dir.join(source.landing_folder());
    let mut files = Vec::new();
    if root.exists() {
        collect(landing_dir, &root, source, &mut files)?;
    }
    files.sort();
    Ok(files)
}

fn collect(
    landing_dir: &Path,
    folder: &Path,
    source: Source,
    files: &mut Vec<LandingFile>,
) -> Result<()> {
    let entries = std::fs::read_dir(folder).map_err(|source| IngestError::io(folder, source))?;
    for entry in entries {
        let entry = entry.map_err(|source| IngestError::io(folder, source))?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            if !name.starts_with('.') && !name.starts_with('_') {
                collect(landing_dir, &path, source, files)?;
            }
            continue;
        }
        if !source.accepts_file_name(&name) {
            continue;
        }
        let relative_path = path
            .strip_prefix(landing_dir)
            .expect("files are found below the landing folder")
            .components()
            .map(|part| part.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        files.push(LandingFile {
            relative_path,
            path,
        });
    }
    Ok(())
}

//! The landing zone: files as producers delivered them, never changed by paylake.

use std::path::{Path, PathBuf};

use std::sync::Arc;

use deltalake::logstore::object_store::ObjectStoreExt;
use deltalake::ObjectStore;
use futures::TryStreamExt;
use paylake_catalog::Lake;

use crate::error::{IngestError, Result};
use crate::sources::{camt053, cur, focus, ofac, settlement, Source};

/// Where a lake's landing files are: its local folder, or an object store prefix (S3) whose
/// files are fetched into a local cache as they are taken.
pub enum LandingStore {
    Local(PathBuf),
    Remote {
        store: Arc<dyn ObjectStore>,
        cache: tempfile::TempDir,
    },
}

fn store_error(location: &str, err: deltalake::ObjectStoreError) -> IngestError {
    IngestError::Landing(format!("'{location}': {err}"))
}

impl LandingStore {
    pub fn open(lake: &Lake) -> Result<Self> {
        if lake.local_root().is_some() {
            return Ok(LandingStore::Local(lake.landing_dir()?));
        }
        let store = lake.object_store_at(&lake.landing_url())?;
        let cache =
            tempfile::tempdir().map_err(|source| IngestError::io(Path::new("tmp"), source))?;
        Ok(LandingStore::Remote { store, cache })
    }

    /// Every file a source has delivered, in name order; `path` is where it is (or will be,
    /// once fetched) on disk.
    pub async fn list(&self, source: Source) -> Result<Vec<LandingFile>> {
        let (store, cache) = match self {
            LandingStore::Local(dir) => return list_files(dir, source),
            LandingStore::Remote { store, cache } => (store, cache),
        };
        let prefix = deltalake::Path::from(source.landing_folder());
        let objects: Vec<_> = store
            .list(Some(&prefix))
            .try_collect()
            .await
            .map_err(|err| store_error(source.landing_folder(), err))?;
        let mut files: Vec<LandingFile> = objects
            .into_iter()
            .filter_map(|object| {
                let relative_path = object.location.to_string();
                let parts: Vec<&str> = relative_path.split('/').collect();
                let (name, folders) = parts.split_last()?;
                let hidden = folders
                    .iter()
                    .any(|part| part.starts_with('.') || part.starts_with('_'));
                (!hidden && source.accepts_file_name(name)).then(|| LandingFile {
                    path: cache.path().join(&relative_path),
                    relative_path,
                })
            })
            .collect();
        files.sort();
        Ok(files)
    }

    /// Makes a listed file readable at its `path`. A sanctions list file comes with the other
    /// files of its publication, which its reader checks too (`sources::ofac`); a file already
    /// in the cache (fetched with a sibling) is not fetched again: landing files never change.
    pub async fn fetch(&self, file: &LandingFile) -> Result<()> {
        let LandingStore::Remote { store, cache } = self else {
            return Ok(());
        };
        let mut locations = vec![deltalake::Path::from(file.relative_path.as_str())];
        if let Some(folder) = crate::sources::ofac::publication_folder(&file.relative_path) {
            let prefix = deltalake::Path::from(folder);
            let siblings: Vec<_> = store
                .list(Some(&prefix))
                .try_collect()
                .await
                .map_err(|err| store_error(folder, err))?;
            locations.extend(
                siblings
                    .into_iter()
                    .map(|object| object.location)
                    .filter(|location| location.as_ref() != file.relative_path),
            );
        }
        for location in locations {
            let relative_path = location.to_string();
            let path = cache.path().join(&relative_path);
            if path.exists() {
                continue;
            }
            let bytes = store
                .get(&location)
                .await
                .map_err(|err| store_error(&relative_path, err))?
                .bytes()
                .await
                .map_err(|err| store_error(&relative_path, err))?;
            crate::sources::create_parent(&path)?;
            std::fs::write(&path, &bytes).map_err(|source| IngestError::io(&path, source))?;
        }
        Ok(())
    }

    /// Drops a fetched file from the cache once it is taken. A sanctions list file stays until
    /// the cache goes with the run: the files of its publication parsed after it, perhaps at
    /// this moment, check it too.
    pub fn release(&self, file: &LandingFile) {
        if let LandingStore::Remote { .. } = self {
            if crate::sources::ofac::publication_folder(&file.relative_path).is_none() {
                let _ = std::fs::remove_file(&file.path);
            }
        }
    }

    /// Names of the files directly under `folder` (relative to `landing/`).
    pub async fn names_under(&self, folder: &str) -> Result<Vec<String>> {
        match self {
            LandingStore::Local(dir) => {
                let path = dir.join(folder);
                if !path.exists() {
                    return Ok(Vec::new());
                }
                let entries =
                    std::fs::read_dir(&path).map_err(|source| IngestError::io(&path, source))?;
                Ok(entries
                    .flatten()
                    .filter(|entry| entry.path().is_file())
                    .map(|entry| entry.file_name().to_string_lossy().into_owned())
                    .collect())
            }
            LandingStore::Remote { store, .. } => {
                let prefix = deltalake::Path::from(folder);
                let listing = store
                    .list_with_delimiter(Some(&prefix))
                    .await
                    .map_err(|err| store_error(folder, err))?;
                Ok(listing
                    .objects
                    .into_iter()
                    .filter_map(|object| object.location.filename().map(str::to_string))
                    .collect())
            }
        }
    }

    /// The bytes of the file at `relative_path`.
    pub async fn read_file(&self, relative_path: &str) -> Result<Vec<u8>> {
        match self {
            LandingStore::Local(dir) => {
                let path = dir.join(relative_path);
                std::fs::read(&path).map_err(|source| IngestError::io(&path, source))
            }
            LandingStore::Remote { store, .. } => {
                let location = deltalake::Path::from(relative_path);
                let object = store
                    .get(&location)
                    .await
                    .map_err(|err| store_error(relative_path, err))?;
                let bytes = object
                    .bytes()
                    .await
                    .map_err(|err| store_error(relative_path, err))?;
                Ok(bytes.to_vec())
            }
        }
    }

    /// Writes one file at `relative_path`, whole or not at all: on disk written aside, synced
    /// and renamed (readers skip dot files); on S3 a single put.
    pub async fn put_file(&self, relative_path: &str, bytes: Vec<u8>) -> Result<()> {
        match self {
            LandingStore::Local(dir) => {
                let target = dir.join(relative_path);
                crate::sources::create_parent(&target)?;
                let name = target
                    .file_name()
                    .map(|name| name.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let partial = target.with_file_name(format!(".{name}.partial"));
                let write = || -> std::io::Result<()> {
                    use std::io::Write;
                    let mut file = std::fs::File::create(&partial)?;
                    file.write_all(&bytes)?;
                    file.sync_all()
                };
                write().map_err(|source| IngestError::io(&partial, source))?;
                std::fs::rename(&partial, &target)
                    .map_err(|source| IngestError::io(&target, source))
            }
            LandingStore::Remote { store, .. } => store
                .put(&deltalake::Path::from(relative_path), bytes.into())
                .await
                .map(|_| ())
                .map_err(|err| store_error(relative_path, err)),
        }
    }

    /// Puts every file under a local folder into the landing store at the same relative path
    /// (each object appears whole); for a local lake the folder is the landing folder itself.
    pub async fn upload_folder(&self, folder: &Path) -> Result<u64> {
        let LandingStore::Remote { store, .. } = self else {
            return Ok(0);
        };
        let mut uploaded = 0;
        let mut folders = vec![folder.to_path_buf()];
        while let Some(current) = folders.pop() {
            let entries =
                std::fs::read_dir(&current).map_err(|source| IngestError::io(&current, source))?;
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    folders.push(path);
                    continue;
                }
                let relative = path
                    .strip_prefix(folder)
                    .expect("walked below the folder")
                    .components()
                    .map(|part| part.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                let bytes =
                    std::fs::read(&path).map_err(|source| IngestError::io(&path, source))?;
                store
                    .put(&deltalake::Path::from(relative.as_str()), bytes.into())
                    .await
                    .map_err(|err| store_error(&relative, err))?;
                uploaded += 1;
            }
        }
        Ok(uploaded)
    }
}

/// The kinds of file `paylake load` delivers, each into its landing folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// Processor settlement details report (CSV).
    Settlement,
    /// ISO 20022 camt.053 bank statement, any version .001.02 to .001.08.
    Camt053,
    /// FinOps FOCUS 1.x cost export (CSV).
    Focus,
    /// AWS Cost and Usage Report, legacy or 2.0 (CSV).
    Cur,
    /// The OFAC SDN list: sdn.csv, alt.csv, add.csv of one publication.
    Ofac,
}

impl FileKind {
    fn folder(self) -> &'static str {
        match self {
            FileKind::Settlement => settlement::LANDING_FOLDER,
            FileKind::Camt053 => camt053::LANDING_FOLDER,
            FileKind::Focus => focus::LANDING_FOLDER,
            FileKind::Cur => cur::FOLDER,
            FileKind::Ofac => ofac::LANDING_FOLDER,
        }
    }
}

/// Copies files into the landing folder of their kind, as their producer would deliver them,
/// and returns their paths relative to `landing/`. A file already delivered with the same
/// content is left as it is (delivering twice is harmless); a different file under a name
/// already taken is refused, since landing files never change. The OFAC files of one call
/// are one publication and land together in a new folder named by the time of the load.
pub fn deliver_files(landing_dir: &Path, kind: FileKind, files: &[PathBuf]) -> Result<Vec<String>> {
    let folder = match kind {
        FileKind::Ofac => format!(
            "{}/{}",
            kind.folder(),
            chrono::Utc::now().format("%Y%m%dT%H%M%S%6fZ")
        ),
        _ => kind.folder().to_string(),
    };
    let mut delivered = Vec::new();
    for file in files {
        let refuse = |reason: String| IngestError::Delivery {
            path: file.clone(),
            reason,
        };
        let name = file
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .ok_or_else(|| refuse("not a file".into()))?;
        let name = match kind {
            FileKind::Ofac => {
                let lower = name.to_ascii_lowercase();
                if ofac::entity_of(&lower).is_none() {
                    return Err(refuse(
                        "an OFAC list file is named sdn.csv, alt.csv or add.csv".into(),
                    ));
                }
                lower
            }
            _ => name,
        };
        let relative_path = format!("{folder}/{name}");
        let target = landing_dir.join(&relative_path);
        let content = std::fs::read(file).map_err(|source| IngestError::io(file, source))?;
        if target.exists() {
            let existing =
                std::fs::read(&target).map_err(|source| IngestError::io(&target, source))?;
            if existing != content {
                return Err(refuse(format!(
                    "landing already holds a different '{relative_path}'; landing files never change, so deliver it under a new name"
                )));
            }
            delivered.push(relative_path);
            continue;
        }
        crate::sources::create_parent(&target)?;
        // Written aside, then renamed: a reader never sees half a file (dot files are skipped).
        let partial = target.with_file_name(format!(".{name}.partial"));
        std::fs::write(&partial, &content).map_err(|source| IngestError::io(&partial, source))?;
        std::fs::rename(&partial, &target).map_err(|source| IngestError::io(&target, source))?;
        delivered.push(relative_path);
    }
    Ok(delivered)
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delivered_files_land_in_their_folder_once_and_are_never_replaced() {
        let landing = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let report = outside.path().join("batch_1.csv");
        std::fs::write(&report, "a\n").unwrap();
        let first = deliver_files(
            landing.path(),
            FileKind::Settlement,
            std::slice::from_ref(&report),
        )
        .unwrap();
        assert_eq!(first, ["settlements/batch_1.csv"]);
        let again = deliver_files(
            landing.path(),
            FileKind::Settlement,
            std::slice::from_ref(&report),
        )
        .unwrap();
        assert_eq!(again, first);
        let listed = list_files(landing.path(), Source::Settlements).unwrap();
        assert_eq!(listed.len(), 1);

        std::fs::write(&report, "b\n").unwrap();
        let error = deliver_files(landing.path(), FileKind::Settlement, &[report]).unwrap_err();
        assert!(error
            .to_string()
            .contains("landing already holds a different"));
    }

    #[test]
    fn an_ofac_publication_lands_in_its_own_folder_and_other_names_are_refused() {
        let landing = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let sdn = outside.path().join("SDN.CSV");
        std::fs::write(&sdn, "1,X,-0-\n").unwrap();
        let delivered = deliver_files(landing.path(), FileKind::Ofac, &[sdn]).unwrap();
        assert!(delivered[0].starts_with("sanctions/ofac/"));
        assert!(delivered[0].ends_with("/sdn.csv"));
        let other = outside.path().join("list.csv");
        std::fs::write(&other, "1\n").unwrap();
        assert!(deliver_files(landing.path(), FileKind::Ofac, &[other]).is_err());
    }
}

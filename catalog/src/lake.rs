//! Where the lake lives: a local folder or an `s3://bucket/prefix` URL.

use std::path::{Path, PathBuf};

use url::Url;

use crate::error::{CatalogError, Result};
use crate::registry::TableDef;

/// The folders directly under a lake's root, one of which every lake holds: the landing
/// folder and the zones'.
fn lake_folder_names() -> impl Iterator<Item = &'static str> {
    std::iter::once("landing").chain(crate::registry::Zone::ALL.iter().map(|zone| zone.as_str()))
}

/// Whether the folder `root` holds one of a lake's folders.
fn holds_lake_folder(root: &Path) -> bool {
    lake_folder_names().any(|folder| root.join(folder).is_dir())
}

/// The root of a lake. Tables live at `<root>/<zone>/<table>/`, delivered files under
/// `<root>/landing/`, reports under `<root>/reports/`.
#[derive(Debug, Clone)]
pub struct Lake {
    root: Url,
    /// KMS key of every object written to an S3 lake (SSE-KMS); S3's default when unset.
    kms_key_id: Option<String>,
}

impl Lake {
    /// Opens the lake at a folder path or URL, creating a local folder when it does not exist.
    pub fn open(location: &str) -> Result<Self> {
        let invalid = |reason: String| CatalogError::InvalidLakeLocation {
            location: location.to_string(),
            reason,
        };
        if location.contains("://") {
            let mut root = Url::parse(location).map_err(|err| invalid(err.to_string()))?;
            if !root.path().ends_with('/') {
                root.set_path(&format!("{}/", root.path()));
            }
            match root.scheme() {
                "file" => {}
                "s3" | "s3a" => deltalake::aws::register_handlers(None),
                other => return Err(invalid(format!("unsupported scheme '{other}'"))),
            }
            return Ok(Lake {
                root,
                kms_key_id: None,
            });
        }
        let path = Path::new(location);
        std::fs::create_dir_all(path).map_err(|source| CatalogError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let absolute = path.canonicalize().map_err(|source| CatalogError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let root = Url::from_directory_path(&absolute)
            .map_err(|()| invalid("not an absolute path".to_string()))?;
        Ok(Lake {
            root,
            kms_key_id: None,
        })
    }

    /// Opens a lake that must already be there, creating nothing: a command that only reads
    /// (a query, a report) pointed at a folder or prefix without a lake says so, rather than
    /// answering from an empty lake it would create. A lake is there when its root holds the
    /// landing folder or a zone's folder.
    pub async fn open_existing(location: &str) -> Result<Self> {
        let no_lake = || CatalogError::NoLake(location.to_string());
        // A folder path is checked before `open`, which would create the folder.
        if !location.contains("://") && !holds_lake_folder(Path::new(location)) {
            return Err(no_lake());
        }
        let lake = Self::open(location)?;
        let holds_a_lake = match lake.local_root() {
            Some(root) => holds_lake_folder(&root),
            None => {
                let listing = lake
                    .object_store_at(&lake.root)?
                    .list_with_delimiter(None)
                    .await
                    .map_err(|source| CatalogError::ObjectStore {
                        location: location.to_string(),
                        source: Box::new(source),
                    })?;
                listing.common_prefixes.iter().any(|prefix| {
                    prefix
                        .filename()
                        .is_some_and(|folder| lake_folder_names().any(|name| name == folder))
                })
            }
        };
        if holds_a_lake {
            Ok(lake)
        } else {
            Err(no_lake())
        }
    }

    /// Encrypts every object written to the lake on S3 with this KMS key (SSE-KMS).
    pub fn with_kms_key(mut self, kms_key_id: Option<String>) -> Self {
        self.kms_key_id = kms_key_id;
        self
    }

    pub fn kms_key_id(&self) -> Option<&str> {
        self.kms_key_id.as_deref()
    }

    /// Options of the lake's object store beyond the standard AWS configuration.
    pub fn storage_options(&self) -> std::collections::HashMap<String, String> {
        let mut options = std::collections::HashMap::new();
        if let Some(key) = &self.kms_key_id {
            options.insert(
                "aws_server_side_encryption".to_string(),
                "aws:kms".to_string(),
            );
            options.insert("aws_sse_kms_key_id".to_string(), key.clone());
        }
        options
    }

    pub fn root(&self) -> &Url {
        &self.root
    }

    /// The folder (or prefix) under the root where producers deliver files.
    pub fn landing_url(&self) -> Url {
        self.root
            .join("landing/")
            .expect("'landing/' is a valid url path segment")
    }

    /// An object store rooted at `url`, configured as delta-rs configures its tables' stores
    /// (the standard AWS configuration for `s3://`).
    pub fn object_store_at(&self, url: &Url) -> Result<std::sync::Arc<dyn deltalake::ObjectStore>> {
        let log_store = deltalake::DeltaTableBuilder::from_url(url.clone())
            .map(|builder| builder.with_storage_options(self.storage_options()))
            .and_then(|builder| builder.build_storage())
            .map_err(|err| CatalogError::delta(url.as_str(), err))?;
        Ok(log_store.object_store(None))
    }

    /// Writes a file at `relative_path` under the root (a folder on disk, an object on S3) and
    /// returns where it is.
    pub async fn write_file(&self, relative_path: &str, bytes: Vec<u8>) -> Result<String> {
        if let Some(root) = self.local_root() {
            let path = root.join(relative_path);
            let io_error = |source| CatalogError::Io {
                path: path.clone(),
                source,
            };
            if let Some(folder) = path.parent() {
                std::fs::create_dir_all(folder).map_err(io_error)?;
            }
            std::fs::write(&path, bytes).map_err(io_error)?;
            return Ok(path.display().to_string());
        }
        use deltalake::logstore::object_store::ObjectStoreExt;
        let location =
            self.root
                .join(relative_path)
                .map_err(|err| CatalogError::InvalidLakeLocation {
                    location: relative_path.to_string(),
                    reason: err.to_string(),
                })?;
        self.object_store_at(&self.root)?
            .put(&deltalake::Path::from(relative_path), bytes.into())
            .await
            .map_err(|source| CatalogError::ObjectStore {
                location: location.to_string(),
                source: Box::new(source),
            })?;
        Ok(location.to_string())
    }

    /// Reads the file at `relative_path` under the root; `None` when there is none.
    pub async fn read_file(&self, relative_path: &str) -> Result<Option<Vec<u8>>> {
        if let Some(root) = self.local_root() {
            let path = root.join(relative_path);
            return match std::fs::read(&path) {
                Ok(bytes) => Ok(Some(bytes)),
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(source) => Err(CatalogError::Io { path, source }),
            };
        }
        use deltalake::logstore::object_store::ObjectStoreExt;
        let store = self.object_store_at(&self.root)?;
        match store.get(&deltalake::Path::from(relative_path)).await {
            Ok(found) => {
                let bytes = found
                    .bytes()
                    .await
                    .map_err(|source| CatalogError::ObjectStore {
                        location: relative_path.to_string(),
                        source: Box::new(source),
                    })?;
                Ok(Some(bytes.to_vec()))
            }
            Err(deltalake::ObjectStoreError::NotFound { .. }) => Ok(None),
            Err(source) => Err(CatalogError::ObjectStore {
                location: relative_path.to_string(),
                source: Box::new(source),
            }),
        }
    }

    pub fn table_url(&self, table: &TableDef) -> Url {
        self.root
            .join(&format!("{}/{}/", table.zone.as_str(), table.name))
            .expect("zone and table names are valid url path segments")
    }

    /// The lake's local folder, when the lake is on disk.
    pub fn local_root(&self) -> Option<PathBuf> {
        (self.root.scheme() == "file")
            .then(|| self.root.to_file_path().ok())
            .flatten()
    }

    fn local_folder(&self, name: &str) -> Result<PathBuf> {
        let root = self
            .local_root()
            .ok_or_else(|| CatalogError::InvalidLakeLocation {
                location: self.root.to_string(),
                reason: format!("{name}/ is only supported on a local lake so far"),
            })?;
        Ok(root.join(name))
    }

    /// Folder of delivered source files, as producers wrote them.
    pub fn landing_dir(&self) -> Result<PathBuf> {
        self.local_folder("landing")
    }

    /// Folder of rendered reports.
    pub fn reports_dir(&self) -> Result<PathBuf> {
        self.local_folder("reports")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::registry;

    #[test]
    fn local_folder_becomes_a_file_url_and_tables_sit_under_zone_folders() {
        let dir = tempfile::tempdir().unwrap();
        let lake = Lake::open(dir.path().join("lake").to_str().unwrap()).unwrap();
        assert_eq!(lake.root().scheme(), "file");
        let table = registry().find("silver.payments").unwrap();
        assert!(lake
            .table_url(table)
            .as_str()
            .ends_with("/lake/silver/payments/"));
        assert_eq!(
            lake.landing_dir().unwrap(),
            dir.path().canonicalize().unwrap().join("lake/landing")
        );
    }

    #[test]
    fn unknown_scheme_is_refused() {
        let err = Lake::open("ftp://host/lake").unwrap_err();
        assert!(err.to_string().contains("unsupported scheme 'ftp'"));
    }
}

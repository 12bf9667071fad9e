//! Where export packages are delivered: a local folder, or an S3 prefix written through the
//! S3 API so that each object carries Object Lock retention when its bucket has Object Lock.

use std::path::PathBuf;

use aws_sdk_s3::primitives::{ByteStream, DateTime as S3DateTime};
use aws_sdk_s3::types::{ChecksumAlgorithm, ObjectLockEnabled, ObjectLockMode};
use chrono::{DateTime, Months, Utc};

use crate::error::{RegulatoryError, Result};
use crate::settings::Retention;

pub enum Destination {
    Folder(PathBuf),
    S3 {
        client: aws_sdk_s3::Client,
        bucket: String,
        prefix: String,
        /// Retention of each object written, when the bucket has Object Lock enabled.
        retention: Option<(ObjectLockMode, u32)>,
        /// KMS key each object is encrypted with (SSE-KMS), when configured.
        kms_key_id: Option<String>,
    },
}

impl Destination {
    /// Opens a folder path (`file://` or plain) or an `s3://bucket/prefix` URL. Objects
    /// written get `retention` when the bucket has Object Lock, and SSE-KMS with `kms_key_id`;
    /// a reader passes neither.
    pub async fn open(
        location: &str,
        retention: Option<&Retention>,
        kms_key_id: Option<&str>,
    ) -> Result<Self> {
        let Some(rest) = location.strip_prefix("s3://") else {
            let path = location.strip_prefix("file://").unwrap_or(location);
            return Ok(Destination::Folder(PathBuf::from(path)));
        };
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(RegulatoryError::Destination {
                location: location.to_string(),
                reason: "the URL names no bucket".to_string(),
            });
        }
        let sdk_config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
        let mut builder = aws_sdk_s3::config::Builder::from(&sdk_config);
        // A configured endpoint (moto, MinIO) serves buckets by path, not by host name.
        if std::env::var_os("AWS_ENDPOINT_URL").is_some()
            || std::env::var_os("AWS_ENDPOINT_URL_S3").is_some()
        {
            builder = builder.force_path_style(true);
        }
        let client = aws_sdk_s3::Client::from_conf(builder.build());
        // Only a writer asks whether the bucket locks objects.
        let enabled = match retention {
            None => false,
            Some(_) => object_lock_enabled(&client, bucket).await?,
        };
        let retention = retention.filter(|_| enabled).map(|retention| {
            let mode = match retention.mode.as_str() {
                "GOVERNANCE" => ObjectLockMode::Governance,
                _ => ObjectLockMode::Compliance,
            };
            (mode, retention.years)
        });
        if retention.is_some() && !enabled {
            tracing::warn!(
                bucket,
                "the bucket has no Object Lock configuration: exports are written without retention"
            );
        }
        tracing::info!(bucket, object_lock = enabled, "export destination opened");
        Ok(Destination::S3 {
            client,
            bucket: bucket.to_string(),
            prefix: prefix.trim_end_matches('/').to_string(),
            retention,
            kms_key_id: kms_key_id.map(str::to_string),
        })
    }

    /// Where a file of the destination is, as a user would name it.
    pub fn location_of(&self, relative_path: &str) -> String {
        match self {
            Destination::Folder(root) => root.join(relative_path).display().to_string(),
            Destination::S3 { bucket, .. } => format!("s3://{bucket}/{}", self.key(relative_path)),
        }
    }

    /// Whether objects written carry Object Lock retention, and until when.
    pub fn retained_until(&self, now: DateTime<Utc>) -> Option<(String, DateTime<Utc>)> {
        match self {
            Destination::S3 {
                retention: Some((mode, years)),
                ..
            } => Some((
                mode.as_str().to_string(),
                now.checked_add_months(Months::new(12 * years))
                    .unwrap_or(now),
            )),
            _ => None,
        }
    }

    fn key(&self, relative_path: &str) -> String {
        match self {
            Destination::S3 { prefix, .. } if !prefix.is_empty() => {
                format!("{prefix}/{relative_path}")
            }
            _ => relative_path.to_string(),
        }
    }

    pub async fn read(&self, relative_path: &str) -> Result<Option<Vec<u8>>> {
        match self {
            Destination::Folder(root) => {
                let path = root.join(relative_path);
                match std::fs::read(&path) {
                    Ok(bytes) => Ok(Some(bytes)),
                    Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
                    Err(source) => Err(RegulatoryError::Io { path, source }),
                }
            }
            Destination::S3 { client, bucket, .. } => {
                let key = self.key(relative_path);
                match client.get_object().bucket(bucket).key(&key).send().await {
                    Ok(object) => {
                        let bytes = object.body.collect().await.map_err(|err| {
                            self.s3_error("get_object", relative_path, err.to_string())
                        })?;
                        Ok(Some(bytes.into_bytes().to_vec()))
                    }
                    Err(err) => {
                        let service_error = err.into_service_error();
                        if service_error.is_no_such_key() {
                            return Ok(None);
                        }
                        Err(self.s3_error("get_object", relative_path, service_error.to_string()))
                    }
                }
            }
        }
    }

    /// Writes a file; on S3 with its SHA-256 checked by S3 and, with Object Lock, retained.
    /// With `only_if_absent` the write is refused, atomically, when the file exists
    /// (`O_EXCL` on disk, `If-None-Match: *` on S3): another delivery got there first.
    pub async fn write(
        &self,
        relative_path: &str,
        bytes: Vec<u8>,
        now: DateTime<Utc>,
        only_if_absent: bool,
    ) -> Result<()> {
        match self {
            Destination::Folder(root) => {
                let path = root.join(relative_path);
                let io_error = |source| RegulatoryError::Io {
                    path: path.clone(),
                    source,
                };
                if let Some(folder) = path.parent() {
                    std::fs::create_dir_all(folder).map_err(io_error)?;
                }
                if !only_if_absent {
                    return std::fs::write(&path, bytes).map_err(io_error);
                }
                use std::io::Write as _;
                let mut file = std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(&path)
                    .map_err(|source| match source.kind() {
                        std::io::ErrorKind::AlreadyExists => RegulatoryError::Destination {
                            location: path.display().to_string(),
                            reason: "delivered by another export meanwhile; export again"
                                .to_string(),
                        },
                        _ => io_error(source),
                    })?;
                file.write_all(&bytes).map_err(io_error)
            }
            Destination::S3 {
                client,
                bucket,
                retention,
                kms_key_id,
                ..
            } => {
                let mut put = client
                    .put_object()
                    .bucket(bucket)
                    .key(self.key(relative_path))
                    .checksum_algorithm(ChecksumAlgorithm::Sha256)
                    .body(ByteStream::from(bytes));
                if only_if_absent {
                    put = put.if_none_match("*");
                }
                if let Some(key) = kms_key_id {
                    put = put
                        .server_side_encryption(aws_sdk_s3::types::ServerSideEncryption::AwsKms)
                        .ssekms_key_id(key);
                }
                if let (Some((mode, _)), Some((_, until))) = (retention, self.retained_until(now)) {
                    put = put
                        .object_lock_mode(mode.clone())
                        .object_lock_retain_until_date(S3DateTime::from_secs(until.timestamp()));
                }
                put.send().await.map_err(|err| {
                    let refused = err
                        .raw_response()
                        .is_some_and(|response| response.status().as_u16() == 412);
                    if refused {
                        return RegulatoryError::Destination {
                            location: self.location_of(relative_path),
                            reason: "delivered by another export meanwhile; export again"
                                .to_string(),
                        };
                    }
                    self.s3_error(
                        "put_object",
                        relative_path,
                        err.into_service_error().to_string(),
                    )
                })?;
                Ok(())
            }
        }
    }

    fn s3_error(
        &self,
        operation: &'static str,
        relative_path: &str,
        reason: String,
    ) -> RegulatoryError {
        RegulatoryError::S3 {
            operation,
            location: self.location_of(relative_path),
            reason,
        }
    }
}

/// Whether the bucket locks objects. Only S3's answer that no lock is configured means no; a
/// configuration that cannot be read (access denied, no such bucket, a network failure) fails
/// the export, which is never written without the retention it was asked for.
async fn object_lock_enabled(client: &aws_sdk_s3::Client, bucket: &str) -> Result<bool> {
    use aws_sdk_s3::error::ProvideErrorMetadata;
    match client
        .get_object_lock_configuration()
        .bucket(bucket)
        .send()
        .await
    {
        Ok(output) => Ok(output
            .object_lock_configuration()
            .and_then(|configuration| configuration.object_lock_enabled())
            == Some(&ObjectLockEnabled::Enabled)),
        Err(err)
            if err.as_service_error().and_then(|e| e.code())
                == Some("ObjectLockConfigurationNotFoundError") =>
        {
            Ok(false)
        }
        Err(err) => Err(RegulatoryError::Destination {
            location: format!("s3://{bucket}"),
            reason: format!(
                "the bucket's Object Lock configuration cannot be read: {}",
                aws_sdk_s3::error::DisplayErrorContext(&err)
            ),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_exclusive_write_never_replaces_a_delivered_file() {
        let dir = tempfile::tempdir().unwrap();
        let retention = Retention {
            mode: "COMPLIANCE".into(),
            years: 5,
        };
        let destination = Destination::open(dir.path().to_str().unwrap(), Some(&retention), None)
            .await
            .unwrap();
        let now = Utc::now();
        destination
            .write("p/manifest.json", b"first".to_vec(), now, true)
            .await
            .unwrap();
        let err = destination
            .write("p/manifest.json", b"second".to_vec(), now, true)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("another export"), "{err}");
        assert_eq!(
            destination.read("p/manifest.json").await.unwrap().unwrap(),
            b"first"
        );
        assert!(destination.read("p/absent.xml").await.unwrap().is_none());
        assert!(
            destination.retained_until(now).is_none(),
            "folders have no object lock"
        );
    }
}

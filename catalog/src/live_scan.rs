//! A Delta table as the plain Parquet scan of one snapshot's live files.
//!
//! Engines that plan on other machines (Ballista) cannot ship delta-rs's scan, which has no
//! physical codec. They get this instead: the files the log held at one version, each with its
//! partition values, read as a standard `DataSourceExec` over Parquet that DataFusion's own
//! codec serialises. The table is pinned: a commit after the snapshot changes nothing it reads.

use std::sync::Arc;

use arrow::datatypes::{Field, FieldRef, Schema, SchemaRef};
use async_trait::async_trait;
use datafusion::catalog::{Session, TableProvider};
use datafusion::datasource::listing::PartitionedFile;
use datafusion::datasource::physical_plan::{FileGroup, FileScanConfigBuilder, ParquetSource};
use datafusion::datasource::source::DataSourceExec;
use datafusion::datasource::TableType;
use datafusion::error::DataFusionError;
use datafusion::execution::object_store::ObjectStoreUrl;
use datafusion::logical_expr::Expr;
use datafusion::physical_plan::ExecutionPlan;
use datafusion::scalar::ScalarValue;
use deltalake::DeltaTable;
use serde::{Deserialize, Serialize};

use crate::error::{CatalogError, Result};
use crate::registry::{registry, TableDef};

/// One live data file of a snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveFile {
    /// Full URL of the Parquet file (`file:///…` or `s3://…`).
    pub url: String,
    pub bytes: u64,
    /// Values of the table's partition columns, in `partition_by` order, as the log writes them.
    pub partition_values: Vec<Option<String>>,
}

/// What identifies a pinned scan on the wire: the table, its version, and its files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveFilesSpec {
    /// `zone.table` of the registry.
    pub table: String,
    pub delta_version: i64,
    pub files: Vec<LiveFile>,
}

/// The scan of one snapshot's live files.
#[derive(Debug, Clone)]
pub struct LiveFilesTable {
    spec: LiveFilesSpec,
    definition: TableDef,
    /// Data columns, then partition columns: the order a file scan produces them in.
    schema: SchemaRef,
}

impl LiveFilesTable {
    /// The live files of the snapshot `delta_table` holds.
    pub fn of_snapshot(table: &TableDef, delta_table: &DeltaTable) -> Result<Self> {
        let mut spec = LiveFilesSpec::of_snapshot(table, delta_table)?;
        for file in &mut spec.files {
            file.url = full_url(std::mem::take(&mut file.url));
        }
        Self::from_spec(spec)
    }

    /// Rebuilds the scan from its wire form; the schema comes from the registry.
    pub fn from_spec(spec: LiveFilesSpec) -> Result<Self> {
        let definition = registry().find(&spec.table)?.clone();
        let is_partition =
            |field: &FieldRef| definition.partition_by.contains(&field.name().as_str());
        let fields: Vec<FieldRef> = definition
            .schema
            .fields()
            .iter()
            .filter(|field| !is_partition(field))
            .chain(
                definition
                    .schema
                    .fields()
                    .iter()
                    .filter(|field| is_partition(field)),
            )
            .cloned()
            .collect();
        Ok(LiveFilesTable {
            schema: Arc::new(Schema::new(fields)),
            definition,
            spec,
        })
    }

    pub fn spec(&self) -> &LiveFilesSpec {
        &self.spec
    }

    fn partition_fields(&self) -> Vec<FieldRef> {
        self.definition
            .partition_by
            .iter()
            .filter_map(|column| self.schema.field_with_name(column).ok())
            .map(|field| Arc::new(field.clone()))
            .collect()
    }

    fn file_schema(&self) -> SchemaRef {
        let fields: Vec<Field> = self
            .schema
            .fields()
            .iter()
            .filter(|field| {
                !self
                    .definition
                    .partition_by
                    .contains(&field.name().as_str())
            })
            .map(|field| field.as_ref().clone())
            .collect();
        Arc::new(Schema::new(fields))
    }

    fn partitioned_file(&self, file: &LiveFile) -> datafusion::error::Result<PartitionedFile> {
        let url =
            url::Url::parse(&file.url).map_err(|err| DataFusionError::External(Box::new(err)))?;
        let path = object_store_path(&url)?;
        let values = self
            .partition_fields()
            .iter()
            .zip(&file.partition_values)
            .map(|(field, value)| match value {
                Some(text) => ScalarValue::try_from_string(text.clone(), field.data_type()),
                None => ScalarValue::try_from(field.data_type()),
            })
            .collect::<datafusion::error::Result<Vec<_>>>()?;
        Ok(PartitionedFile::new(path, file.bytes).with_partition_values(values))
    }

    async fn scan_files(
        &self,
        projection: Option<&Vec<usize>>,
        limit: Option<usize>,
    ) -> datafusion::error::Result<Arc<dyn ExecutionPlan>> {
        let table_schema =
            datafusion::datasource::table_schema::TableSchema::builder(self.file_schema())
                .with_table_partition_cols(self.partition_fields())
                .build();
        let source = Arc::new(ParquetSource::new(table_schema));
        let Some(first) = self.spec.files.first() else {
            let schema = match projection {
                Some(indices) => Arc::new(self.schema.project(indices)?),
                None => self.schema.clone(),
            };
            return Ok(Arc::new(datafusion::physical_plan::empty::EmptyExec::new(
                schema,
            )));
        };
        let store_url = object_store_url(&first.url)?;
        let files = self
            .spec
            .files
            .iter()
            .map(|file| self.partitioned_file(file))
            .collect::<datafusion::error::Result<Vec<_>>>()?;
        let config = FileScanConfigBuilder::new(store_url, source)
            .with_file_group(FileGroup::new(files))
            .with_limit(limit)
            .with_projection_indices(projection.cloned())?
            .build();
        Ok(DataSourceExec::from_data_source(config))
    }
}

impl LiveFilesSpec {
    /// The live data files of the snapshot `delta_table` holds, sorted by location. A location
    /// is as the table's log store names it: a local lake's files by their path.
    pub fn of_snapshot(table: &TableDef, delta_table: &DeltaTable) -> Result<Self> {
        let delta_error = |err| CatalogError::delta(table.qualified_name(), err);
        let snapshot = delta_table.snapshot().map_err(delta_error)?;
        let log_store = delta_table.log_store();
        let mut files: Vec<LiveFile> = snapshot
            .log_data()
            .iter()
            .map(|file| {
                let values = file.partition_values_map();
                LiveFile {
                    url: log_store.to_uri(&file.object_store_path()),
                    bytes: u64::try_from(file.size()).unwrap_or_default(),
                    partition_values: table
                        .partition_by
                        .iter()
                        .map(|column| values.get(*column).cloned().flatten())
                        .collect(),
                }
            })
            .collect();
        files.sort_by(|a, b| a.url.cmp(&b.url));
        Ok(LiveFilesSpec {
            table: table.qualified_name(),
            delta_version: i64::try_from(snapshot.version()).unwrap_or(i64::MAX),
            files,
        })
    }
}

/// A file's location as a URL: delta-rs names local files by their path.
fn full_url(location: String) -> String {
    if location.contains("://") {
        return location;
    }
    url::Url::from_file_path(&location).map_or(location, |url| url.to_string())
}

/// The object store of a file URL: scheme and authority (`file:///`, `s3://bucket`).
fn object_store_url(file_url: &str) -> datafusion::error::Result<ObjectStoreUrl> {
    let url = url::Url::parse(file_url).map_err(|err| DataFusionError::External(Box::new(err)))?;
    ObjectStoreUrl::parse(format!(
        "{}://{}",
        url.scheme(),
        url.host_str().unwrap_or_default()
    ))
}

/// The path of a file inside its object store, decoded (object_store's own URL-path parsing).
fn object_store_path(url: &url::Url) -> datafusion::error::Result<String> {
    deltalake::Path::from_url_path(url.path())
        .map(|path| path.to_string())
        .map_err(|err| DataFusionError::External(Box::new(err)))
}

#[async_trait]
impl TableProvider for LiveFilesTable {
    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    async fn scan(
        &self,
        _state: &dyn Session,
        projection: Option<&Vec<usize>>,
        _filters: &[Expr],
        limit: Option<usize>,
    ) -> datafusion::error::Result<Arc<dyn ExecutionPlan>> {
        self.scan_files(projection, limit).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_urls_split_into_store_and_decoded_path() {
        let url = "file:///tmp/lake/gold/aml_alerts/business_date=2026-03-01/part%2D1.parquet";
        assert_eq!(object_store_url(url).unwrap().as_str(), "file:///");
        assert_eq!(
            object_store_path(&url::Url::parse(url).unwrap()).unwrap(),
            "tmp/lake/gold/aml_alerts/business_date=2026-03-01/part-1.parquet"
        );
        assert_eq!(
            object_store_url("s3://bucket/lake/x.parquet")
                .unwrap()
                .as_str(),
            "s3://bucket/"
        );
    }

    #[test]
    fn partition_columns_come_last_and_values_take_their_types() {
        let table = LiveFilesTable::from_spec(LiveFilesSpec {
            table: "gold.aml_alerts".into(),
            delta_version: 3,
            files: vec![LiveFile {
                url: "file:///lake/gold/aml_alerts/business_date=2026-03-01/a.parquet".into(),
                bytes: 10,
                partition_values: vec![Some("2026-03-01".into())],
            }],
        })
        .unwrap();
        let last = table.schema().fields().last().unwrap().clone();
        assert_eq!(last.name(), "business_date");
        let file = table.partitioned_file(&table.spec().files[0]).unwrap();
        assert_eq!(
            file.partition_values,
            vec![ScalarValue::try_from_string("2026-03-01".into(), last.data_type()).unwrap()]
        );
    }
}

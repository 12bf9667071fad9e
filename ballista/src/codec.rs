//! The logical codec that carries paylake's tables to the scheduler: a pinned live-files scan
//! as its JSON spec, an in-memory table (a job's intermediate result) as Arrow IPC. Anything
//! else goes to Ballista's own codec.

use std::io::Cursor;
use std::sync::Arc;

use arrow::ipc::reader::StreamReader;
use arrow::ipc::writer::StreamWriter;
use arrow::record_batch::RecordBatch;
use ballista_core::serde::BallistaLogicalExtensionCodec;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::catalog::TableProvider;
use datafusion::common::TableReference;
use datafusion::datasource::file_format::FileFormatFactory;
use datafusion::datasource::MemTable;
use datafusion::error::{DataFusionError, Result};
use datafusion::execution::TaskContext;
use datafusion::logical_expr::{Extension, LogicalPlan};
use datafusion_proto::logical_plan::LogicalExtensionCodec;
use paylake_catalog::live_scan::{LiveFilesSpec, LiveFilesTable};

/// Tags the first byte of an encoded table provider.
const LIVE_FILES: u8 = b'L';
const IN_MEMORY: u8 = b'M';
const OTHER: u8 = b'B';

/// paylake's logical codec; see the module.
#[derive(Debug, Default)]
pub struct LakeCodec {
    ballista: BallistaLogicalExtensionCodec,
}

fn external(error: impl std::error::Error + Send + Sync + 'static) -> DataFusionError {
    DataFusionError::External(Box::new(error))
}

fn encode_batches(schema: &SchemaRef, batches: &[RecordBatch], buf: &mut Vec<u8>) -> Result<()> {
    let mut writer = StreamWriter::try_new(buf, schema)?;
    for batch in batches {
        writer.write(batch)?;
    }
    writer.finish()?;
    Ok(())
}

fn decode_batches(bytes: &[u8]) -> Result<(SchemaRef, Vec<RecordBatch>)> {
    let reader = StreamReader::try_new(Cursor::new(bytes), None)?;
    let schema = reader.schema();
    let batches = reader.collect::<std::result::Result<Vec<_>, _>>()?;
    Ok((schema, batches))
}

impl LogicalExtensionCodec for LakeCodec {
    fn try_decode(
        &self,
        buf: &[u8],
        inputs: &[LogicalPlan],
        ctx: &TaskContext,
    ) -> Result<Extension> {
        self.ballista.try_decode(buf, inputs, ctx)
    }

    fn try_encode(&self, node: &Extension, buf: &mut Vec<u8>) -> Result<()> {
        self.ballista.try_encode(node, buf)
    }

    fn try_decode_table_provider(
        &self,
        buf: &[u8],
        table_ref: &TableReference,
        schema: SchemaRef,
        ctx: &TaskContext,
    ) -> Result<Arc<dyn TableProvider>> {
        let Some((tag, body)) = buf.split_first() else {
            return Err(DataFusionError::Internal(format!(
                "empty table provider for {table_ref}"
            )));
        };
        match *tag {
            LIVE_FILES => {
                let spec: LiveFilesSpec = serde_json::from_slice(body).map_err(external)?;
                Ok(Arc::new(LiveFilesTable::from_spec(spec).map_err(external)?))
            }
            IN_MEMORY => {
                let (_, batches) = decode_batches(body)?;
                Ok(Arc::new(MemTable::try_new(schema, vec![batches])?))
            }
            _ => self
                .ballista
                .try_decode_table_provider(body, table_ref, schema, ctx),
        }
    }

    fn try_encode_table_provider(
        &self,
        table_ref: &TableReference,
        node: Arc<dyn TableProvider>,
        buf: &mut Vec<u8>,
    ) -> Result<()> {
        if let Some(table) = node.downcast_ref::<LiveFilesTable>() {
            buf.push(LIVE_FILES);
            serde_json::to_writer(&mut *buf, table.spec()).map_err(external)?;
            return Ok(());
        }
        if let Some(table) = node.downcast_ref::<MemTable>() {
            buf.push(IN_MEMORY);
            // A MemTable's partitions are behind async locks; they are taken without waiting,
            // which holds while nothing writes to the table (jobs only read theirs).
            let mut batches = Vec::new();
            for partition in &table.batches {
                let partition = partition.try_read().map_err(|_| {
                    DataFusionError::Internal(format!("{table_ref} is being written"))
                })?;
                batches.extend(partition.iter().cloned());
            }
            return encode_batches(&table.schema(), &batches, buf);
        }
        buf.push(OTHER);
        self.ballista
            .try_encode_table_provider(table_ref, node, buf)
    }

    fn try_decode_file_format(
        &self,
        buf: &[u8],
        ctx: &TaskContext,
    ) -> Result<Arc<dyn FileFormatFactory>> {
        self.ballista.try_decode_file_format(buf, ctx)
    }

    fn try_encode_file_format(
        &self,
        buf: &mut Vec<u8>,
        node: Arc<dyn FileFormatFactory>,
    ) -> Result<()> {
        self.ballista.try_encode_file_format(buf, node)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{Int64Array, StringArray};
    use arrow::datatypes::{DataType, Field, Schema};

    #[test]
    fn tables_survive_the_round_trip() {
        let codec = LakeCodec::default();
        let context = TaskContext::default();
        let schema: SchemaRef = Arc::new(Schema::new(vec![
            Field::new("id", DataType::Utf8, false),
            Field::new("amount", DataType::Int64, true),
        ]));
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![
                Arc::new(StringArray::from(vec!["a", "b"])),
                Arc::new(Int64Array::from(vec![Some(1), None])),
            ],
        )
        .unwrap();
        let memory =
            Arc::new(MemTable::try_new(schema.clone(), vec![vec![batch.clone()]]).unwrap());
        let name = TableReference::bare("t");
        let mut buf = Vec::new();
        codec
            .try_encode_table_provider(&name, memory, &mut buf)
            .unwrap();
        let decoded = codec
            .try_decode_table_provider(&buf, &name, schema.clone(), &context)
            .unwrap();
        let decoded = decoded.downcast_ref::<MemTable>().unwrap();
        let partition = decoded.batches[0].try_read().unwrap();
        assert_eq!(partition.as_slice(), [batch]);

        let spec = LiveFilesSpec {
            table: "gold.aml_alerts".into(),
            delta_version: 7,
            files: vec![],
        };
        let live = Arc::new(LiveFilesTable::from_spec(spec.clone()).unwrap());
        let mut buf = Vec::new();
        codec
            .try_encode_table_provider(&name, live.clone(), &mut buf)
            .unwrap();
        let decoded = codec
            .try_decode_table_provider(&buf, &name, live.schema(), &context)
            .unwrap();
        let decoded = decoded.downcast_ref::<LiveFilesTable>().unwrap();
        assert_eq!(decoded.spec(), &spec);
    }
}

//! A physical optimizer rule for the scheduler: empty and one-row leaves become memory scans.
//!
//! Ballista 55's scheduler restricts each task's plan to the task's partitions. A union input
//! that is an `EmptyExec` or a `PlaceholderRowExec` and gets no partition of a task becomes a
//! memory scan in that task only. Memory scans report operator metrics where the two leaves
//! report none, so that task reports one metrics set more than its siblings; the scheduler then
//! refuses its status ("task metrics array size 7 does not equal the stage metrics array size
//! 8") and the job never ends. Planning these leaves as memory scans from the start gives every
//! task of a stage the same operators. Empty Delta tables and `SELECT` without `FROM` in a
//! `UNION ALL` are where the jobs meet them.

use std::sync::Arc;

use datafusion::arrow::array::new_null_array;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::{RecordBatch, RecordBatchOptions};
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::config::ConfigOptions;
use datafusion::datasource::memory::MemorySourceConfig;
use datafusion::error::Result;
use datafusion::physical_optimizer::PhysicalOptimizerRule;
use datafusion::physical_plan::empty::EmptyExec;
use datafusion::physical_plan::placeholder_row::PlaceholderRowExec;
use datafusion::physical_plan::ExecutionPlan;

/// Rewrites `EmptyExec` and `PlaceholderRowExec` into memory scans of the same output.
#[derive(Debug, Default)]
pub struct EmptyLeavesAsMemoryScans;

impl PhysicalOptimizerRule for EmptyLeavesAsMemoryScans {
    fn optimize(
        &self,
        plan: Arc<dyn ExecutionPlan>,
        _config: &ConfigOptions,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        plan.transform_up(|node| {
            let partition_count = node.properties().output_partitioning().partition_count();
            let rows_per_partition = if node.is::<EmptyExec>() {
                0
            } else if node.is::<PlaceholderRowExec>() {
                1
            } else {
                return Ok(Transformed::no(node));
            };
            match memory_scan(node.schema(), partition_count, rows_per_partition)? {
                Some(scan) => Ok(Transformed::yes(scan)),
                None => Ok(Transformed::no(node)),
            }
        })
        .map(|transformed| transformed.data)
    }

    fn name(&self) -> &str {
        "empty_leaves_as_memory_scans"
    }

    fn schema_check(&self) -> bool {
        true
    }
}

/// A memory scan of `partition_count` partitions, each holding `rows` all-null rows, or `None`
/// when `schema` cannot hold a null row (a non-nullable column).
fn memory_scan(
    schema: SchemaRef,
    partition_count: usize,
    rows: usize,
) -> Result<Option<Arc<dyn ExecutionPlan>>> {
    let partition = if rows == 0 {
        Vec::new()
    } else {
        if schema.fields().iter().any(|field| !field.is_nullable()) {
            return Ok(None);
        }
        let columns = schema
            .fields()
            .iter()
            .map(|field| new_null_array(field.data_type(), rows))
            .collect();
        let options = RecordBatchOptions::new().with_row_count(Some(rows));
        vec![RecordBatch::try_new_with_options(
            schema.clone(),
            columns,
            &options,
        )?]
    };
    let partitions = vec![partition; partition_count];
    let scan: Arc<dyn ExecutionPlan> = MemorySourceConfig::try_new_exec(&partitions, schema, None)?;
    Ok(Some(scan))
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::datatypes::{DataType, Field, Schema};
    use datafusion::physical_plan::{collect, displayable};
    use datafusion::prelude::SessionContext;

    async fn rows_of(plan: Arc<dyn ExecutionPlan>) -> usize {
        let context = SessionContext::new();
        collect(plan, context.task_ctx())
            .await
            .unwrap()
            .iter()
            .map(RecordBatch::num_rows)
            .sum()
    }

    #[tokio::test]
    async fn empty_and_placeholder_leaves_become_memory_scans_of_the_same_rows() {
        let schema = Arc::new(Schema::new(vec![Field::new("a", DataType::Int64, true)]));
        let union = datafusion::physical_plan::union::UnionExec::try_new(vec![
            Arc::new(EmptyExec::new(schema.clone()).with_partitions(2)),
            Arc::new(PlaceholderRowExec::new(schema.clone()).with_partitions(3)),
        ])
        .unwrap();
        let before = rows_of(union.clone()).await;
        let rewritten = EmptyLeavesAsMemoryScans
            .optimize(union, &ConfigOptions::default())
            .unwrap();
        let shown = displayable(rewritten.as_ref()).indent(false).to_string();
        assert!(!shown.contains("EmptyExec"), "{shown}");
        assert!(!shown.contains("PlaceholderRowExec"), "{shown}");
        assert_eq!(
            rewritten
                .properties()
                .output_partitioning()
                .partition_count(),
            5
        );
        assert_eq!(rewritten.schema(), schema);
        assert_eq!(before, 3);
        assert_eq!(rows_of(rewritten).await, before);
    }

    #[tokio::test]
    async fn a_placeholder_without_columns_keeps_its_row() {
        let placeholder: Arc<dyn ExecutionPlan> =
            Arc::new(PlaceholderRowExec::new(Arc::new(Schema::empty())));
        let rewritten = EmptyLeavesAsMemoryScans
            .optimize(placeholder, &ConfigOptions::default())
            .unwrap();
        assert!(rewritten.is::<datafusion::datasource::source::DataSourceExec>());
        // The scheduler ships the scan to executors as protobuf: the row survives it.
        let bytes = datafusion_proto::bytes::physical_plan_to_bytes(rewritten).unwrap();
        let context = SessionContext::new();
        let shipped =
            datafusion_proto::bytes::physical_plan_from_bytes(&bytes, &context.task_ctx()).unwrap();
        assert_eq!(rows_of(shipped).await, 1);
    }
}

//! Comparing the outputs of paylake and its peer: every row, not counts. Each row's columns
//! are read as text (NULL told from any value) and hashed; the digest of a table is its row
//! count and the wrapping sum of its row hashes, so that it does not depend on row order. When
//! two digests differ, the rows only one side has are found and shown.

use std::collections::{BTreeMap, BTreeSet};
use std::hash::{Hash, Hasher};
use std::path::Path;

use arrow::array::{Array, StringArray};
use arrow::datatypes::{DataType, Int64Type};
use datafusion::prelude::{ParquetReadOptions, SessionContext};
use futures::StreamExt;

use crate::error::{BenchError, Result};

/// An order-independent digest of a query's rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RowsDigest {
    pub(crate) rows: u64,
    pub(crate) sum_of_row_hashes: u64,
}

impl std::fmt::Display for RowsDigest {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            formatter,
            "{} rows, digest {:016x}",
            self.rows, self.sum_of_row_hashes
        )
    }
}

/// The digest of every row `query` returns in `context`, each column read as text.
pub(crate) async fn digest_of_rows(context: &SessionContext, query: &str) -> Result<RowsDigest> {
    let mut stream = context.sql(query).await?.execute_stream().await?;
    let mut digest = RowsDigest {
        rows: 0,
        sum_of_row_hashes: 0,
    };
    while let Some(batch) = stream.next().await {
        let batch = batch?;
        let texts = batch
            .columns()
            .iter()
            .map(|column| arrow::compute::cast(column, &DataType::Utf8))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let texts: Vec<&StringArray> = texts
            .iter()
            .map(|column| arrow::array::cast::as_string_array(column))
            .collect();
        for row in 0..batch.num_rows() {
            let mut hasher = std::hash::DefaultHasher::new();
            for column in &texts {
                column
                    .is_valid(row)
                    .then(|| column.value(row))
                    .hash(&mut hasher);
            }
            digest.rows += 1;
            digest.sum_of_row_hashes = digest.sum_of_row_hashes.wrapping_add(hasher.finish());
        }
    }
    Ok(digest)
}

/// paylake's output file and the peer's, both Parquet, read side by side as the tables
/// `paylake` and `peer` of one session.
pub(crate) struct Outputs {
    what: String,
    context: SessionContext,
}

impl Outputs {
    /// Opens both files; `what` names the output in messages ("the alerts").
    pub(crate) async fn open(
        what: &str,
        paylake_output: &Path,
        peer_output: &Path,
    ) -> Result<Self> {
        let context = SessionContext::new();
        for (name, path) in [("paylake", paylake_output), ("peer", peer_output)] {
            context
                .register_parquet(
                    name,
                    path.to_string_lossy().as_ref(),
                    ParquetReadOptions::default(),
                )
                .await
                .map_err(|err| {
                    BenchError::Process(format!(
                        "{what}: the {name} output {} cannot be read: {err}",
                        path.display()
                    ))
                })?;
        }
        Ok(Outputs {
            what: what.to_string(),
            context,
        })
    }

    /// Prints the rows per `key` (an expression over a table named `output`) of each side,
    /// side by side, marking the keys that differ: `first` in their order (shown even when
    /// neither side has them), then any other key either side has.
    pub(crate) async fn print_counts(
        &self,
        heading: &str,
        key: &str,
        first: &[&str],
    ) -> Result<()> {
        let mut counts: Vec<BTreeMap<String, i64>> = Vec::new();
        for side in ["paylake", "peer"] {
            let batches = self
                .context
                .sql(&format!(
                    "SELECT CAST({key} AS VARCHAR), count(*) FROM {side} AS output GROUP BY 1"
                ))
                .await?
                .collect()
                .await?;
            let mut side_counts = BTreeMap::new();
            for batch in &batches {
                // Read as the types named here, whatever the engine gives (Utf8View, say).
                let keys = arrow::compute::cast(batch.column(0), &DataType::Utf8)?;
                let rows = arrow::compute::cast(batch.column(1), &DataType::Int64)?;
                let keys = arrow::array::cast::as_string_array(&keys);
                let rows = arrow::array::cast::as_primitive_array::<Int64Type>(&rows);
                for row in 0..batch.num_rows() {
                    side_counts.insert(keys.value(row).to_string(), rows.value(row));
                }
            }
            counts.push(side_counts);
        }
        let mut keys: Vec<String> = first.iter().map(|key| key.to_string()).collect();
        let others: BTreeSet<&String> = counts.iter().flat_map(BTreeMap::keys).collect();
        keys.extend(
            others
                .into_iter()
                .filter(|key| !first.contains(&key.as_str()))
                .cloned(),
        );
        let width = keys
            .iter()
            .map(String::len)
            .max()
            .unwrap_or(0)
            .max(heading.len());
        println!("  {heading:<width$} {:>9} {:>9}", "paylake", "peer");
        for key in &keys {
            let (mine, peers) = (
                counts[0].get(key).copied().unwrap_or_default(),
                counts[1].get(key).copied().unwrap_or_default(),
            );
            let mark = if mine == peers { "" } else { "  (differs)" };
            println!("  {key:<width$} {mine:>9} {peers:>9}{mark}");
        }
        Ok(())
    }

    /// Compares the two files as the rows of `columns` (SQL expressions over a table named
    /// `output`, the same for both sides). Equal: their common digest. Different: an error that
    /// counts and shows the rows only one side has, grouped by `group_by` (an expression of
    /// `columns`' names) so that a reader sees where.
    pub(crate) async fn compare(&self, columns: &[&str], group_by: &str) -> Result<RowsDigest> {
        let rows_of = |side: &str| format!("SELECT {} FROM {side} AS output", columns.join(", "));
        let context = &self.context;
        let what = &self.what;
        let ours = digest_of_rows(context, &rows_of("paylake")).await?;
        let theirs = digest_of_rows(context, &rows_of("peer")).await?;
        if ours == theirs {
            return Ok(ours);
        }
        let mut report =
            format!("{what} of the two sides differ: paylake {ours}, the peer {theirs}");
        for (only, other) in [("paylake", "peer"), ("peer", "paylake")] {
            let only_here = format!(
                "SELECT * FROM ({}) EXCEPT ALL SELECT * FROM ({})",
                rows_of(only),
                rows_of(other)
            );
            let only_here_rows = context
                .sql(&format!("SELECT count(*) FROM ({only_here}) AS different"))
                .await?
                .collect()
                .await?;
            let none = only_here_rows.first().is_some_and(|batch| {
                arrow::array::cast::as_primitive_array::<arrow::datatypes::Int64Type>(
                    batch.column(0),
                )
                .value(0)
                    == 0
            });
            if none {
                report.push_str(&format!("\nno row only {only} has"));
                continue;
            }
            let counts = context
                .sql(&format!(
                    "SELECT CAST({group_by} AS VARCHAR) AS place, count(*) AS n \
                     FROM ({only_here}) AS different GROUP BY 1 ORDER BY 1"
                ))
                .await?
                .collect()
                .await?;
            let samples = context
                .sql(&format!("{only_here} LIMIT 3"))
                .await?
                .collect()
                .await?;
            report.push_str(&format!(
                "\nrows only {only} has, by {group_by}:\n{}\nfor example:\n{}",
                arrow::util::pretty::pretty_format_batches(&counts)?,
                arrow::util::pretty::pretty_format_batches(&samples)?
            ));
        }
        Err(BenchError::Differs(report))
    }
}

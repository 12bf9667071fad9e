//! Logical replication of the Aurora tables into bronze, exactly once.
//!
//! Replicated changes take the same commit path as landing files
//! ([`crate::pipeline::commit_chunk`]): each source transaction is a unit, like a file, so it
//! gets the same quarantine, redaction of free text, schema evolution (a column the source
//! added becomes a column of the bronze table) and a row in `system.ingest_runs`.
//!
//! Positions: every bronze (and quarantine) commit carries the Delta application transaction
//! `postgres:<slot>` whose version is the commit LSN of the last source transaction it holds.
//! The slot's confirmed position advances only after those commits, so a crash in between
//! replays the transactions, and each table skips those its version already covers.
//!
//! Snapshot: when the slot is new, each published table is read in one REPEATABLE READ
//! transaction after the slot was created. A change committed between the two is then both
//! in the snapshot and in the stream; snapshot rows sort before every streamed change, so the
//! stream replays it over the snapshot and silver converges to the source's state.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use arrow::datatypes::{DataType, Field, FieldRef, TimeUnit};
use paylake_catalog::delta::{app_transaction_version, app_transactions, open_table};
use paylake_catalog::{lake_session, registry, Lake, Zone};
use tokio_postgres::{Client, NoTls, SimpleQueryMessage};

use super::pgoutput::{
    decode, format_lsn, parse_lsn, Message, Relation, RelationColumn, TupleValue,
};
use crate::bronze::{IngestRun, SourcePosition, SourceUnit};
use crate::error::{IngestError, Result};
use crate::pii::EmbeddedPiiDetector;
use crate::pipeline::{commit_chunk, record_run, SourceReport, TakenBy};
use crate::rows::{parse_text_value, value_at, Value};
use crate::sources::{
    add_evolved_fields, dms, entity_fields, evolved_values_as, key_indexes, ParsedFile,
    QuarantinedRecord, Source, TakenRecord,
};

/// Where to replicate from.
#[derive(Debug, Clone)]
pub struct ReplicationSettings {
    /// A libpq connection string or `postgresql://` URL.
    pub connection: String,
    /// Logical replication slot (plugin pgoutput), created when missing.
    pub slot: String,
    /// Publication of the replicated tables, created when missing.
    pub publication: String,
    /// Changes decoded per batch; a batch always ends on a transaction's commit.
    pub batch_changes: u32,
}

/// What one replication call did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ReplicationReport {
    pub snapshot_rows: u64,
    pub transactions: u64,
    pub changes: u64,
    pub quarantined: u64,
    /// The slot's confirmed position after the call.
    pub confirmed_lsn: Option<String>,
}

/// A change or a refused change of one source transaction.
#[derive(Debug)]
enum Decoded {
    /// A change of an entity; its record's `extra` values are of the given source columns the
    /// registry lacks.
    Change(&'static str, TakenRecord, Arc<[FieldRef]>),
    Refused(QuarantinedRecord),
}

impl Decoded {
    /// The table the item is written to: its entity's bronze table, or the source's quarantine.
    fn table(&self) -> (Zone, &'static str) {
        match self {
            Decoded::Change(entity, ..) => (Zone::Bronze, *entity),
            Decoded::Refused(_) => (Zone::Quarantine, Source::Aurora.name()),
        }
    }
}

/// A committed source transaction.
#[derive(Debug)]
struct SourceTransaction {
    commit_lsn: u64,
    end_lsn: u64,
    items: Vec<Decoded>,
}

/// Decoded transactions not yet confirmed to the slot.
#[derive(Debug, Default)]
pub struct Batch {
    transactions: Vec<SourceTransaction>,
}

impl Batch {
    pub fn is_empty(&self) -> bool {
        self.transactions.is_empty()
    }

    /// The position the slot may move to once the batch is committed.
    pub fn end_lsn(&self) -> Option<u64> {
        self.transactions
            .last()
            .map(|transaction| transaction.end_lsn)
    }
}

/// A connection to the source with its slot and publication.
pub struct Replicator {
    client: Client,
    settings: ReplicationSettings,
    /// Set once every table's snapshot is in bronze: a replicator that follows the slot then
    /// stops opening each bronze table's log on every poll to ask again.
    snapshot_done: std::sync::atomic::AtomicBool,
}

/// A replicated table as the lake reads its tuples: which registry entity, where each of the
/// entity's fields sits in a tuple, and the source's columns the registry lacks.
#[derive(Debug)]
struct TableShape {
    entity: Option<&'static str>,
    fields: Vec<FieldRef>,
    field_columns: Vec<Option<usize>>,
    key_indexes: Vec<usize>,
    evolved: Arc<[FieldRef]>,
    evolved_columns: Vec<usize>,
}

impl TableShape {
    fn new(relation: &Relation) -> Self {
        let Some(entity) = entity_of(&relation.namespace, &relation.name) else {
            return TableShape {
                entity: None,
                fields: Vec::new(),
                field_columns: Vec::new(),
                key_indexes: Vec::new(),
                evolved: Arc::from(Vec::new()),
                evolved_columns: Vec::new(),
            };
        };
        let fields = entity_fields(entity);
        let field_columns = fields
            .iter()
            .map(|field| {
                relation
                    .columns
                    .iter()
                    .position(|column| column.name == *field.name())
            })
            .collect();
        // Columns the source added since the registry was written: carried along, nullable;
        // names starting with `_` are the lake's lineage.
        let (evolved, evolved_columns): (Vec<FieldRef>, Vec<usize>) = relation
            .columns
            .iter()
            .enumerate()
            .filter(|(_, column)| {
                !column.name.starts_with('_')
                    && !fields.iter().any(|field| *field.name() == column.name)
            })
            .map(|(index, column)| {
                let field = Arc::new(Field::new(&column.name, evolved_type(column), true));
                (field, index)
            })
            .unzip();
        TableShape {
            entity: Some(entity),
            key_indexes: key_indexes(entity, &fields),
            fields,
            field_columns,
            evolved: Arc::from(evolved),
            evolved_columns,
        }
    }

    /// A tuple's registry values and its values of the evolved columns; an error names the
    /// field that cannot be read or the key field that is missing.
    fn values(
        &self,
        tuple: &[TupleValue],
    ) -> std::result::Result<(Vec<Value>, Vec<Value>), String> {
        let read = |field: &FieldRef, value: Option<&TupleValue>| {
            match value {
            None | Some(TupleValue::Null) => Ok(Value::Null),
            Some(TupleValue::UnchangedToast) => Err(format!(
                "field '{}': unchanged TOAST value not sent; set REPLICA IDENTITY FULL on the table",
                field.name()
            )),
            Some(TupleValue::Text(text)) => parse_text_value(field.data_type(), text)
                .map_err(|reason| format!("field '{}': {reason}", field.name())),
        }
        };
        let values = self
            .fields
            .iter()
            .zip(&self.field_columns)
            .map(|(field, column)| read(field, column.and_then(|index| tuple.get(index))))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let extra = self
            .evolved
            .iter()
            .zip(&self.evolved_columns)
            .map(|(field, index)| read(field, tuple.get(*index)))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        Ok((values, extra))
    }

    fn missing_key(&self, values: &[Value]) -> Option<String> {
        self.key_indexes
            .iter()
            .find(|index| values[**index] == Value::Null)
            .map(|index| format!("missing key field '{}'", self.fields[*index].name()))
    }
}

/// The lake type of a source column the registry lacks, from its PostgreSQL type: one of the
/// types rows carry, else its text.
fn evolved_type(column: &RelationColumn) -> DataType {
    const BOOL: u32 = 16;
    const INT8: u32 = 20;
    const INT2: u32 = 21;
    const INT4: u32 = 23;
    const DATE: u32 = 1082;
    const TIMESTAMP: u32 = 1114;
    const TIMESTAMPTZ: u32 = 1184;
    const NUMERIC: u32 = 1700;
    match column.type_oid {
        BOOL => DataType::Boolean,
        INT8 | INT2 | INT4 => DataType::Int64,
        DATE => DataType::Date32,
        TIMESTAMP | TIMESTAMPTZ => DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
        // numeric(p, s) has the modifier ((p << 16) | s) + 4; a numeric without one has no
        // fixed scale and stays text, so no digit is lost.
        NUMERIC if column.type_modifier >= 4 => {
            let modifier = column.type_modifier - 4;
            match (
                u8::try_from(modifier >> 16),
                i8::try_from(modifier & 0xFFFF),
            ) {
                (Ok(precision), Ok(scale)) if (1..=38).contains(&precision) => {
                    DataType::Decimal128(precision, scale)
                }
                _ => DataType::Utf8,
            }
        }
        _ => DataType::Utf8,
    }
}

fn checked_identifier(kind: &str, name: &str) -> Result<()> {
    let valid = !name.is_empty()
        && name
            .bytes()
            .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'_');
    if valid {
        Ok(())
    } else {
        Err(IngestError::Replication(format!(
            "{kind} name '{name}' must be lower-case letters, digits and underscores"
        )))
    }
}

fn entity_of(namespace: &str, table: &str) -> Option<&'static str> {
    dms::TABLES
        .iter()
        .find(|(schema, name)| *schema == namespace && *name == table)
        .map(|(_, entity)| *entity)
}

/// Sorts in commit order, and after every snapshot row taken at the slot's creation.
fn change_order(commit_micros: i64, commit_lsn: u64, sequence: usize) -> String {
    format!("{commit_micros:020}|pg|{commit_lsn:016X}|{sequence:010}")
}

fn source_file(slot: &str, lsn: u64) -> String {
    format!("postgres/{slot}/{}", format_lsn(lsn))
}

/// The application id under which a table records the slot's changes it holds.
fn slot_app_id(slot: &str) -> String {
    format!("postgres:{slot}")
}

/// A replicated source transaction as a unit: tables hold the slot's changes up to its LSN.
fn transaction_unit(slot: &str, commit_lsn: u64) -> SourceUnit {
    SourceUnit {
        relative_path: source_file(slot, commit_lsn),
        position: SourcePosition {
            app_id: slot_app_id(slot),
            version: i64::try_from(commit_lsn).expect("LSNs stay below 2^63"),
        },
    }
}

/// One table's snapshot as a unit, taken once.
fn snapshot_unit(slot: &str, slot_lsn: u64, entity: &str) -> SourceUnit {
    SourceUnit {
        relative_path: format!("{}/snapshot", source_file(slot, slot_lsn)),
        position: SourcePosition {
            app_id: format!("postgres-snapshot:{slot}/{entity}"),
            version: 1,
        },
    }
}

impl Replicator {
    /// Connects, and creates the publication and the slot if they do not exist yet.
    pub async fn connect(settings: ReplicationSettings) -> Result<Self> {
        checked_identifier("slot", &settings.slot)?;
        checked_identifier("publication", &settings.publication)?;
        let (client, connection) = tokio_postgres::connect(&settings.connection, NoTls).await?;
        tokio::spawn(async move {
            if let Err(err) = connection.await {
                tracing::warn!(%err, "postgresql connection ended");
            }
        });
        let replicator = Replicator {
            client,
            settings,
            snapshot_done: std::sync::atomic::AtomicBool::new(false),
        };
        replicator.ensure_publication().await?;
        Ok(replicator)
    }

    async fn ensure_publication(&self) -> Result<()> {
        let publication = &self.settings.publication;
        let exists = self
            .client
            .query(
                "SELECT 1 FROM pg_publication WHERE pubname = $1",
                &[publication],
            )
            .await?;
        if !exists.is_empty() {
            return Ok(());
        }
        let mut tables = Vec::new();
        for (schema, table) in dms::TABLES {
            let found = self
                .client
                .query(
                    "SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2",
                    &[&schema, &table],
                )
                .await?;
            if !found.is_empty() {
                tables.push(format!("\"{schema}\".\"{table}\""));
            }
        }
        if tables.is_empty() {
            return Err(IngestError::Replication(
                "none of the replicated tables exists in the source database".into(),
            ));
        }
        self.client
            .batch_execute(&format!(
                "CREATE PUBLICATION \"{publication}\" FOR TABLE {}",
                tables.join(", ")
            ))
            .await?;
        Ok(())
    }

    /// The slot's confirmed position, creating the slot when missing.
    async fn ensure_slot(&self) -> Result<(u64, bool)> {
        let slot = &self.settings.slot;
        let existing = self
            .client
            .query(
                "SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = $1",
                &[slot],
            )
            .await?;
        if let Some(row) = existing.first() {
            let lsn: Option<String> = row.get(0);
            return Ok((lsn.as_deref().and_then(parse_lsn).unwrap_or(0), false));
        }
        let created = self
            .client
            .query(
                "SELECT lsn::text FROM pg_create_logical_replication_slot($1, 'pgoutput')",
                &[slot],
            )
            .await?;
        let lsn: String = created[0].get(0);
        tracing::info!(slot = %slot, lsn = %lsn, "replication slot created");
        Ok((parse_lsn(&lsn).unwrap_or(0), true))
    }

    /// Copies the tables whose bronze lacks this slot's snapshot; returns the rows taken.
    pub async fn snapshot(
        &self,
        lake: &Lake,
        run: &IngestRun,
        report: &mut SourceReport,
    ) -> Result<u64> {
        let slot = &self.settings.slot;
        let (slot_lsn, _created) = self.ensure_slot().await?;
        // Lakes replicated before snapshots were recorded per table hold this one id.
        let whole_snapshot_app = format!("postgres-snapshot:{slot}");
        let mut pending = Vec::new();
        for (schema, entity) in dms::TABLES {
            let table = registry().get(Zone::Bronze, entity)?;
            let held = match open_table(lake, table).await? {
                Some(delta_table) => app_transactions(&delta_table, table).await?,
                None => HashMap::new(),
            };
            let unit = snapshot_unit(slot, slot_lsn, entity);
            if !unit.position.is_held_in(&held) && !held.contains_key(&whole_snapshot_app) {
                pending.push((schema, entity, unit));
            }
        }
        if pending.is_empty() {
            return Ok(0);
        }
        // Snapshot rows sort before any change the stream brings (see the module comment).
        let snapshot_micros = chrono::Utc::now().timestamp_micros();
        let snapshot_order = change_order(0, slot_lsn, 0);
        self.client
            .batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .await?;
        let mut copied = 0;
        for (schema, entity, unit) in pending {
            // A table that does not exist in this source has nothing to copy; its snapshot is
            // still recorded as done.
            let relation = self.relation_of(schema, entity).await?;
            let messages = match &relation {
                Some(_) => {
                    self.client
                        .simple_query(&format!("SELECT * FROM \"{schema}\".\"{entity}\""))
                        .await?
                }
                None => Vec::new(),
            };
            let shape = relation.as_ref().map(TableShape::new);
            let mut file = ParsedFile::default();
            // Where each relation column lies among the returned ones: the same for every row.
            let mut returned_index: Option<Vec<Option<usize>>> = None;
            for message in messages {
                let (SimpleQueryMessage::Row(row), Some(relation), Some(shape)) =
                    (message, &relation, &shape)
                else {
                    continue;
                };
                file.records_read += 1;
                let position = i64::try_from(file.records_read).unwrap_or(i64::MAX);
                let indexes = returned_index.get_or_insert_with(|| {
                    relation
                        .columns
                        .iter()
                        .map(|column| {
                            row.columns()
                                .iter()
                                .position(|returned| returned.name() == column.name)
                        })
                        .collect()
                });
                let tuple: Vec<TupleValue> = indexes
                    .iter()
                    .map(|index| {
                        index
                            .and_then(|index| row.get(index))
                            .map_or(TupleValue::Null, |text| TupleValue::Text(text.to_string()))
                    })
                    .collect();
                let read = shape.values(&tuple).and_then(|(values, extra)| {
                    shape.missing_key(&values).map_or(Ok((values, extra)), Err)
                });
                match read {
                    Ok((values, extra)) => file.take(
                        entity,
                        TakenRecord {
                            values,
                            op: "I",
                            source_order: format!("{snapshot_order}|{position:010}"),
                            commit_micros: Some(snapshot_micros),
                            position,
                            extra,
                        },
                    ),
                    Err(reason) => file.quarantined.push(QuarantinedRecord {
                        position: Some(position),
                        target_entity: Some(entity),
                        reason: format!("{} row {position}: {reason}", unit.relative_path),
                        raw_payload: Some(format!("{tuple:?}")),
                    }),
                }
            }
            if let Some(shape) = shape.filter(|shape| !shape.evolved.is_empty()) {
                file.evolved.insert(entity, shape.evolved.to_vec());
            }
            let rows = file.records_taken();
            copied += rows;
            // The bronze commit marks the table's snapshot done, rows or none.
            commit_chunk(
                lake,
                Source::Aurora,
                TakenBy::Bronze(entity),
                vec![(unit, file)],
                run,
                &EmbeddedPiiDetector,
                report,
            )
            .await?;
            tracing::info!(table = entity, rows, "snapshot copied");
        }
        self.client.batch_execute("COMMIT").await?;
        Ok(copied)
    }

    /// A source table's columns as a Relation message would describe them; None when the
    /// table does not exist.
    async fn relation_of(&self, schema: &str, table: &str) -> Result<Option<Relation>> {
        let columns = self
            .client
            .query(
                "SELECT attname::text, atttypid, atttypmod FROM pg_attribute \
                 WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped \
                 ORDER BY attnum",
                &[&format!("\"{schema}\".\"{table}\"")],
            )
            .await?;
        if columns.is_empty() {
            return Ok(None);
        }
        Ok(Some(Relation {
            id: 0,
            namespace: schema.to_string(),
            name: table.to_string(),
            columns: columns
                .iter()
                .map(|row| RelationColumn {
                    name: row.get(0),
                    is_key: false,
                    type_oid: row.get(1),
                    type_modifier: row.get(2),
                })
                .collect(),
        }))
    }

    /// Decodes the next whole transactions after the slot's confirmed position, without
    /// consuming them.
    pub async fn next_batch(&self, lake: &Lake) -> Result<Batch> {
        let rows = self
            .client
            .query(
                "SELECT lsn::text, data FROM pg_logical_slot_peek_binary_changes($1, NULL, $2, \
                 'proto_version', '1', 'publication_names', $3)",
                &[
                    &self.settings.slot,
                    &i32::try_from(self.settings.batch_changes).unwrap_or(i32::MAX),
                    &self.settings.publication,
                ],
            )
            .await?;
        let mut relations: HashMap<u32, (Relation, TableShape)> = HashMap::new();
        let mut batch = Batch::default();
        let mut open: Option<(i64, Vec<Decoded>)> = None;
        for row in rows {
            let lsn: String = row.get(0);
            let data: Vec<u8> = row.get(1);
            let message = decode(&data).map_err(|err| {
                IngestError::Replication(format!("slot {} at {lsn}: {err}", self.settings.slot))
            })?;
            match message {
                Message::Begin { commit_micros, .. } => open = Some((commit_micros, Vec::new())),
                Message::Relation(relation) => {
                    let shape = TableShape::new(&relation);
                    relations.insert(relation.id, (relation, shape));
                }
                Message::Commit {
                    commit_lsn,
                    end_lsn,
                    commit_micros,
                } => {
                    let (_, changes) = open.take().unwrap_or((commit_micros, Vec::new()));
                    let items = self
                        .place_changes(lake, changes, commit_micros, commit_lsn, &batch)
                        .await?;
                    batch.transactions.push(SourceTransaction {
                        commit_lsn,
                        end_lsn,
                        items,
                    });
                }
                Message::Other(_) => {}
                change => {
                    let Some((_, changes)) = open.as_mut() else {
                        return Err(IngestError::Replication(format!(
                            "slot {} at {lsn}: a change outside a transaction",
                            self.settings.slot
                        )));
                    };
                    changes.extend(decode_change(&relations, change));
                }
            }
        }
        Ok(batch)
    }

    /// Gives the changes of one transaction their order and lineage; a truncate becomes a
    /// delete of every row the lake holds of the table.
    async fn place_changes(
        &self,
        lake: &Lake,
        changes: Vec<Decoded>,
        commit_micros: i64,
        commit_lsn: u64,
        earlier: &Batch,
    ) -> Result<Vec<Decoded>> {
        let mut placed = Vec::new();
        for (sequence, change) in changes.into_iter().enumerate() {
            let position = sequence as i64 + 1;
            match change {
                Decoded::Change(entity, record, _) if record.op == "T" => {
                    for values in self.current_keys(lake, entity, earlier).await? {
                        placed.push(Decoded::Change(
                            entity,
                            TakenRecord {
                                values,
                                op: "D",
                                source_order: format!(
                                    "{}|{:010}",
                                    change_order(commit_micros, commit_lsn, sequence),
                                    placed.len()
                                ),
                                commit_micros: Some(commit_micros),
                                position,
                                extra: Vec::new(),
                            },
                            Arc::from(Vec::new()),
                        ));
                    }
                }
                Decoded::Change(entity, mut record, evolved) => {
                    record.source_order = change_order(commit_micros, commit_lsn, sequence);
                    record.commit_micros = Some(commit_micros);
                    record.position = position;
                    placed.push(Decoded::Change(entity, record, evolved));
                }
                Decoded::Refused(mut refused) => {
                    refused.position = Some(position);
                    refused.reason = format!(
                        "{} change {position}: {}",
                        source_file(&self.settings.slot, commit_lsn),
                        refused.reason
                    );
                    placed.push(Decoded::Refused(refused));
                }
            }
        }
        Ok(placed)
    }

    /// Keys of the rows of `entity` in silver, and of those inserted earlier in this batch.
    async fn current_keys(
        &self,
        lake: &Lake,
        entity: &'static str,
        earlier: &Batch,
    ) -> Result<Vec<Vec<Value>>> {
        let table = registry().get(Zone::Silver, entity)?;
        let fields = entity_fields(entity);
        let key_indexes = key_indexes(entity, &fields);
        let keys_only = |key_values: Vec<Value>| {
            let mut values = vec![Value::Null; fields.len()];
            for (index, value) in key_indexes.iter().zip(key_values) {
                values[*index] = value;
            }
            values
        };
        let context = lake_session(lake).await?;
        let columns = table
            .key
            .iter()
            .map(|key| format!("\"{key}\""))
            .collect::<Vec<_>>()
            .join(", ");
        let batches = context
            .sql(&format!("SELECT {columns} FROM silver.{entity}"))
            .await?
            .collect()
            .await?;
        let mut keys = Vec::new();
        for batch in batches {
            // DataFusion may hand text back as Utf8View: each key column is read as its type.
            let columns = table
                .key
                .iter()
                .enumerate()
                .map(|(index, key)| {
                    let data_type = table.schema.field_with_name(key)?.data_type();
                    arrow::compute::cast(batch.column(index), data_type)
                })
                .collect::<std::result::Result<Vec<_>, _>>()?;
            for row in 0..batch.num_rows() {
                let key_values = columns
                    .iter()
                    .map(|column| value_at(column.as_ref(), row))
                    .collect::<std::result::Result<Vec<_>, _>>()?;
                keys.push(keys_only(key_values));
            }
        }
        for transaction in &earlier.transactions {
            for item in &transaction.items {
                if let Decoded::Change(changed, record, _) = item {
                    if *changed == entity && record.op != "D" {
                        keys.push(keys_only(
                            key_indexes
                                .iter()
                                .map(|index| record.values[*index].clone())
                                .collect(),
                        ));
                    }
                }
            }
        }
        Ok(keys)
    }

    /// Commits the batch's transactions that not every table they touch holds yet, through
    /// the commit path of landing files: changes to bronze, refused changes to quarantine.
    pub async fn commit(
        &self,
        lake: &Lake,
        batch: &Batch,
        run: &IngestRun,
        report: &mut SourceReport,
    ) -> Result<()> {
        let slot = &self.settings.slot;
        let app_id = slot_app_id(slot);
        // Each table's position, read once: a transaction every table of which holds it was
        // committed before a crash, and is neither committed nor counted again.
        let mut held_lsn: HashMap<(Zone, &'static str), u64> = HashMap::new();
        for transaction in &batch.transactions {
            for item in &transaction.items {
                let table = item.table();
                if held_lsn.contains_key(&table) {
                    continue;
                }
                let table_def = registry().get(table.0, table.1)?;
                let lsn = match open_table(lake, table_def).await? {
                    Some(delta_table) => {
                        app_transaction_version(&delta_table, table_def, &app_id).await?
                    }
                    None => None,
                };
                held_lsn.insert(table, lsn.map_or(0, |version| version as u64));
            }
        }
        let mut units = Vec::new();
        for transaction in &batch.transactions {
            let held_everywhere = transaction
                .items
                .iter()
                .all(|item| held_lsn[&item.table()] >= transaction.commit_lsn);
            if held_everywhere {
                continue;
            }
            units.push((
                transaction_unit(slot, transaction.commit_lsn),
                transaction_file(transaction),
            ));
        }
        if units.is_empty() {
            return Ok(());
        }
        commit_chunk(
            lake,
            Source::Aurora,
            TakenBy::EachTable,
            units,
            run,
            &EmbeddedPiiDetector,
            report,
        )
        .await
    }

    /// Moves the slot past the batch: the source may now recycle its WAL.
    pub async fn confirm(&self, batch: &Batch) -> Result<()> {
        let Some(end_lsn) = batch.end_lsn() else {
            return Ok(());
        };
        self.client
            .query(
                &format!(
                    "SELECT end_lsn::text FROM pg_replication_slot_advance($1, '{}'::pg_lsn)",
                    format_lsn(end_lsn)
                ),
                &[&self.settings.slot],
            )
            .await?;
        Ok(())
    }

    /// Snapshot when needed, then every committed change up to now, batch by batch; the
    /// call is one ingest run of the Aurora source in `system.ingest_runs`.
    pub async fn replicate(&self, lake: &Lake) -> Result<ReplicationReport> {
        let run = IngestRun::start();
        let mut taken = SourceReport::default();
        use std::sync::atomic::Ordering;
        let snapshot_rows = if self.snapshot_done.load(Ordering::Relaxed) {
            0
        } else {
            let rows = self.snapshot(lake, &run, &mut taken).await?;
            self.snapshot_done.store(true, Ordering::Relaxed);
            rows
        };
        let mut report = ReplicationReport {
            snapshot_rows,
            ..ReplicationReport::default()
        };
        let taken_by_snapshot = taken.records_taken;
        loop {
            let batch = self.next_batch(lake).await?;
            if batch.is_empty() {
                break;
            }
            let changes_before = taken.records_taken;
            self.commit(lake, &batch, &run, &mut taken).await?;
            self.confirm(&batch).await?;
            report.transactions += batch.transactions.len() as u64;
            tracing::info!(
                transactions = batch.transactions.len(),
                changes = taken.records_taken - changes_before,
                lsn = %batch.end_lsn().map(format_lsn).unwrap_or_default(),
                "replicated"
            );
        }
        debug_assert_eq!(
            taken.records_read,
            taken.records_taken + taken.records_quarantined
        );
        report.changes = taken.records_taken - taken_by_snapshot;
        report.quarantined = taken.records_quarantined;
        if taken.files_taken > 0 {
            record_run(lake, Source::Aurora.name(), &taken, &run).await?;
        }
        report.confirmed_lsn = Some(format_lsn(self.ensure_slot().await?.0));
        Ok(report)
    }
}

/// A source transaction as a parsed unit: its changes per entity, with the new source columns
/// of the entity as they were when each change was made (a column added inside the
/// transaction is null in the changes before it), and its refused changes.
fn transaction_file(transaction: &SourceTransaction) -> ParsedFile {
    let mut file = ParsedFile {
        records_read: transaction.items.len() as u64,
        ..ParsedFile::default()
    };
    let mut evolved: BTreeMap<&'static str, Vec<FieldRef>> = BTreeMap::new();
    for item in &transaction.items {
        if let Decoded::Change(entity, _, fields) = item {
            add_evolved_fields(evolved.entry(entity).or_default(), fields);
        }
    }
    for item in &transaction.items {
        match item {
            Decoded::Change(entity, record, fields) => {
                let mut record = record.clone();
                record.extra = evolved_values_as(fields, &record.extra, &evolved[entity]);
                file.take(entity, record);
            }
            Decoded::Refused(refused) => file.quarantined.push(refused.clone()),
        }
    }
    evolved.retain(|_, fields| !fields.is_empty());
    file.evolved = evolved;
    file
}

/// One change message as zero, one or two changes (a key change is a delete and an insert).
/// Order and lineage are filled in at the transaction's commit.
fn decode_change(
    relations: &HashMap<u32, (Relation, TableShape)>,
    message: Message,
) -> Vec<Decoded> {
    let relation_id = match &message {
        Message::Insert { relation_id, .. }
        | Message::Update { relation_id, .. }
        | Message::Delete { relation_id, .. } => *relation_id,
        Message::Truncate { relation_ids } => {
            return relation_ids
                .iter()
                .filter_map(|id| relations.get(id))
                .filter_map(|(_, shape)| shape.entity)
                .map(|entity| {
                    Decoded::Change(entity, record("T", Vec::new()), Arc::from(Vec::new()))
                })
                .collect();
        }
        _ => return Vec::new(),
    };
    let refuse = |target: Option<&'static str>, reason: String, raw: String| {
        vec![Decoded::Refused(QuarantinedRecord {
            position: None,
            target_entity: target,
            reason,
            raw_payload: Some(raw),
        })]
    };
    let Some((relation, shape)) = relations.get(&relation_id) else {
        return refuse(
            None,
            format!("change of relation {relation_id} before its Relation message"),
            format!("{message:?}"),
        );
    };
    let Some(entity) = shape.entity else {
        return refuse(
            None,
            format!(
                "table {}.{} has no registry entity",
                relation.namespace, relation.name
            ),
            format!("{message:?}"),
        );
    };
    let raw = format!("{message:?}");
    let result = match &message {
        Message::Insert { new, .. } => shape.values(new).map(|values| vec![("I", values)]),
        Message::Update { old, new, .. } => shape.values(new).and_then(|new_values| {
            let Some(old) = old else {
                return Ok(vec![("U", new_values)]);
            };
            let old_values = shape.values(old)?;
            let key_changed = shape.key_indexes.iter().any(|index| {
                old_values.0[*index] != Value::Null && old_values.0[*index] != new_values.0[*index]
            });
            Ok(if key_changed {
                vec![("D", old_values), ("I", new_values)]
            } else {
                vec![("U", new_values)]
            })
        }),
        Message::Delete { old, .. } => shape.values(old).map(|values| vec![("D", values)]),
        _ => Ok(Vec::new()),
    };
    match result {
        Ok(changes) => {
            let mut decoded = Vec::new();
            for (op, (values, extra)) in changes {
                if let Some(reason) = shape.missing_key(&values) {
                    return refuse(Some(entity), reason, raw);
                }
                let mut change = record(op, values);
                change.extra = extra;
                decoded.push(Decoded::Change(entity, change, shape.evolved.clone()));
            }
            decoded
        }
        Err(reason) => refuse(Some(entity), reason, raw),
    }
}

fn record(op: &'static str, values: Vec<Value>) -> TakenRecord {
    TakenRecord {
        values,
        op,
        source_order: String::new(),
        commit_micros: None,
        position: 0,
        extra: Vec::new(),
    }
}

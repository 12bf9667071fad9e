//! Logical replication of the Aurora tables into bronze, exactly once.
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

use deltalake::kernel::Transaction;
use paylake_catalog::delta::{app_transaction_version, append, open_or_create_table};
use paylake_catalog::{lake_session, registry, Lake, TableDef, Zone};
use tokio_postgres::{Client, NoTls, SimpleQueryMessage};

use super::pgoutput::{decode, format_lsn, parse_lsn, Message, Relation, TupleValue};
use crate::bronze::{bronze_row, quarantine_row, IngestRun};
use crate::error::{IngestError, Result};
use crate::pii::{redact_records, EmbeddedPiiDetector};
use crate::rows::{parse_text_value, rows_to_batch, value_at, Value};
use crate::sources::{dms, entity_fields, key_indexes, QuarantinedRecord, TakenRecord};

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
    Change(&'static str, TakenRecord),
    Refused(QuarantinedRecord),
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
    run: IngestRun,
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

fn app_id(slot: &str) -> String {
    format!("postgres:{slot}")
}

fn source_file(slot: &str, lsn: u64) -> String {
    format!("postgres/{slot}/{}", format_lsn(lsn))
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
            run: IngestRun {
                run_id: uuid::Uuid::new_v4().to_string(),
                started_micros: chrono::Utc::now().timestamp_micros(),
            },
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

    /// Copies the tables whose bronze lacks this slot's snapshot.
    pub async fn snapshot(&self, lake: &Lake) -> Result<u64> {
        let (slot_lsn, _created) = self.ensure_slot().await?;
        let snapshot_app = format!("postgres-snapshot:{}", self.settings.slot);
        let mut pending = Vec::new();
        for (schema, entity) in dms::TABLES {
            let table = registry().get(Zone::Bronze, entity)?;
            let delta_table = open_or_create_table(lake, table).await?;
            if app_transaction_version(&delta_table, table, &snapshot_app)
                .await?
                .is_none()
            {
                pending.push((schema, entity));
            }
        }
        if pending.is_empty() {
            return Ok(0);
        }
        // Snapshot rows sort before any change the stream brings (see the module comment).
        let snapshot_micros = chrono::Utc::now().timestamp_micros();
        let snapshot_order_micros = 0_i64;
        self.client
            .batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .await?;
        let mut copied = 0;
        for (schema, entity) in pending {
            let messages = match self
                .client
                .simple_query(&format!("SELECT * FROM \"{schema}\".\"{entity}\""))
                .await
            {
                Ok(messages) => messages,
                // A table that does not exist in this source has nothing to copy.
                Err(err)
                    if err.code() == Some(&tokio_postgres::error::SqlState::UNDEFINED_TABLE) =>
                {
                    self.client.batch_execute("ROLLBACK").await?;
                    self.client
                        .batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                        .await?;
                    Vec::new()
                }
                Err(err) => return Err(err.into()),
            };
            let fields = entity_fields(entity);
            let file = format!("{}/snapshot", source_file(&self.settings.slot, slot_lsn));
            let mut rows = Vec::new();
            let mut refused = Vec::new();
            let mut findings = Vec::new();
            let mut position = 0_i64;
            for message in messages {
                let SimpleQueryMessage::Row(row) = message else {
                    continue;
                };
                position += 1;
                let columns: Vec<&str> = row.columns().iter().map(|column| column.name()).collect();
                let texts: Vec<Option<&str>> = fields
                    .iter()
                    .map(|field| {
                        columns
                            .iter()
                            .position(|name| name == field.name())
                            .and_then(|index| row.get(index))
                    })
                    .collect();
                match parse_values(
                    &fields,
                    texts.iter().map(|text| text.map(TupleValue::from_text)),
                ) {
                    Ok(values) => {
                        let record = TakenRecord {
                            values,
                            op: "I",
                            source_order: format!(
                                "{}|{position:010}",
                                change_order(snapshot_order_micros, slot_lsn, 0)
                            ),
                            commit_micros: Some(snapshot_micros),
                            position,
                            extra: Vec::new(),
                        };
                        let (row, record_findings) =
                            self.redacted_bronze_row(entity, record, &file)?;
                        findings.extend(record_findings);
                        rows.push(row);
                    }
                    Err(reason) => refused.push(quarantine_row(
                        QuarantinedRecord {
                            position: Some(position),
                            target_entity: Some(entity),
                            reason: format!("{file} row {position}: {reason}"),
                            raw_payload: Some(format!("{texts:?}")),
                        },
                        &file,
                        &self.run,
                    )),
                }
            }
            copied += rows.len() as u64;
            let quarantine = registry().get(Zone::Quarantine, "aurora")?;
            // Shared tables record each entity's snapshot on its own.
            let entity_snapshot_app = format!("{snapshot_app}/{entity}");
            let at_snapshot =
                |rows: Vec<Vec<Value>>| rows.into_iter().map(|row| (1, row)).collect();
            append_after_position(lake, quarantine, at_snapshot(refused), &entity_snapshot_app)
                .await?;
            let findings_table = registry().get(Zone::Silver, "pii_findings")?;
            append_after_position(
                lake,
                findings_table,
                at_snapshot(findings),
                &entity_snapshot_app,
            )
            .await?;
            let table = registry().get(Zone::Bronze, entity)?;
            // The bronze commit marks the table's snapshot done, rows or none.
            let delta_table = open_or_create_table(lake, table).await?;
            let batch = rows_to_batch(&table.schema, &rows)?;
            append(
                delta_table,
                table,
                vec![batch],
                vec![Transaction::new(&snapshot_app, 1)],
            )
            .await?;
            tracing::info!(table = entity, rows = rows.len(), "snapshot copied");
        }
        self.client.batch_execute("COMMIT").await?;
        Ok(copied)
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
        let mut relations: HashMap<u32, Relation> = HashMap::new();
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
                    relations.insert(relation.id, relation);
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
                Decoded::Change(entity, record) if record.op == "T" => {
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
                        ));
                    }
                }
                Decoded::Change(entity, mut record) => {
                    record.source_order = change_order(commit_micros, commit_lsn, sequence);
                    record.commit_micros = Some(commit_micros);
                    record.position = position;
                    placed.push(Decoded::Change(entity, record));
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
                if let Decoded::Change(changed, record) = item {
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

    /// A change as its bronze row, free text redacted, with the rows of its PII findings.
    fn redacted_bronze_row(
        &self,
        entity: &'static str,
        mut record: TakenRecord,
        file: &str,
    ) -> Result<(Vec<Value>, Vec<Vec<Value>>)> {
        let findings = redact_records(
            &EmbeddedPiiDetector,
            entity,
            std::slice::from_mut(&mut record),
            file,
        )?;
        Ok((bronze_row(record, file, &self.run), findings))
    }

    /// Appends the batch's changes to bronze and its refused changes to quarantine, each
    /// table skipping the transactions its recorded position already covers.
    pub async fn commit(&self, lake: &Lake, batch: &Batch) -> Result<(u64, u64)> {
        let app_id = app_id(&self.settings.slot);
        let mut rows_by_table: BTreeMap<&'static str, Vec<(u64, Vec<Value>)>> = BTreeMap::new();
        let mut refused_rows = Vec::new();
        let mut findings_rows = Vec::new();
        for transaction in &batch.transactions {
            let file = source_file(&self.settings.slot, transaction.commit_lsn);
            for item in &transaction.items {
                match item {
                    Decoded::Change(entity, record) => {
                        let (row, findings) =
                            self.redacted_bronze_row(entity, record.clone(), &file)?;
                        findings_rows.extend(
                            findings
                                .into_iter()
                                .map(|finding| (transaction.commit_lsn, finding)),
                        );
                        rows_by_table
                            .entry(entity)
                            .or_default()
                            .push((transaction.commit_lsn, row));
                    }
                    Decoded::Refused(refused) => refused_rows.push((
                        transaction.commit_lsn,
                        quarantine_row(refused.clone(), &file, &self.run),
                    )),
                }
            }
        }
        let mut changes = 0;
        for (entity, rows) in rows_by_table {
            let table = registry().get(Zone::Bronze, entity)?;
            changes += append_after_position(lake, table, rows, &app_id).await?;
        }
        let quarantine = registry().get(Zone::Quarantine, "aurora")?;
        let quarantined = append_after_position(lake, quarantine, refused_rows, &app_id).await?;
        let findings_table = registry().get(Zone::Silver, "pii_findings")?;
        append_after_position(lake, findings_table, findings_rows, &app_id).await?;
        Ok((changes, quarantined))
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

    /// Snapshot when needed, then every committed change up to now, batch by batch.
    pub async fn replicate(&self, lake: &Lake) -> Result<ReplicationReport> {
        let mut report = ReplicationReport {
            snapshot_rows: self.snapshot(lake).await?,
            ..ReplicationReport::default()
        };
        loop {
            let batch = self.next_batch(lake).await?;
            if batch.is_empty() {
                break;
            }
            let (changes, quarantined) = self.commit(lake, &batch).await?;
            self.confirm(&batch).await?;
            report.transactions += batch.transactions.len() as u64;
            report.changes += changes;
            report.quarantined += quarantined;
            tracing::info!(
                transactions = batch.transactions.len(),
                changes,
                lsn = %batch.end_lsn().map(format_lsn).unwrap_or_default(),
                "replicated"
            );
        }
        report.confirmed_lsn = Some(format_lsn(self.ensure_slot().await?.0));
        Ok(report)
    }
}

impl TupleValue {
    fn from_text(text: &str) -> TupleValue {
        TupleValue::Text(text.to_string())
    }
}

/// The registry values of a tuple, by the relation's column names.
fn parse_values(
    fields: &[arrow::datatypes::FieldRef],
    tuple: impl Iterator<Item = Option<TupleValue>>,
) -> std::result::Result<Vec<Value>, String> {
    fields
        .iter()
        .zip(tuple)
        .map(|(field, value)| match value {
            None | Some(TupleValue::Null) => Ok(Value::Null),
            Some(TupleValue::UnchangedToast) => Err(format!(
                "field '{}': unchanged TOAST value not sent; set REPLICA IDENTITY FULL on the table",
                field.name()
            )),
            Some(TupleValue::Text(text)) => parse_text_value(field.data_type(), &text)
                .map_err(|reason| format!("field '{}': {reason}", field.name())),
        })
        .collect()
}

/// A tuple in registry column order: each field's value, None where the table lacks it.
fn tuple_by_fields(
    relation: &Relation,
    fields: &[arrow::datatypes::FieldRef],
    tuple: &[TupleValue],
) -> Vec<Option<TupleValue>> {
    fields
        .iter()
        .map(|field| {
            relation
                .columns
                .iter()
                .position(|column| column.name == *field.name())
                .and_then(|index| tuple.get(index).cloned())
        })
        .collect()
}

/// One change message as zero, one or two changes (a key change is a delete and an insert).
/// Order and lineage are filled in at the transaction's commit.
fn decode_change(relations: &HashMap<u32, Relation>, message: Message) -> Vec<Decoded> {
    let relation_id = match &message {
        Message::Insert { relation_id, .. }
        | Message::Update { relation_id, .. }
        | Message::Delete { relation_id, .. } => *relation_id,
        Message::Truncate { relation_ids } => {
            return relation_ids
                .iter()
                .filter_map(|id| relations.get(id))
                .filter_map(|relation| entity_of(&relation.namespace, &relation.name))
                .map(|entity| Decoded::Change(entity, record("T", Vec::new())))
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
    let Some(relation) = relations.get(&relation_id) else {
        return refuse(
            None,
            format!("change of relation {relation_id} before its Relation message"),
            format!("{message:?}"),
        );
    };
    let Some(entity) = entity_of(&relation.namespace, &relation.name) else {
        return refuse(
            None,
            format!(
                "table {}.{} has no registry entity",
                relation.namespace, relation.name
            ),
            format!("{message:?}"),
        );
    };
    let fields = entity_fields(entity);
    let key_indexes = key_indexes(entity, &fields);
    let values_of = |tuple: &[TupleValue]| {
        parse_values(
            &fields,
            tuple_by_fields(relation, &fields, tuple).into_iter(),
        )
    };
    let raw = format!("{message:?}");
    let result = match &message {
        Message::Insert { new, .. } => values_of(new).map(|values| vec![("I", values)]),
        Message::Update { old, new, .. } => values_of(new).and_then(|new_values| {
            let Some(old) = old else {
                return Ok(vec![("U", new_values)]);
            };
            let old_values = values_of(old)?;
            let key_changed = key_indexes.iter().any(|index| {
                old_values[*index] != Value::Null && old_values[*index] != new_values[*index]
            });
            Ok(if key_changed {
                vec![("D", old_values), ("I", new_values)]
            } else {
                vec![("U", new_values)]
            })
        }),
        Message::Delete { old, .. } => values_of(old).map(|values| vec![("D", values)]),
        _ => Ok(Vec::new()),
    };
    match result {
        Ok(changes) => {
            let mut decoded = Vec::new();
            for (op, values) in changes {
                if let Some(missing) = key_indexes
                    .iter()
                    .find(|index| values[**index] == Value::Null)
                {
                    return refuse(
                        Some(entity),
                        format!("missing key field '{}'", fields[*missing].name()),
                        raw,
                    );
                }
                decoded.push(Decoded::Change(entity, record(op, values)));
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

/// Appends the rows whose source transaction is after the table's recorded position, and
/// records the new position in the same commit.
async fn append_after_position(
    lake: &Lake,
    table: &TableDef,
    rows: Vec<(u64, Vec<Value>)>,
    app_id: &str,
) -> Result<u64> {
    let Some(last_lsn) = rows.iter().map(|(lsn, _)| *lsn).max() else {
        return Ok(0);
    };
    let delta_table = open_or_create_table(lake, table).await?;
    let covered = app_transaction_version(&delta_table, table, app_id)
        .await?
        .map_or(0, |version| version as u64);
    let new_rows: Vec<Vec<Value>> = rows
        .into_iter()
        .filter(|(lsn, _)| *lsn > covered)
        .map(|(_, row)| row)
        .collect();
    if new_rows.is_empty() {
        return Ok(0);
    }
    let written = new_rows.len() as u64;
    let version = i64::try_from(last_lsn).expect("LSNs stay below 2^63");
    let batch = rows_to_batch(&table.schema, &new_rows)?;
    append(
        delta_table,
        table,
        vec![batch],
        vec![Transaction::new(app_id, version)],
    )
    .await?;
    Ok(written)
}

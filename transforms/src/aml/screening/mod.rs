//! Sanctions screening of customers against the OFAC SDN list and its aliases, into
//! `gold.sanctions_hits`.

pub mod matcher;
pub mod normalize;
pub mod variants;

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, Date32Array, Int64Array, RecordBatch, StringArray};
use arrow::datatypes::DataType;
use datafusion::prelude::SessionContext;
use paylake_catalog::sql::statement;
use paylake_catalog::{registry, Lake, Zone};

pub use matcher::{ListedNameInput, Match, ScreeningIndex, TokenCache};

use super::alerts::stable_hex_id;
use super::config::AmlRules;
use crate::error::Result;
use crate::job::{day_number, replace_business_date, BusinessDay};

/// A party to screen.
#[derive(Debug, Clone)]
pub struct Party {
    /// `customer`, or the kind of counterparty.
    pub party_type: String,
    pub customer_id: String,
    pub name: String,
}

/// A party whose name matched a listed name.
#[derive(Debug, Clone)]
pub struct Hit {
    pub party: Party,
    pub ent_num: i64,
    pub entry_name: String,
    pub matched_name: String,
    pub matched_name_type: String,
    pub program: String,
    /// Percent, 0 to 100.
    pub score: i64,
}

/// Screens every party, on as many threads as the machine has, keeping each party's best match
/// per entry.
pub fn screen_parties(index: &ScreeningIndex, parties: &[Party], min_score: f64) -> Vec<Hit> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let chunk = parties.len().div_ceil(threads).max(1);
    let mut hits: Vec<Hit> = std::thread::scope(|scope| {
        let workers: Vec<_> = parties
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    let mut cache = TokenCache::default();
                    let mut found = Vec::new();
                    for party in part {
                        let mut seen_entries = Vec::new();
                        for matched in index.screen(&party.name, min_score, &mut cache) {
                            let listed = index.listed(matched.listed);
                            if seen_entries.contains(&listed.ent_num) {
                                continue;
                            }
                            seen_entries.push(listed.ent_num);
                            found.push(Hit {
                                party: party.clone(),
                                ent_num: listed.ent_num,
                                entry_name: listed.entry_name.clone(),
                                matched_name: listed.name.clone(),
                                matched_name_type: listed.name_type.clone(),
                                program: listed.program.clone(),
                                score: (matched.score * 100.0).round() as i64,
                            });
                        }
                    }
                    found
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| worker.join().expect("a screening thread does not panic"))
            .collect()
    });
    hits.sort_by(|a, b| {
        (&a.party.customer_id, -a.score, a.ent_num).cmp(&(
            &b.party.customer_id,
            -b.score,
            b.ent_num,
        ))
    });
    hits
}

const LISTED_NAMES_SQL: &str = "transforms/screening/listed_names.sql";
const LIST_VERSION_SQL: &str = "transforms/screening/list_version.sql";
const CUSTOMERS_SQL: &str = "transforms/screening/customers.sql";

/// The SQL files screening runs, below `sql/`.
pub const SQL_FILES: [&str; 3] = [LISTED_NAMES_SQL, LIST_VERSION_SQL, CUSTOMERS_SQL];

/// The SDN list of the lake (silver.sanctions_entries and silver.sanctions_aliases) as names to
/// index, and the landing file it was loaded from, as the list's version.
pub async fn list_from_lake(context: &SessionContext) -> Result<(Vec<ListedNameInput>, String)> {
    let batches = context
        .sql(&statement(LISTED_NAMES_SQL)?)
        .await?
        .collect()
        .await?;
    let version = context
        .sql(&statement(LIST_VERSION_SQL)?)
        .await?
        .collect()
        .await?;
    let version = version
        .first()
        .filter(|batch| batch.num_rows() > 0)
        .and_then(|batch| {
            let column = arrow::compute::cast(batch.column(0), &DataType::Utf8).ok()?;
            let column = column.as_string::<i32>();
            column.is_valid(0).then(|| column.value(0).to_string())
        })
        .unwrap_or_else(|| "none".to_string());
    let mut names = Vec::new();
    for batch in batches {
        let text = |index: usize| arrow::compute::cast(batch.column(index), &DataType::Utf8);
        let ent_nums = arrow::compute::cast(batch.column(0), &DataType::Int64)?;
        let ent_nums = ent_nums.as_primitive::<arrow::datatypes::Int64Type>();
        let (entry_names, listed_names, types, programs, sdn_types) =
            (text(1)?, text(2)?, text(3)?, text(4)?, text(5)?);
        let (entry_names, listed_names, types, programs, sdn_types) = (
            entry_names.as_string::<i32>(),
            listed_names.as_string::<i32>(),
            types.as_string::<i32>(),
            programs.as_string::<i32>(),
            sdn_types.as_string::<i32>(),
        );
        for row in 0..batch.num_rows() {
            if listed_names.is_null(row) || ent_nums.is_null(row) {
                continue;
            }
            names.push(ListedNameInput {
                ent_num: ent_nums.value(row),
                entry_name: entry_names.value(row).to_string(),
                name: listed_names.value(row).to_string(),
                name_type: types.value(row).trim().to_string(),
                program: programs.value(row).trim().to_string(),
                sdn_type: sdn_types.value(row).trim().to_string(),
            });
        }
    }
    Ok((names, version))
}

/// Screens the lake's customers against its SDN list and replaces the date's partition of
/// `gold.sanctions_hits`. Returns the hits.
pub async fn build_sanctions_hits(
    lake: &Lake,
    context: &SessionContext,
    day: &BusinessDay,
    rules: &AmlRules,
) -> Result<Vec<Hit>> {
    let (names, list_version) = list_from_lake(context).await?;
    let index = ScreeningIndex::build(names, rules.screening.min_token_length);
    let parties = customers_of(context).await?;
    let hits = screen_parties(
        &index,
        &parties,
        f64::from(rules.screening.min_score) / 100.0,
    );
    let batch = hits_batch(&hits, &list_version, day)?;
    let table = registry().get(Zone::Gold, "sanctions_hits")?;
    replace_business_date(lake, context, table, day, vec![batch]).await?;
    tracing::info!(
        business_date = %day.date,
        parties = parties.len(),
        listed_names = index.len(),
        hits = hits.len(),
        "gold.sanctions_hits built"
    );
    Ok(hits)
}

async fn customers_of(context: &SessionContext) -> Result<Vec<Party>> {
    let batches = context
        .sql(&statement(CUSTOMERS_SQL)?)
        .await?
        .collect()
        .await?;
    let mut parties = Vec::new();
    for batch in batches {
        let ids = arrow::compute::cast(batch.column(0), &DataType::Utf8)?;
        let names = arrow::compute::cast(batch.column(1), &DataType::Utf8)?;
        let (ids, names) = (ids.as_string::<i32>(), names.as_string::<i32>());
        for row in 0..batch.num_rows() {
            parties.push(Party {
                party_type: "customer".into(),
                customer_id: ids.value(row).to_string(),
                name: names.value(row).to_string(),
            });
        }
    }
    Ok(parties)
}

fn hits_batch(hits: &[Hit], list_version: &str, day: &BusinessDay) -> Result<RecordBatch> {
    let table = registry().get(Zone::Gold, "sanctions_hits")?;
    let text = |values: Vec<String>| -> ArrayRef { Arc::new(StringArray::from(values)) };
    let hit_id = |hit: &Hit| {
        let ent_num = hit.ent_num.to_string();
        stable_hex_id(&[&hit.party.customer_id, &ent_num, list_version], 8)
    };
    let columns: Vec<ArrayRef> = vec![
        text(hits.iter().map(hit_id).collect()),
        text(
            hits.iter()
                .map(|hit| hit.party.party_type.clone())
                .collect(),
        ),
        text(
            hits.iter()
                .map(|hit| hit.party.customer_id.clone())
                .collect(),
        ),
        text(hits.iter().map(|hit| hit.party.name.clone()).collect()),
        Arc::new(Int64Array::from(
            hits.iter().map(|hit| hit.ent_num).collect::<Vec<_>>(),
        )),
        text(hits.iter().map(|hit| hit.entry_name.clone()).collect()),
        text(hits.iter().map(|hit| hit.matched_name.clone()).collect()),
        text(
            hits.iter()
                .map(|hit| hit.matched_name_type.clone())
                .collect(),
        ),
        text(hits.iter().map(|hit| hit.program.clone()).collect()),
        Arc::new(Int64Array::from(
            hits.iter().map(|hit| hit.score).collect::<Vec<_>>(),
        )),
        text(hits.iter().map(|_| list_version.to_string()).collect()),
        Arc::new(Date32Array::from(vec![
            day_number(day.date) as i32;
            hits.len()
        ])),
    ];
    debug_assert_eq!(columns.len(), table.schema.fields().len());
    Ok(RecordBatch::try_new(table.schema.clone(), columns)?)
}

//! Sanctions screening of customers against the OFAC SDN list and its aliases, into
//! `gold.sanctions_hits`.

pub mod matcher;
pub mod normalize;
pub mod rescreen;
pub mod store;
pub mod variants;

use std::collections::HashMap;
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, Date32Array, Int64Array, RecordBatch, StringArray};
use arrow::datatypes::DataType;
use datafusion::prelude::SessionContext;
use paylake_catalog::rows::string_lists;
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
    /// The customer, for a customer; empty for a counterparty, which its name identifies.
    pub customer_id: String,
    pub name: String,
    /// The date's movements that carried a counterparty's name.
    pub transaction_ids: Vec<String>,
}

impl Party {
    /// Who the party is across dates: the customer, or a counterparty's name as screened.
    fn identity(&self) -> (String, String) {
        self.identity_keyed(&rescreen::name_key(&self.name))
    }

    /// [`Self::identity`] with the name's key already computed.
    fn identity_keyed(&self, name_key: &str) -> (String, String) {
        if self.customer_id.is_empty() {
            return (self.party_type.clone(), name_key.to_string());
        }
        (self.party_type.clone(), self.customer_id.clone())
    }
}

/// Whether a hit is news for the date: only `New` and `EntryChanged` hits alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HitChange {
    /// The party did not hit the entry on the date before.
    New,
    /// It did, but the entry changed since (a name, an alias, the program).
    EntryChanged,
    Unchanged,
}

impl HitChange {
    pub fn as_str(self) -> &'static str {
        match self {
            HitChange::New => "new",
            HitChange::EntryChanged => "entry_changed",
            HitChange::Unchanged => "unchanged",
        }
    }
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
    /// The entry's fingerprint in the list screened (see [`rescreen::entry_fingerprints`]).
    pub fingerprint: String,
    pub change: HitChange,
}

/// Screens every party, on as many threads as the machine has, keeping each party's best match
/// per entry.
pub fn screen_parties(index: &ScreeningIndex, parties: &[Party], min_score: f64) -> Vec<Hit> {
    let mut hits: Vec<Hit> = matcher::on_threads(parties, |part, cache| {
        let mut found = Vec::new();
        for party in part {
            let mut seen_entries = Vec::new();
            for matched in index.screen(&party.name, min_score, cache) {
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
                    fingerprint: String::new(),
                    change: HitChange::New,
                });
            }
        }
        found
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
const COUNTERPARTIES_SQL: &str = "transforms/screening/counterparties.sql";
const PREVIOUS_HITS_SQL: &str = "transforms/screening/previous_hits.sql";
const COUNTERPARTY_MOVEMENTS_SQL: &str = "transforms/screening/counterparty_movements.sql";

/// The SQL files screening runs, below `sql/`.
pub const SQL_FILES: [&str; 9] = [
    LISTED_NAMES_SQL,
    LIST_VERSION_SQL,
    CUSTOMERS_SQL,
    COUNTERPARTIES_SQL,
    PREVIOUS_HITS_SQL,
    COUNTERPARTY_MOVEMENTS_SQL,
    store::SQL_FILES[0],
    store::SQL_FILES[1],
    store::SQL_FILES[2],
];

/// The SDN list of the lake (silver.sanctions_entries and silver.sanctions_aliases) as names to
/// index, and the landing file it was loaded from, as the list's version.
pub async fn list_from_lake(context: &SessionContext) -> Result<(Vec<ListedNameInput>, String)> {
    Ok((listed_names(context).await?, list_version(context).await?))
}

/// The landing file the list in force was loaded from: its version (`none` without a list).
async fn list_version(context: &SessionContext) -> Result<String> {
    let version = context
        .sql(&statement(LIST_VERSION_SQL)?)
        .await?
        .collect()
        .await?;
    Ok(version
        .first()
        .filter(|batch| batch.num_rows() > 0)
        .and_then(|batch| {
            let column = arrow::compute::cast(batch.column(0), &DataType::Utf8).ok()?;
            let column = column.as_string::<i32>();
            column.is_valid(0).then(|| column.value(0).to_string())
        })
        .unwrap_or_else(|| "none".to_string()))
}

/// Every name of the list in force, entry by entry, the entry's own name first.
async fn listed_names(context: &SessionContext) -> Result<Vec<ListedNameInput>> {
    let batches = context
        .sql(&statement(LISTED_NAMES_SQL)?)
        .await?
        .collect()
        .await?;
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
    Ok(names)
}

/// The publication a list version belongs to: the folder its files were delivered in.
pub fn publication_of(list_version: &str) -> &str {
    list_version
        .rsplit_once('/')
        .map_or(list_version, |(folder, _)| folder)
}

/// What a date's screening did.
#[derive(Debug, Clone)]
pub struct ScreeningRun {
    pub hits: Vec<Hit>,
    pub parties: usize,
    /// What moving the cache to the list in force did (all zero when it was in force already).
    pub rescreen: rescreen::Rescreen,
    /// Names screened against the whole list: the ones not seen before.
    pub names_screened: usize,
}

/// Screens the date's parties (every customer, and the counterparties of the date's movements)
/// against the SDN list in force and replaces the date's partition of `gold.sanctions_hits`.
/// Names already screened under this list are not screened again; when the list changed, the
/// cached names are screened again against only its added and changed entries. A hit is new,
/// or its entry changed, against the latest date before: only those alert.
pub async fn build_sanctions_hits(
    lake: &Lake,
    context: &SessionContext,
    day: &BusinessDay,
    rules: &AmlRules,
) -> Result<ScreeningRun> {
    let list_version = list_version(context).await?;
    let settings = &rules.screening;
    let min_score = f64::from(settings.min_score) / 100.0;
    let screened_against = format!(
        "{list_version} min_score={} min_token_length={}",
        settings.min_score, settings.min_token_length
    );
    let mut cache = store::load_cache(lake).await?;
    let list_changed = cache.screened_against != screened_against;
    // Each party with its name's key, normalised once.
    let keyed = |party: Party| (rescreen::name_key(&party.name), party);
    let mut parties: Vec<(String, Party)> = customers_of(context)
        .await?
        .into_iter()
        .map(keyed)
        .collect();
    let date_counterparties: Vec<(String, Party)> = counterparties_of(context, day)
        .await?
        .into_iter()
        .map(keyed)
        .collect();
    let unseen = cache.unseen_keys(
        parties
            .iter()
            .chain(&date_counterparties)
            .map(|(key, _)| key.as_str()),
    );
    // The list is read and indexed only when there is something to screen against it.
    let mut rescreen = rescreen::Rescreen::default();
    if list_changed || !unseen.is_empty() {
        let names = listed_names(context).await?;
        rescreen = cache.move_to_version(
            &names,
            &screened_against,
            settings.min_token_length,
            min_score,
        );
        let index = ScreeningIndex::build(names, settings.min_token_length);
        cache.screen_new(&index, unseen.iter().cloned(), min_score);
    }
    store::save_cache(lake, &cache, list_changed, &unseen).await?;
    // Every counterparty ever seen whose name hits is a party of the date, with or without
    // money that day: a new publication screens them all at once.
    let mut known = store::load_counterparties(lake).await?;
    let mut first_seen = Vec::new();
    for (key, party) in &date_counterparties {
        let known_key = (party.party_type.clone(), key.clone());
        if let std::collections::btree_map::Entry::Vacant(unseen) = known.entry(known_key) {
            first_seen.push((party.party_type.clone(), key.clone(), party.name.clone()));
            unseen.insert(party.name.clone());
        }
    }
    store::append_counterparties(lake, &first_seen).await?;
    let on_date: std::collections::HashSet<(String, String)> = date_counterparties
        .iter()
        .map(|(key, party)| (party.party_type.clone(), key.clone()))
        .collect();
    parties.extend(date_counterparties);
    for ((party_type, key), name) in known {
        let hits = cache.hits.get(&key).is_some_and(|hits| !hits.is_empty());
        if hits && !on_date.contains(&(party_type.clone(), key.clone())) {
            let party = Party {
                party_type,
                customer_id: String::new(),
                name,
                transaction_ids: Vec::new(),
            };
            parties.push((key, party));
        }
    }

    let previous = previous_hits(context, day).await?;
    let mut hits = Vec::new();
    for (key, party) in &parties {
        let Some(cached) = cache.hits.get(key) else {
            continue;
        };
        let identity = party.identity_keyed(key);
        for hit in cached {
            let before = previous.get(&(identity.clone(), hit.ent_num));
            let change = match before {
                None => HitChange::New,
                // A hit of a lake written before fingerprints were kept is taken as unchanged.
                Some(None) => HitChange::Unchanged,
                Some(Some(fingerprint)) if *fingerprint == hit.fingerprint => HitChange::Unchanged,
                Some(Some(_)) => HitChange::EntryChanged,
            };
            hits.push(Hit {
                party: party.clone(),
                ent_num: hit.ent_num,
                entry_name: hit.entry_name.clone(),
                matched_name: hit.matched_name.clone(),
                matched_name_type: hit.matched_name_type.clone(),
                program: hit.program.clone(),
                score: hit.score,
                fingerprint: hit.fingerprint.clone(),
                change,
            });
        }
    }
    // A counterparty's new hit points to every movement that ever carried its name.
    for hit in &mut hits {
        if hit.party.customer_id.is_empty() && hit.change != HitChange::Unchanged {
            hit.party.transaction_ids = movements_naming(context, &hit.party.name).await?;
        }
    }
    hits.sort_by(|a, b| {
        (
            &a.party.party_type,
            &a.party.customer_id,
            &a.party.name,
            a.ent_num,
        )
            .cmp(&(
                &b.party.party_type,
                &b.party.customer_id,
                &b.party.name,
                b.ent_num,
            ))
    });
    let batch = hits_batch(&hits, &list_version, day)?;
    let table = registry().get(Zone::Gold, "sanctions_hits")?;
    replace_business_date(lake, context, table, day, vec![batch]).await?;
    tracing::info!(
        business_date = %day.date,
        parties = parties.len(),
        names_screened = unseen.len(),
        entries_added = rescreen.entries_added,
        entries_changed = rescreen.entries_changed,
        entries_removed = rescreen.entries_removed,
        names_rescreened = rescreen.names_rescreened,
        hits = hits.len(),
        "gold.sanctions_hits built"
    );
    Ok(ScreeningRun {
        hits,
        parties: parties.len(),
        rescreen,
        names_screened: unseen.len(),
    })
}

/// The hits of the latest date before `day`, by party and entry, with the entry's fingerprint.
async fn previous_hits(
    context: &SessionContext,
    day: &BusinessDay,
) -> Result<HashMap<((String, String), i64), Option<String>>> {
    let sql = day.render::<&str>(PREVIOUS_HITS_SQL, &[])?;
    let mut previous = HashMap::new();
    for batch in context.sql(&sql).await?.collect().await? {
        let text = |index: usize| arrow::compute::cast(batch.column(index), &DataType::Utf8);
        let (types, customers, names, fingerprints) = (text(0)?, text(1)?, text(2)?, text(4)?);
        let ent_nums = arrow::compute::cast(batch.column(3), &DataType::Int64)?;
        let ent_nums = ent_nums.as_primitive::<arrow::datatypes::Int64Type>();
        let (types, customers, names, fingerprints) = (
            types.as_string::<i32>(),
            customers.as_string::<i32>(),
            names.as_string::<i32>(),
            fingerprints.as_string::<i32>(),
        );
        for row in 0..batch.num_rows() {
            let party = Party {
                party_type: types.value(row).to_string(),
                customer_id: if customers.is_valid(row) {
                    customers.value(row).to_string()
                } else {
                    String::new()
                },
                name: names.value(row).to_string(),
                transaction_ids: Vec::new(),
            };
            let fingerprint = fingerprints
                .is_valid(row)
                .then(|| fingerprints.value(row).to_string());
            previous.insert((party.identity(), ent_nums.value(row)), fingerprint);
        }
    }
    Ok(previous)
}

/// Every bank statement entry, of any date, that names `name` as a related party.
async fn movements_naming(context: &SessionContext, name: &str) -> Result<Vec<String>> {
    let sql = paylake_catalog::sql::render(
        COUNTERPARTY_MOVEMENTS_SQL,
        &[("name", paylake_catalog::sql::text_literal(name))],
    )?;
    let mut movements = Vec::new();
    for batch in context.sql(&sql).await?.collect().await? {
        let column = arrow::compute::cast(batch.column(0), &DataType::Utf8)?;
        movements.extend(
            column
                .as_string::<i32>()
                .iter()
                .flatten()
                .map(str::to_string),
        );
    }
    Ok(movements)
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
                transaction_ids: Vec::new(),
            });
        }
    }
    Ok(parties)
}

/// The names on the other side of the date's money, each once per kind of party, with the
/// movements that carried it (`sql/transforms/screening/counterparties.sql`).
async fn counterparties_of(context: &SessionContext, day: &BusinessDay) -> Result<Vec<Party>> {
    let sql = day.render::<&str>(COUNTERPARTIES_SQL, &[])?;
    let mut by_name: std::collections::BTreeMap<(String, String), Vec<String>> =
        std::collections::BTreeMap::new();
    for batch in context.sql(&sql).await?.collect().await? {
        let text = |index: usize| arrow::compute::cast(batch.column(index), &DataType::Utf8);
        let (types, names, movements) = (text(0)?, text(1)?, text(2)?);
        let (types, names, movements) = (
            types.as_string::<i32>(),
            names.as_string::<i32>(),
            movements.as_string::<i32>(),
        );
        for row in 0..batch.num_rows() {
            if names.is_null(row) || names.value(row).trim().is_empty() {
                continue;
            }
            by_name
                .entry((
                    types.value(row).to_string(),
                    names.value(row).trim().to_string(),
                ))
                .or_default()
                .push(movements.value(row).to_string());
        }
    }
    Ok(by_name
        .into_iter()
        .map(|((party_type, name), mut transaction_ids)| {
            transaction_ids.sort();
            transaction_ids.dedup();
            Party {
                party_type,
                customer_id: String::new(),
                name,
                transaction_ids,
            }
        })
        .collect())
}

fn hits_batch(hits: &[Hit], list_version: &str, day: &BusinessDay) -> Result<RecordBatch> {
    let table = registry().get(Zone::Gold, "sanctions_hits")?;
    let text = |values: Vec<String>| -> ArrayRef { Arc::new(StringArray::from(values)) };
    let hit_id = |hit: &Hit| {
        let ent_num = hit.ent_num.to_string();
        let (party_type, party) = hit.party.identity();
        stable_hex_id(&[&party_type, &party, &ent_num, list_version], 8)
    };
    let columns: Vec<ArrayRef> = vec![
        text(hits.iter().map(hit_id).collect()),
        text(
            hits.iter()
                .map(|hit| hit.party.party_type.clone())
                .collect(),
        ),
        Arc::new(StringArray::from(
            hits.iter()
                .map(|hit| Some(hit.party.customer_id.as_str()).filter(|id| !id.is_empty()))
                .collect::<Vec<_>>(),
        )),
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
        text(hits.iter().map(|hit| hit.fingerprint.clone()).collect()),
        text(
            hits.iter()
                .map(|_| publication_of(list_version).to_string())
                .collect(),
        ),
        text(
            hits.iter()
                .map(|hit| hit.change.as_str().to_string())
                .collect(),
        ),
        string_lists(hits.iter().map(|hit| &hit.party.transaction_ids)),
    ];
    debug_assert_eq!(columns.len(), table.schema.fields().len());
    Ok(paylake_catalog::rows::columns_batch(table, columns)?)
}

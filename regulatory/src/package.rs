//! Export packages: the filing files of one kind and period with a `manifest.json` (period,
//! record counts, totals, each file's SHA-256 and size, the generator, the Delta versions of
//! the tables read), delivered once. Exporting a period again finds the delivered package
//! unchanged; a package whose content changed is delivered as the next revision, beside it.

use chrono::{DateTime, NaiveDate, Utc};
use datafusion::prelude::SessionContext;
use paylake_catalog::delta::open_table;
use paylake_catalog::money::format_decimal;
use paylake_catalog::{registry, Lake};
use paylake_decisions::events::case_events_table;
use paylake_decisions::filing::record_filed;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::destination::Destination;
use crate::error::Result;
use crate::fincen::{ctr_batch, sar_batch};
use crate::goaml;
use crate::records::{ctr_records, sar_records, CtrRecord, SarSelection};
use crate::settings::RegulatorySettings;
use crate::system_rows::{append_exports, ExportRow};

/// What a package files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportKind {
    FincenCtr,
    FincenSar,
    GoAml,
}

impl ExportKind {
    pub fn parse(text: &str) -> std::result::Result<Self, String> {
        match text {
            "fincen-ctr" => Ok(ExportKind::FincenCtr),
            "fincen-sar" => Ok(ExportKind::FincenSar),
            "goaml" => Ok(ExportKind::GoAml),
            other => Err(format!(
                "unknown export kind '{other}' (expected fincen-ctr, fincen-sar or goaml)"
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ExportKind::FincenCtr => "fincen-ctr",
            ExportKind::FincenSar => "fincen-sar",
            ExportKind::GoAml => "goaml",
        }
    }

    /// The tables a package of this kind reads, whose Delta versions its manifest records.
    fn tables_read(self) -> &'static [&'static str] {
        match self {
            ExportKind::FincenCtr => &[
                "gold.ctr_candidates",
                "silver.customers",
                "silver.transactions",
            ],
            ExportKind::FincenSar => &[
                "decisions.case_events",
                "gold.aml_alerts",
                "silver.customers",
                "silver.transactions",
                "silver.fx_rates",
            ],
            ExportKind::GoAml => &[
                "gold.ctr_candidates",
                "decisions.case_events",
                "gold.aml_alerts",
                "silver.customers",
                "silver.transactions",
                "silver.fx_rates",
            ],
        }
    }
}

/// An export to run.
#[derive(Debug, Clone)]
pub struct ExportRequest {
    pub kind: ExportKind,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The date the filings carry as filed.
    pub filing_date: NaiveDate,
    /// A folder or an `s3://` prefix; the package is a folder under it.
    pub out: String,
    /// The schedule and tick that asked for the export, if any.
    pub schedule: Option<(String, DateTime<Utc>)>,
}

impl ExportRequest {
    /// The package's id without its revision.
    fn base_id(&self) -> String {
        format!("{}_{}_{}", self.kind.as_str(), self.from, self.to)
    }

    /// The SAR decisions this package files: those approved by the schedule's tick, or by now
    /// for an export asked by hand.
    fn sar_selection(&self) -> SarSelection {
        SarSelection {
            kind: self.kind.as_str(),
            base_id: self.base_id(),
            cutoff: self
                .schedule
                .as_ref()
                .map_or_else(Utc::now, |(_, tick)| *tick),
        }
    }
}

/// What an export did.
#[derive(Debug, Clone)]
pub struct ExportOutcome {
    pub export_id: String,
    /// Where the package's manifest is.
    pub manifest_location: String,
    pub revision: i64,
    /// False when the same content had been delivered before: nothing was written.
    pub delivered: bool,
    pub record_count: usize,
    pub total_amount_usd: String,
    pub files: Vec<String>,
    /// The records the package carries (CTR keys, SAR case ids), in file order.
    pub record_keys: Vec<String>,
    /// Object Lock mode and retain-until date of the objects written, on S3.
    pub retention: Option<(String, DateTime<Utc>)>,
}

struct PackageFile {
    path: String,
    bytes: Vec<u8>,
    /// The records of the file, in the order of its activities or reports.
    record_keys: Vec<String>,
}

const MANIFEST: &str = "manifest.json";

/// Builds the package of `request` from the lake (through `context`), delivers it unless the
/// same content was delivered before, and records it in `system.regulatory_exports`.
pub async fn export_package(
    lake: &Lake,
    context: &SessionContext,
    settings: &RegulatorySettings,
    request: &ExportRequest,
) -> Result<ExportOutcome> {
    let (files, record_count, total_cents) = build_files(context, settings, request).await?;
    let mut table_versions = serde_json::Map::new();
    for name in request.kind.tables_read() {
        let table = registry().find(name)?;
        let version = open_table(lake, table)
            .await?
            .and_then(|table| table.version());
        table_versions.insert((*name).to_string(), json!(version));
    }
    let file_entries: Vec<serde_json::Value> = files
        .iter()
        .map(|file| {
            json!({
                "path": file.path,
                "sha256": sha256_hex(&file.bytes),
                "bytes": file.bytes.len(),
            })
        })
        .collect();
    let record_entries: Vec<serde_json::Value> = files
        .iter()
        .flat_map(|file| {
            file.record_keys
                .iter()
                .enumerate()
                .map(move |(index, key)| json!({"file": file.path, "activity": index + 1, "record_key": key}))
        })
        .collect();
    let base_id = request.base_id();
    let destination =
        Destination::open(&request.out, Some(&settings.retention), lake.kms_key_id()).await?;
    let now = Utc::now();

    // What the export did: `retention` is None when nothing was written (found delivered).
    let outcome_of =
        |export_id: &str, revision: i64, retention: Option<Option<(String, DateTime<Utc>)>>| {
            ExportOutcome {
                export_id: export_id.to_string(),
                manifest_location: destination.location_of(&format!("{export_id}/{MANIFEST}")),
                revision,
                delivered: retention.is_some(),
                record_count,
                total_amount_usd: format_decimal(total_cents, 2),
                files: files
                    .iter()
                    .map(|file| destination.location_of(&format!("{export_id}/{}", file.path)))
                    .collect(),
                record_keys: files
                    .iter()
                    .flat_map(|file| file.record_keys.iter().cloned())
                    .collect(),
                retention: retention.flatten(),
            }
        };

    // The first revision not delivered yet, unless one holds the same files.
    let mut revision = 1;
    loop {
        let export_id = revision_id(&base_id, revision);
        let manifest_path = format!("{export_id}/{MANIFEST}");
        let Some(delivered_bytes) = destination.read(&manifest_path).await? else {
            break;
        };
        let delivered: serde_json::Value =
            serde_json::from_slice(&delivered_bytes).unwrap_or(serde_json::Value::Null);
        if delivered["files"] == json!(file_entries)
            && delivered["filing_date"] == json!(request.filing_date)
        {
            tracing::info!(export_id, "package delivered before with the same content");
            let outcome = outcome_of(&export_id, revision, None);
            record(
                lake,
                request,
                &outcome,
                &sha256_hex(&delivered_bytes),
                total_cents,
                &files,
                "unchanged",
            )
            .await?;
            file_cases(lake, context, &outcome).await?;
            return Ok(outcome);
        }
        revision += 1;
    }
    let export_id = revision_id(&base_id, revision);
    let manifest = json!({
        "export_id": export_id,
        "kind": request.kind.as_str(),
        "period": {"from": request.from, "to": request.to},
        "filing_date": request.filing_date,
        "revision": revision,
        "supersedes": (revision > 1).then(|| revision_id(&base_id, revision - 1)),
        "generator": {
            "name": "paylake",
            "version": env!("CARGO_PKG_VERSION"),
            "regulatory_settings_version": settings.version,
        },
        "record_counts": {"records": record_count, "files": files.len()},
        "totals": {"amount_usd": format_decimal(total_cents, 2)},
        "tables_read": table_versions,
        "records": record_entries,
        "files": file_entries,
    });
    let manifest_bytes = serde_json::to_vec_pretty(&manifest).expect("a manifest serialises");
    // The manifest goes last: its presence marks a complete delivery.
    for file in &files {
        destination
            .write(
                &format!("{export_id}/{}", file.path),
                file.bytes.clone(),
                now,
                false,
            )
            .await?;
    }
    let manifest_path = format!("{export_id}/{MANIFEST}");
    destination
        .write(&manifest_path, manifest_bytes.clone(), now, true)
        .await?;
    let outcome = outcome_of(&export_id, revision, Some(destination.retained_until(now)));
    record(
        lake,
        request,
        &outcome,
        &sha256_hex(&manifest_bytes),
        total_cents,
        &files,
        "delivered",
    )
    .await?;
    file_cases(lake, context, &outcome).await?;
    tracing::info!(
        export_id,
        records = record_count,
        "export package delivered"
    );
    Ok(outcome)
}

/// The SAR cases the package carries are filed: an event on each case, and the session sees
/// it, so that the next package of the same kind (a schedule catching up) does not file them
/// again.
async fn file_cases(lake: &Lake, context: &SessionContext, outcome: &ExportOutcome) -> Result<()> {
    let filed = record_filed(lake, &outcome.record_keys, &outcome.export_id).await?;
    if filed > 0 {
        let table = case_events_table()?;
        if let Some(delta_table) = open_table(lake, table).await? {
            paylake_catalog::refresh_table(context, table, &delta_table).await?;
        }
    }
    Ok(())
}

async fn record(
    lake: &Lake,
    request: &ExportRequest,
    outcome: &ExportOutcome,
    manifest_sha256: &str,
    total_cents: i128,
    files: &[PackageFile],
    status: &str,
) -> Result<()> {
    let mut record_keys: Vec<String> = files
        .iter()
        .flat_map(|file| file.record_keys.iter().cloned())
        .collect();
    record_keys.sort();
    record_keys.dedup();
    append_exports(
        lake,
        &[ExportRow {
            export_id: outcome.export_id.clone(),
            kind: request.kind.as_str().to_string(),
            period_start: request.from,
            period_end: request.to,
            filing_date: request.filing_date,
            revision: outcome.revision,
            location: outcome.manifest_location.clone(),
            manifest_sha256: manifest_sha256.to_string(),
            record_count: outcome.record_count as i64,
            total_amount_cents: total_cents,
            record_keys,
            schedule: request.schedule.as_ref().map(|(name, _)| name.clone()),
            scheduled_for: request.schedule.as_ref().map(|(_, tick)| *tick),
            recorded_at: Utc::now(),
            status: status.to_string(),
        }],
    )
    .await
}

/// The files of a package, how many records they carry, and their total in USD cents.
async fn build_files(
    context: &SessionContext,
    settings: &RegulatorySettings,
    request: &ExportRequest,
) -> Result<(Vec<PackageFile>, usize, i128)> {
    let period = format!("{}_{}", request.from, request.to);
    let mut files = Vec::new();
    match request.kind {
        ExportKind::FincenCtr => {
            let records = ctr_records(context, request.from, request.to).await?;
            let total = records.iter().map(CtrRecord::total_cents).sum();
            if !records.is_empty() {
                let batch = ctr_batch(&records, settings, request.filing_date);
                files.push(batch_file("CTRX", &period, batch));
            }
            Ok((files, records.len(), total))
        }
        ExportKind::FincenSar => {
            let records = sar_records(context, &request.sar_selection()).await?;
            let total = records.iter().map(|record| record.total_cents).sum();
            if !records.is_empty() {
                let batch = sar_batch(&records, settings, request.filing_date);
                files.push(batch_file("SARX", &period, batch));
            }
            Ok((files, records.len(), total))
        }
        ExportKind::GoAml => {
            let cases = sar_records(context, &request.sar_selection()).await?;
            let cash = ctr_records(context, request.from, request.to).await?;
            let mut total = 0;
            for case in &cases {
                let report = goaml::str_report(case, settings, request.filing_date)?;
                total += case.total_cents;
                files.push(goaml_file(report));
            }
            for record in &cash {
                let report = goaml::ctr_report(record, settings, request.filing_date)?;
                total += record.total_cents();
                files.push(goaml_file(report));
            }
            Ok((files, cases.len() + cash.len(), total))
        }
    }
}

/// The id (and folder) of a package's revision: the base id, then `.r2`, `.r3`...
fn revision_id(base_id: &str, revision: i64) -> String {
    if revision == 1 {
        base_id.to_string()
    } else {
        format!("{base_id}.r{revision}")
    }
}

/// A FinCEN batch as the package file `<FORM>_<period>.xml`.
fn batch_file(form_type: &str, period: &str, batch: crate::fincen::FincenBatch) -> PackageFile {
    PackageFile {
        path: format!("{form_type}_{period}.xml"),
        bytes: batch.xml.into_bytes(),
        record_keys: batch.activity_records,
    }
}

fn goaml_file(report: goaml::GoAmlReport) -> PackageFile {
    PackageFile {
        path: report.file_name,
        bytes: report.xml.into_bytes(),
        record_keys: vec![report.record_key],
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Reads a delivered package's manifest from where `system.regulatory_exports` says it is.
pub async fn read_manifest(manifest_location: &str) -> Result<serde_json::Value> {
    let (folder, file) = manifest_location
        .rsplit_once('/')
        .unwrap_or((".", manifest_location));
    let destination = Destination::open(folder, None, None).await?;
    let bytes = destination.read(file).await?.ok_or_else(|| {
        crate::error::RegulatoryError::Destination {
            location: manifest_location.to_string(),
            reason: "no manifest there".to_string(),
        }
    })?;
    serde_json::from_slice(&bytes).map_err(|err| crate::error::RegulatoryError::Destination {
        location: manifest_location.to_string(),
        reason: format!("the manifest is not JSON: {err}"),
    })
}

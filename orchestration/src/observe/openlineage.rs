//! OpenLineage run events: a START and a COMPLETE (or FAIL) event per step and business date,
//! naming the datasets it read and wrote with their versions, as the OpenLineage 2-0-2 spec
//! has them. Marquez, DataHub or any OpenLineage consumer reads them.

use chrono::{DateTime, Utc};
use paylake_catalog::{registry, Lake};
use serde_json::{json, Value};

use crate::assets::records::Materialization;

const SCHEMA_URL: &str = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent";
const NAMESPACE: &str = "paylake";

fn producer() -> String {
    format!(
        "https://github.com/paylake/paylake/tree/v{}",
        env!("CARGO_PKG_VERSION")
    )
}

fn facet(schema: &str, mut body: Value) -> Value {
    body["_producer"] = json!(producer());
    body["_schemaURL"] = json!(format!(
        "https://openlineage.io/spec/facets/1-0-1/{schema}.json#/$defs/{schema}"
    ));
    body
}

/// A dataset as OpenLineage names it: the store as namespace, the table's path as name, and
/// the lake's `zone.table` as a symlink.
fn dataset(lake: &Lake, asset: &str, version: Option<&str>) -> Value {
    let root = lake.root();
    let namespace = format!(
        "{}://{}",
        root.scheme(),
        root.host_str().unwrap_or_default()
    );
    let name = match registry().find(asset) {
        Ok(table) => lake
            .table_url(table)
            .path()
            .trim_end_matches('/')
            .to_string(),
        Err(_) => format!("{}{}", root.path(), asset),
    };
    let mut facets = json!({
        "symlinks": facet("SymlinksDatasetFacet", json!({
            "identifiers": [{"namespace": NAMESPACE, "name": asset, "type": "TABLE"}]
        })),
    });
    if let Some(version) = version {
        facets["version"] = facet(
            "DatasetVersionDatasetFacet",
            json!({ "datasetVersion": version }),
        );
    }
    json!({ "namespace": namespace, "name": name, "facets": facets })
}

/// The START and end events of one step's materialisations (all of one step and date).
pub fn step_events(lake: &Lake, run_id: &str, rows: &[&Materialization]) -> Vec<Value> {
    let Some(first) = rows.first() else {
        return Vec::new();
    };
    let run_facets = {
        let mut facets = json!({
            "parent": facet("ParentRunFacet", json!({
                "run": { "runId": run_id },
                "job": { "namespace": NAMESPACE, "name": "paylake.run" },
            })),
            "processing_engine": facet("ProcessingEngineRunFacet", json!({
                "version": env!("CARGO_PKG_VERSION"),
                "name": format!("paylake-{}", first.engine),
            })),
        });
        if let Some(date) = first.business_date {
            facets["nominalTime"] = facet(
                "NominalTimeRunFacet",
                json!({
                    "nominalStartTime": format!("{date}T00:00:00Z"),
                }),
            );
        }
        if let Some(error) = &first.error {
            facets["errorMessage"] = facet(
                "ErrorMessageRunFacet",
                json!({
                    "message": error,
                    "programmingLanguage": "rust",
                }),
            );
        }
        facets
    };
    let job = json!({
        "namespace": NAMESPACE,
        "name": format!("paylake.{}", first.step),
        "facets": {
            "jobType": facet("JobTypeJobFacet", json!({
                "processingType": "BATCH", "integration": "PAYLAKE", "jobType": "ASSET",
            })),
        },
    });
    let inputs: Vec<Value> = first
        .versions_read
        .iter()
        .filter(|(asset, _)| !asset.contains('@'))
        .map(|(asset, version)| dataset(lake, asset, Some(version)))
        .collect();
    let outputs: Vec<Value> = rows
        .iter()
        .map(|row| {
            let version = row.versions_written.get(&row.asset).map(String::as_str);
            let mut output = dataset(lake, &row.asset, version);
            if let Some(rows) = row.rows_written {
                output["outputFacets"] = json!({
                    "outputStatistics": facet("OutputStatisticsOutputDatasetFacet", json!({ "rowCount": rows })),
                });
            }
            output
        })
        .collect();
    let event = |event_type: &str, time: DateTime<Utc>, with_outputs: bool| {
        json!({
            "eventType": event_type,
            "eventTime": time.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "run": { "runId": first.materialization_id, "facets": run_facets },
            "job": job,
            "inputs": inputs,
            "outputs": if with_outputs { outputs.clone() } else { Vec::new() },
            "producer": producer(),
            "schemaURL": SCHEMA_URL,
        })
    };
    let end = match first.status {
        crate::assets::records::Status::Succeeded => "COMPLETE",
        crate::assets::records::Status::Blocked => "ABORT",
        _ => "FAIL",
    };
    vec![
        event("START", first.started_at, false),
        event(end, first.finished_at, true),
    ]
}

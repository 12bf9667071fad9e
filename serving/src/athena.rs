//! Athena: run a query in a workgroup, wait for it, and read its result rows.

use std::time::Duration;

use aws_sdk_athena::types::{QueryExecutionContext, QueryExecutionState, ResultConfiguration};

use crate::error::{Result, ServingError};
use crate::poll::{wait_for, StatementState};
use crate::settings::AwsSettings;

const SERVICE: &str = "athena";

/// A finished query: its id, column names and rows (Athena returns every value as text).
#[derive(Debug)]
pub struct AthenaResult {
    pub query_execution_id: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Option<String>>>,
}

/// Starts `query` in the configured workgroup (default database `database`), polls it until it
/// ends or the timeout passes, and reads every page of its results.
pub async fn run_query(
    client: &aws_sdk_athena::Client,
    settings: &AwsSettings,
    database: &str,
    query: &str,
) -> Result<AthenaResult> {
    let mut request = client
        .start_query_execution()
        .query_string(query)
        .work_group(&settings.athena_workgroup)
        .query_execution_context(QueryExecutionContext::builder().database(database).build());
    if let Some(output) = &settings.athena_output {
        request = request.result_configuration(
            ResultConfiguration::builder()
                .output_location(output)
                .build(),
        );
    }
    let started = request
        .send()
        .await
        .map_err(|err| ServingError::aws(SERVICE, "StartQueryExecution", err))?;
    let id = started.query_execution_id().unwrap_or_default().to_string();
    tracing::info!(query_execution_id = %id, workgroup = %settings.athena_workgroup, "athena query started");
    let timeout = Duration::from_secs(settings.statement_timeout_seconds);
    wait_for(SERVICE, &id, timeout, || query_state(client, &id)).await?;
    read_results(client, &id).await
}

/// The state of a query, as [`wait_for`] reads it.
async fn query_state(client: &aws_sdk_athena::Client, id: &str) -> Result<StatementState> {
    let output = client
        .get_query_execution()
        .query_execution_id(id)
        .send()
        .await
        .map_err(|err| ServingError::aws(SERVICE, format!("GetQueryExecution {id}"), err))?;
    let status = output
        .query_execution()
        .and_then(|execution| execution.status());
    let state = status.and_then(|status| status.state()).cloned();
    Ok(match state {
        Some(QueryExecutionState::Succeeded) => StatementState::Succeeded,
        Some(ended @ (QueryExecutionState::Failed | QueryExecutionState::Cancelled)) => {
            StatementState::Ended {
                state: ended.as_str().to_lowercase(),
                reason: status
                    .and_then(|status| status.state_change_reason())
                    .unwrap_or("no reason given")
                    .to_string(),
            }
        }
        other => StatementState::Running(
            other.map_or("unknown".to_string(), |state| state.as_str().to_lowercase()),
        ),
    })
}

async fn read_results(client: &aws_sdk_athena::Client, id: &str) -> Result<AthenaResult> {
    let mut columns = Vec::new();
    let mut rows = Vec::new();
    let mut next_token = None;
    let mut first_page = true;
    loop {
        let page = client
            .get_query_results()
            .query_execution_id(id)
            .set_next_token(next_token.take())
            .send()
            .await
            .map_err(|err| ServingError::aws(SERVICE, format!("GetQueryResults {id}"), err))?;
        let Some(result_set) = page.result_set() else {
            break;
        };
        if first_page {
            columns = result_set
                .result_set_metadata()
                .map(|metadata| {
                    metadata
                        .column_info()
                        .iter()
                        .map(|column| column.name().to_string())
                        .collect()
                })
                .unwrap_or_default();
        }
        let mut page_rows: Vec<Vec<Option<String>>> = result_set
            .rows()
            .iter()
            .map(|row| {
                row.data()
                    .iter()
                    .map(|datum| datum.var_char_value().map(str::to_string))
                    .collect()
            })
            .collect();
        // The first page of a SELECT starts with the header row.
        if first_page
            && page_rows
                .first()
                .is_some_and(|row| is_header(row, &columns))
        {
            page_rows.remove(0);
        }
        rows.extend(page_rows);
        first_page = false;
        match page.next_token() {
            Some(token) => next_token = Some(token.to_string()),
            None => break,
        }
    }
    Ok(AthenaResult {
        query_execution_id: id.to_string(),
        columns,
        rows,
    })
}

fn is_header(row: &[Option<String>], columns: &[String]) -> bool {
    !columns.is_empty()
        && row.len() == columns.len()
        && row
            .iter()
            .zip(columns)
            .all(|(value, column)| value.as_deref() == Some(column.as_str()))
}

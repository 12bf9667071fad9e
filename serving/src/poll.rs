//! Waiting for a statement an AWS service runs on its own (an Athena query, a Redshift Data
//! batch): poll its state with growing pauses until it ends or the timeout passes.

use std::future::Future;
use std::time::{Duration, Instant};

use backon::{ExponentialBuilder, Retryable};

use crate::error::{Result, ServingError};

/// A statement's state as its service reports it.
pub enum StatementState {
    Succeeded,
    /// Ended without success: the state's name and the service's reason.
    Ended {
        state: String,
        reason: String,
    },
    /// Still queued or running: the state's name.
    Running(String),
}

/// Why a poll did not end the wait: the statement failed, or it is still running.
enum NotDone {
    Failed(ServingError),
    Running(String),
}

/// Polls `describe` until the statement succeeds (`Ok`), ends otherwise (an error with the
/// service's reason) or the pauses between polls (200 ms, doubling up to 5 s) would outlast
/// `timeout` (an error saying it may still finish).
pub async fn wait_for<Describe, Pending>(
    service: &'static str,
    statement_id: &str,
    timeout: Duration,
    mut describe: Describe,
) -> Result<()>
where
    Describe: FnMut() -> Pending,
    Pending: Future<Output = Result<StatementState>>,
{
    let started = Instant::now();
    let poll = || {
        let described = describe();
        async move {
            match described.await.map_err(NotDone::Failed)? {
                StatementState::Succeeded => Ok(()),
                StatementState::Ended { state, reason } => {
                    Err(NotDone::Failed(ServingError::Statement {
                        service,
                        statement_id: statement_id.to_string(),
                        state,
                        reason,
                    }))
                }
                StatementState::Running(state) => Err(NotDone::Running(state)),
            }
        }
    };
    let pauses = ExponentialBuilder::new()
        .with_min_delay(Duration::from_millis(200))
        .with_max_delay(Duration::from_secs(5))
        .without_max_times()
        .with_total_delay(Some(timeout));
    let waited = poll
        .retry(pauses)
        .sleep(tokio::time::sleep)
        .when(|not_done| matches!(not_done, NotDone::Running(_)))
        .await;
    match waited {
        Ok(()) => Ok(()),
        Err(NotDone::Failed(error)) => Err(error),
        Err(NotDone::Running(state)) => Err(ServingError::Timeout {
            service,
            statement_id: statement_id.to_string(),
            state,
            seconds: started.elapsed().as_secs(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_statement_still_running_at_the_timeout_is_reported_with_its_state() {
        let err = wait_for(
            "redshift-data",
            "s-1",
            Duration::from_millis(300),
            || async { Ok(StatementState::Running("started".to_string())) },
        )
        .await
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "redshift-data statement s-1 still started after 0 s; it may still finish (see its id)"
        );
        let mut polls = 0;
        let finished = wait_for("athena", "q-1", Duration::from_secs(30), || {
            polls += 1;
            let state = if polls < 3 {
                StatementState::Running("running".to_string())
            } else {
                StatementState::Succeeded
            };
            async move { Ok(state) }
        })
        .await;
        assert!(finished.is_ok());
        assert_eq!(polls, 3);
        let failed = wait_for("athena", "q-2", Duration::from_secs(30), || async {
            Ok(StatementState::Ended {
                state: "failed".to_string(),
                reason: "line 1:8: column 'x' cannot be resolved".to_string(),
            })
        })
        .await
        .unwrap_err();
        assert!(failed
            .to_string()
            .contains("athena statement q-2 failed: line 1:8"));
    }
}

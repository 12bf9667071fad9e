//! Retries with exponential backoff, for the errors a second attempt may get past.

use std::cell::Cell;
use std::future::Future;
use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};
use serde::Deserialize;

use crate::error::{OrchestrationError, Result};

/// How often and how patiently a step is retried (`[runs]` in paylake.toml).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// Pause before the second attempt; it doubles after each failure.
    pub initial_backoff_ms: u64,
    /// The longest pause.
    pub max_backoff_ms: u64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            initial_backoff_ms: 500,
            max_backoff_ms: 8_000,
        }
    }
}

impl RetryPolicy {
    /// The pauses between attempts: doubling from the first, up to the longest, one fewer than
    /// the attempts.
    pub fn backoff(&self) -> ExponentialBuilder {
        ExponentialBuilder::default()
            .with_factor(2.0)
            .with_min_delay(Duration::from_millis(self.initial_backoff_ms))
            .with_max_delay(Duration::from_millis(self.max_backoff_ms))
            .with_max_times(self.max_attempts.max(1).saturating_sub(1) as usize)
    }

    /// Runs `operation` until it succeeds, fails with an error that is not transient, or has
    /// used its attempts. Returns the result and the attempts made.
    pub async fn run<T, F, Fut>(&self, label: &str, mut operation: F) -> (Result<T>, u32)
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let attempts = Cell::new(0_u32);
        let result = (|| {
            attempts.set(attempts.get() + 1);
            operation()
        })
        .retry(self.backoff())
        .sleep(tokio::time::sleep)
        .when(OrchestrationError::is_transient)
        .notify(|error, pause| {
            tracing::warn!(step = label, attempt = attempts.get(), ?pause, %error, "transient failure, retrying");
        })
        .await;
        (result, attempts.get())
    }
}

/// A transient error, for tests of the policy.
#[cfg(test)]
fn transient() -> OrchestrationError {
    OrchestrationError::Io {
        path: "lake".into(),
        source: std::io::Error::other("connection reset"),
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use backon::BackoffBuilder;

    use super::*;

    const FAST: RetryPolicy = RetryPolicy {
        max_attempts: 3,
        initial_backoff_ms: 1,
        max_backoff_ms: 4,
    };

    #[test]
    fn backoff_doubles_up_to_its_ceiling_and_pauses_once_fewer_than_the_attempts() {
        let policy = RetryPolicy {
            max_attempts: 7,
            ..RetryPolicy::default()
        };
        let pauses: Vec<u128> = policy
            .backoff()
            .build()
            .map(|pause| pause.as_millis())
            .collect();
        assert_eq!(pauses, [500, 1_000, 2_000, 4_000, 8_000, 8_000]);
        assert_eq!(RetryPolicy::default().backoff().build().count(), 2);
    }

    #[tokio::test]
    async fn transient_failures_are_retried_until_success() {
        let calls = Cell::new(0);
        let (result, attempts) = FAST
            .run("test", || {
                calls.set(calls.get() + 1);
                let call = calls.get();
                async move {
                    if call < 3 {
                        Err(transient())
                    } else {
                        Ok(call)
                    }
                }
            })
            .await;
        assert_eq!(result.unwrap(), 3);
        assert_eq!(attempts, 3);
    }

    #[tokio::test]
    async fn retries_stop_at_the_limit_and_bad_input_is_not_retried() {
        let (result, attempts) = FAST
            .run("test", || async { Err::<(), _>(transient()) })
            .await;
        assert!(result.unwrap_err().is_transient());
        assert_eq!(attempts, 3);
        let (result, attempts) = FAST
            .run("test", || async {
                Err::<(), _>(OrchestrationError::Usage("bad rules".into()))
            })
            .await;
        assert!(!result.unwrap_err().is_transient());
        assert_eq!(attempts, 1);
    }
}

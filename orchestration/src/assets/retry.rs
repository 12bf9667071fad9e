//! Retries with exponential backoff, for the errors a second attempt may get past.

use std::future::Future;
use std::time::Duration;

use serde::Deserialize;

#[cfg(test)]
use crate::error::OrchestrationError;
use crate::error::Result;

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
    /// The pause after failed attempt `attempt` (1-based).
    pub fn backoff(&self, attempt: u32) -> Duration {
        let factor = 1u64 << attempt.saturating_sub(1).min(20);
        Duration::from_millis(
            self.initial_backoff_ms
                .saturating_mul(factor)
                .min(self.max_backoff_ms),
        )
    }

    /// Runs `operation` until it succeeds, fails with an error that is not transient, or has
    /// used its attempts. Returns the result and the attempts made.
    pub async fn run<T, F, Fut>(&self, label: &str, mut operation: F) -> (Result<T>, u32)
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let mut attempt = 1;
        loop {
            let result = operation().await;
            match result {
                Err(error) if error.is_transient() && attempt < self.max_attempts.max(1) => {
                    let pause = self.backoff(attempt);
                    tracing::warn!(step = label, attempt, ?pause, %error, "transient failure, retrying");
                    tokio::time::sleep(pause).await;
                    attempt += 1;
                }
                result => return (result, attempt),
            }
        }
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

    use super::*;

    const FAST: RetryPolicy = RetryPolicy {
        max_attempts: 3,
        initial_backoff_ms: 1,
        max_backoff_ms: 4,
    };

    #[test]
    fn backoff_doubles_up_to_its_ceiling() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.backoff(1), Duration::from_millis(500));
        assert_eq!(policy.backoff(2), Duration::from_millis(1_000));
        assert_eq!(policy.backoff(5), Duration::from_millis(8_000));
        assert_eq!(policy.backoff(40), Duration::from_millis(8_000));
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

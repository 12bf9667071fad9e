//! Amazon Comprehend's DetectPiiEntities as a [`PiiDetector`].

use aws_sdk_comprehend::error::DisplayErrorContext;
use aws_sdk_comprehend::types::LanguageCode;

use super::{PiiDetector, PiiFinding, PiiKind};

/// Calls Comprehend for each free-text value. Findings of kinds paylake does not redact are
/// dropped, and so are offsets outside the text (which a real service never returns).
pub struct ComprehendPiiDetector {
    client: aws_sdk_comprehend::Client,
    runtime: tokio::runtime::Handle,
}

impl ComprehendPiiDetector {
    /// A detector using the standard AWS configuration; call from within a multi-threaded
    /// Tokio runtime, whose handle runs the calls.
    pub fn new(config: &aws_config::SdkConfig) -> Self {
        ComprehendPiiDetector {
            client: aws_sdk_comprehend::Client::new(config),
            runtime: tokio::runtime::Handle::current(),
        }
    }
}

impl PiiDetector for ComprehendPiiDetector {
    fn name(&self) -> &'static str {
        "comprehend"
    }

    fn detect(&self, text: &str) -> Result<Vec<PiiFinding>, String> {
        let call = self
            .client
            .detect_pii_entities()
            .text(text)
            .language_code(LanguageCode::En)
            .send();
        // Redaction runs inside an ingest step; the call waits on this thread, not the runtime.
        let response = tokio::task::block_in_place(|| {
            self.runtime
                .block_on(call)
                .map_err(|err| format!("DetectPiiEntities: {}", DisplayErrorContext(&err)))
        })?;
        let length = text.chars().count();
        let mut findings: Vec<PiiFinding> = response
            .entities()
            .iter()
            .filter_map(|entity| {
                let kind = PiiKind::from_comprehend(entity.r#type()?.as_str())?;
                let start = usize::try_from(entity.begin_offset()?).ok()?;
                let end = usize::try_from(entity.end_offset()?).ok()?;
                if start >= end || end > length {
                    tracing::warn!(
                        start,
                        end,
                        length,
                        "comprehend finding outside the text, dropped"
                    );
                    return None;
                }
                Some(PiiFinding { kind, start, end })
            })
            .collect();
        findings.sort_by_key(|finding| (finding.start, finding.end));
        // Overlapping findings: the first one covers the text.
        let mut covered_to = 0;
        findings.retain(|finding| {
            let keep = finding.start >= covered_to;
            if keep {
                covered_to = finding.end;
            }
            keep
        });
        Ok(findings)
    }
}

//! paylake's own events once people have decided: an approved SAR delivered in an export
//! package is filed, and FinCEN's acknowledgement gives it its BSA ID.

use chrono::Utc;
use paylake_catalog::Lake;

use crate::cases::replay;
use crate::error::Result;
use crate::events::{append_derived, paylake_event};
use crate::lifecycle::ActionKind;

/// Records that the package `export_id` carried the SAR cases among `record_keys` (other keys,
/// such as CTRs, are not cases). A case already recorded as filed by this package is left as
/// it is, so recording an export twice changes nothing. Returns the cases newly filed.
pub async fn record_filed(lake: &Lake, record_keys: &[String], export_id: &str) -> Result<usize> {
    append_derived(lake, |events| {
        let cases = replay(events);
        let new_events = {
            let now = Utc::now();
            record_keys
                .iter()
                .filter_map(|key| cases.get(key))
                .filter(|case| {
                    let filed_here = events.iter().any(|event| {
                        event.case_id == case.case_id
                            && event.action == ActionKind::File
                            && event.export_id.as_deref() == Some(export_id)
                    });
                    !filed_here && ActionKind::File.allowed_from().contains(&case.state)
                })
                .map(|case| {
                    let mut event = paylake_event(case, ActionKind::File, now);
                    event.export_id = Some(export_id.to_string());
                    event
                })
                .collect::<Vec<_>>()
        };
        let count = new_events.len();
        (new_events, count)
    })
    .await
}

/// Records FinCEN's BSA ID of each filed case in `acknowledged` (case id, BSA ID) that does
/// not hold it yet. Returns the cases updated.
pub async fn record_acknowledged(lake: &Lake, acknowledged: &[(String, String)]) -> Result<usize> {
    append_derived(lake, |events| {
        let cases = replay(events);
        let new_events = {
            let now = Utc::now();
            acknowledged
                .iter()
                .filter_map(|(case_id, bsa_id)| cases.get(case_id).map(|case| (case, bsa_id)))
                .filter(|(case, bsa_id)| {
                    case.bsa_id.as_deref() != Some(bsa_id.as_str())
                        && ActionKind::Acknowledge.allowed_from().contains(&case.state)
                })
                .map(|(case, bsa_id)| {
                    let mut event = paylake_event(case, ActionKind::Acknowledge, now);
                    event.bsa_id = Some(bsa_id.clone());
                    event
                })
                .collect::<Vec<_>>()
        };
        let count = new_events.len();
        (new_events, count)
    })
    .await
}

//! The life of a reconciliation break in people's hands: its states, the actions that move it,
//! and which action each state allows. Pure rules, no I/O.
//!
//! ```text
//! open ─assign─► assigned ─match─► matched
//!  │                │
//!  └──write_off─────┴─write_off─► written_off            (up to the approval amount)
//!                             └─► pending_write_off ─approve─► written_off
//!                                        └──reject──► assigned
//! ```

named_values!(
    /// Where a break stands in finance's work (`open` until someone acts).
    #[derive(serde::Serialize)]
    #[serde(rename_all = "snake_case")]
    BreakState, "break state", [
    Open => "open",
    Assigned => "assigned",
    Matched => "matched",
    PendingWriteOff => "pending_write_off",
    WrittenOff => "written_off",
]);

impl BreakState {
    /// Whether a decision has settled the break: the reconciliation stops carrying it.
    pub fn is_settled(self) -> bool {
        matches!(self, BreakState::Matched | BreakState::WrittenOff)
    }
}

named_values!(
    /// What a person can do to a break.
    BreakAction, "break action", [
    Assign => "assign",
    /// A note on the break; the state stays.
    Annotate => "annotate",
    /// Matched by hand to the counter-item the person names (rule `manual`).
    Match => "match",
    WriteOff => "write_off",
    Approve => "approve",
    Reject => "reject",
]);

impl BreakAction {
    /// The states this action may be taken in.
    pub fn allowed_from(self) -> &'static [BreakState] {
        use BreakState::*;
        match self {
            BreakAction::Assign => &[Open, Assigned],
            BreakAction::Annotate => &[Open, Assigned, PendingWriteOff],
            BreakAction::Match | BreakAction::WriteOff => &[Open, Assigned],
            BreakAction::Approve | BreakAction::Reject => &[PendingWriteOff],
        }
    }

    /// The state the action leaves a break in, from `from`; a write-off above the approval
    /// amount waits for a second person.
    pub fn target(self, from: BreakState, needs_approval: bool) -> BreakState {
        match self {
            BreakAction::Assign => BreakState::Assigned,
            BreakAction::Annotate => from,
            BreakAction::Match => BreakState::Matched,
            BreakAction::WriteOff if needs_approval => BreakState::PendingWriteOff,
            BreakAction::WriteOff | BreakAction::Approve => BreakState::WrittenOff,
            BreakAction::Reject => BreakState::Assigned,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_settled_break_takes_no_action() {
        for action in BreakAction::ALL {
            for settled in [BreakState::Matched, BreakState::WrittenOff] {
                assert!(
                    !action.allowed_from().contains(&settled),
                    "{action} on {settled}"
                );
            }
        }
    }

    #[test]
    fn a_large_write_off_is_written_off_only_by_an_approval() {
        assert_eq!(
            BreakAction::WriteOff.target(BreakState::Assigned, true),
            BreakState::PendingWriteOff
        );
        assert_eq!(
            BreakAction::WriteOff.target(BreakState::Assigned, false),
            BreakState::WrittenOff
        );
        assert_eq!(
            BreakAction::Approve.allowed_from(),
            [BreakState::PendingWriteOff]
        );
        assert_eq!(
            "write_off".parse::<BreakAction>(),
            Ok(BreakAction::WriteOff)
        );
    }
}

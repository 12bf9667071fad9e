//! The life of an AML case: its states, the actions that move it, and which action each state
//! allows. Pure rules, no I/O: the event log applies them.
//!
//! ```text
//! new ─assign─► assigned ─start─► investigating ─escalate─► escalated ─decide─► pending_approval
//!  │               │                   │                        ▲                 │approve│return
//!  └────────close──┴───────close───────┴─► closed               └──── returned ◄──┘       │
//!                                                                            approved ◄───┘
//!   (a no_file decision approved closes the case)                   file ─►  filed ─► continuing_review
//! ```

named_values!(
    /// Where a case stands.
    #[derive(PartialOrd, Ord, serde::Serialize)]
    #[serde(rename_all = "snake_case")]
    CaseState, "case state", [
    New => "new",
    Assigned => "assigned",
    Investigating => "investigating",
    Closed => "closed",
    Escalated => "escalated",
    PendingApproval => "pending_approval",
    Returned => "returned",
    Approved => "approved",
    Filed => "filed",
    ContinuingReview => "continuing_review",
]);

impl CaseState {
    /// Whether later alerts of the customer join this case (every state but closed: a filed
    /// case collects the continuing activity its review will look at).
    pub fn is_open(self) -> bool {
        self != CaseState::Closed
    }

    /// Whether the case still waits on a person (the queue shows it).
    pub fn awaits_work(self) -> bool {
        !matches!(
            self,
            CaseState::Closed | CaseState::Approved | CaseState::Filed
        )
    }
}

named_values!(
    /// What can happen to a case.
    ActionKind, "case action", [
    /// paylake opens a case for a customer's first alerts.
    Open => "open",
    /// paylake adds a later alert of the customer to the open case.
    Attach => "attach",
    Assign => "assign",
    Start => "start",
    Close => "close",
    Escalate => "escalate",
    Decide => "decide",
    Approve => "approve",
    Return => "return",
    /// paylake delivered the approved SAR in an export package.
    File => "file",
    /// FinCEN acknowledged the filing with a BSA ID.
    Acknowledge => "acknowledge",
    /// Activity went on 90 days after filing: the case is reviewed for a continuing SAR.
    ContinuingReview => "continuing_review",
]);

impl ActionKind {
    /// The states this action may be taken in (`Open` is taken on no case).
    pub fn allowed_from(self) -> &'static [CaseState] {
        use CaseState::*;
        match self {
            ActionKind::Open => &[],
            ActionKind::Attach => &[
                New,
                Assigned,
                Investigating,
                Escalated,
                PendingApproval,
                Returned,
                Approved,
                Filed,
                ContinuingReview,
            ],
            ActionKind::Assign => &[New, Assigned, Investigating, ContinuingReview],
            ActionKind::Start => &[Assigned],
            ActionKind::Close => &[New, Assigned, Investigating, ContinuingReview],
            ActionKind::Escalate => &[Assigned, Investigating, ContinuingReview],
            ActionKind::Decide => &[Escalated, Returned],
            ActionKind::Approve | ActionKind::Return => &[PendingApproval],
            // A case filed in one regime's package is filed in the other's too (FinCEN, goAML).
            ActionKind::File => &[Approved, Filed],
            ActionKind::Acknowledge => &[Filed, ContinuingReview],
            ActionKind::ContinuingReview => &[Filed],
        }
    }

    /// The state the action leaves a case in, from `from`. An approval depends on the decision
    /// it approves: a SAR to file is approved, a decision not to file closes the case.
    pub fn target(self, from: CaseState, decision: Option<SarDecision>) -> CaseState {
        match self {
            ActionKind::Open => CaseState::New,
            ActionKind::Attach | ActionKind::Acknowledge => from,
            ActionKind::Assign => CaseState::Assigned,
            ActionKind::Start => CaseState::Investigating,
            ActionKind::Close => CaseState::Closed,
            ActionKind::Escalate => CaseState::Escalated,
            ActionKind::Decide => CaseState::PendingApproval,
            ActionKind::Approve => match decision {
                Some(SarDecision::NoFile) => CaseState::Closed,
                _ => CaseState::Approved,
            },
            ActionKind::Return => CaseState::Returned,
            ActionKind::File => CaseState::Filed,
            ActionKind::ContinuingReview => CaseState::ContinuingReview,
        }
    }

    /// Whether paylake takes this action itself (people take the others).
    pub fn is_automatic(self) -> bool {
        matches!(
            self,
            ActionKind::Open
                | ActionKind::Attach
                | ActionKind::File
                | ActionKind::Acknowledge
                | ActionKind::ContinuingReview
        )
    }
}

named_values!(
    /// How a case closes without a SAR.
    CloseOutcome, "close outcome", [
    /// The alerts were wrong: the activity is what the customer does normally.
    FalsePositive => "false_positive",
    /// The activity is unusual but explained.
    NotSuspicious => "not_suspicious",
]);

named_values!(
    /// Whether an escalated case is reported to FinCEN.
    #[derive(serde::Serialize)]
    #[serde(rename_all = "snake_case")]
    SarDecision, "SAR decision", [
    File => "file",
    NoFile => "no_file",
]);

/// The longest narrative a FinCEN SAR carries: five blocks of 4,000 characters.
pub const NARRATIVE_LIMIT_CHARS: usize = 20_000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_and_action_reads_back_from_its_name() {
        for state in CaseState::ALL {
            assert_eq!(state.as_str().parse::<CaseState>(), Ok(state));
        }
        for action in ActionKind::ALL {
            assert_eq!(action.as_str().parse::<ActionKind>(), Ok(action));
        }
        assert!("done".parse::<CaseState>().is_err());
    }

    #[test]
    fn a_closed_case_takes_no_action_and_no_alert() {
        for action in ActionKind::ALL {
            assert!(
                !action.allowed_from().contains(&CaseState::Closed),
                "{action} is allowed on a closed case"
            );
        }
    }

    #[test]
    fn filing_needs_an_approval_and_an_approval_needs_a_decision() {
        assert_eq!(
            ActionKind::File.allowed_from(),
            [CaseState::Approved, CaseState::Filed]
        );
        assert_eq!(
            ActionKind::Approve.allowed_from(),
            [CaseState::PendingApproval]
        );
        assert_eq!(
            ActionKind::Approve.target(CaseState::PendingApproval, Some(SarDecision::File)),
            CaseState::Approved
        );
        assert_eq!(
            ActionKind::Approve.target(CaseState::PendingApproval, Some(SarDecision::NoFile)),
            CaseState::Closed
        );
        // Every state but the start is reached by some action from some state.
        for state in CaseState::ALL {
            let reached = ActionKind::ALL.iter().any(|action| {
                action.allowed_from().iter().any(|from| {
                    [Some(SarDecision::File), Some(SarDecision::NoFile)]
                        .into_iter()
                        .any(|decision| action.target(*from, decision) == state)
                })
            });
            assert!(reached || state == CaseState::New, "{state} is unreachable");
        }
    }
}

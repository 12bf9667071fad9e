//! Finance's work on reconciliation breaks: a break of `gold.recon_breaks` is assigned,
//! annotated, matched by hand to the counter-item a person names, or written off (above
//! finance-rules.toml's amount only with a second person's approval). Every action is an event
//! of `decisions.break_events`; the reconciliation reads the decisions that settle a break (a
//! manual match, a write-off) and shows them on the event's business date.

pub mod events;
pub mod lifecycle;
pub mod work;

pub use events::{BreakEvent, BreakLog};
pub use lifecycle::{BreakAction, BreakState};
pub use work::{
    act_on_break, allowed_break_actions, open_breaks, BreakRequest, BreakWork, OpenBreak,
};

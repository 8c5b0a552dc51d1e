//! Eventloom's domain core: the Lambda wiring graph and everything computed from it —
//! catalog, validation, connection rules, edits, plans and diffs — with no IO, for the
//! browser (wasm) and the server alike.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod catalog;
pub mod change;
pub mod connect;
pub mod diff;
pub mod examples;
pub mod findings;
pub mod ids;
pub mod layout;
pub mod merge;
pub mod model;
pub mod plan;
pub mod policy;
pub mod report;
#[cfg(feature = "schema")]
pub mod schema;
pub mod set;
pub mod validate;

#[cfg(test)]
mod testkit;

pub use change::{Change, ChangeError, apply};
pub use connect::{Refusal, can_connect};
pub use diff::diff;
pub use findings::{Code, Element, Finding, Fix, Severity, Summary};
pub use model::{Edge, EdgeKind, Graph, GraphError, Node, NodeKind};
pub use plan::{Observed, Plan, plan};
pub use validate::{fix_all_grants, grant_changes, validate};

/// The prefix of every statement id, notification id and rule target id Eventloom creates.
/// Eventloom removes only what carries it.
pub const OWNED_PREFIX: &str = "eventloom-";

//! Eventloom's domain core: the Lambda wiring graph and what can be computed from it, with no IO.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod model;

pub use model::{Graph, GraphError};

//! HTTP routes outside the Leptos pages: health, metrics and the REST API.

pub mod api;
pub mod health;
pub mod metrics;

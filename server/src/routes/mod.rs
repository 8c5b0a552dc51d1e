//! HTTP routes outside the Leptos pages: health, metrics, the REST API and deploys.

pub mod api;
pub mod deploy;
pub mod health;
pub mod metrics;
pub mod review;

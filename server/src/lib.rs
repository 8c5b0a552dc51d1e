//! Eventloom's server: configuration, the axum application, storage and AWS access.
#![forbid(unsafe_code)]

pub mod auth;
pub mod aws;
pub mod backend;
pub mod cli;
pub mod config;
pub mod deploy;
pub mod error;
pub mod routes;
pub mod service;
pub mod startup;
pub mod store;
pub mod telemetry;

pub use config::Settings;
pub use error::AppError;
pub use startup::Application;

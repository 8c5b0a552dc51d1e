//! Deploy tests against the moto emulator over HTTP: every apply goes through the API and
//! the Postgres-backed worker, and live state is read back through the SDK.

#[path = "../api/helpers.rs"]
#[allow(dead_code)]
mod helpers;

mod api;
mod kinds;
mod review;
mod safety;
mod support;
mod worker;

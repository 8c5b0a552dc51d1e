//! HTTP-level tests: each spawns the real app on 127.0.0.1:0 over a fresh database.

mod auth;
mod authz;
mod cancel;
mod concurrency;
mod drafts;
mod health;
mod helpers;
mod ops;
mod pages;
mod startup;

//! HTTP-level tests: each spawns the real app on 127.0.0.1:0 over a fresh database.

mod drafts;
mod health;
mod helpers;
mod startup;

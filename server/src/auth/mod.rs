//! Accounts and sessions: password hashing, the typed session, CSRF and sign-in rate limits.

pub mod csrf;
pub mod password;
pub mod ratelimit;
pub mod session;

pub use session::{AuthSession, Authed};

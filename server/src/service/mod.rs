//! The service layer: each rule lives here once, called by the REST handlers and by the
//! UI's server functions alike.

mod auth;
mod deploy;
mod drafts;
pub(crate) mod review;
mod team;

use crate::config::RuntimeConfig;
use axum::http::request::Parts;
use sqlx::PgPool;
use std::{net::SocketAddr, sync::Arc};

/// The operations on Eventloom's data, over one Postgres pool. Cheap to clone; holds no
/// state another replica would need.
#[derive(Clone)]
pub struct Service {
    pool: PgPool,
    config: Arc<RuntimeConfig>,
}

impl Service {
    /// A service over `pool`.
    pub fn new(pool: PgPool, config: RuntimeConfig) -> Self {
        Self {
            pool,
            config: Arc::new(config),
        }
    }

    /// The database pool.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Run-time settings.
    pub fn config(&self) -> &RuntimeConfig {
        &self.config
    }

    /// The client's address: the socket peer, or, behind a trusted proxy, the address that
    /// proxy saw: the last `X-Forwarded-For` entry. Entries before it are whatever the client
    /// sent, so trusting the first one would let anyone pick the address that rate limits
    /// and the audit log see.
    pub fn client_ip(&self, parts: &Parts) -> Option<String> {
        if self.config.trust_proxy
            && let Some(last) = parts
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .map(str::trim)
                .rfind(|hop| !hop.is_empty())
        {
            return Some(last.to_owned());
        }
        parts
            .extensions
            .get::<axum::extract::ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip().to_string())
    }
}

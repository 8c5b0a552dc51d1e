//! The service layer: each rule lives here once, called by the REST handlers and by the
//! UI's server functions alike.

mod auth;
mod deploy;
mod drafts;
mod review;
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

    /// The client's address: the socket peer, or the first `X-Forwarded-For` hop behind a
    /// trusted proxy.
    pub fn client_ip(&self, parts: &Parts) -> Option<String> {
        if self.config.trust_proxy
            && let Some(first) = parts
                .headers
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(',').next())
        {
            return Some(first.trim().to_owned());
        }
        parts
            .extensions
            .get::<axum::extract::ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip().to_string())
    }
}

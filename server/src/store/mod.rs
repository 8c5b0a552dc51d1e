//! Postgres access with sqlx. Row types stay in this module and are mapped to wire types here.

pub mod audit;
pub mod deploy;
pub mod drafts;
pub mod review;
pub mod teams;
pub mod users;

use sqlx::{PgPool, postgres::PgPoolOptions};

use crate::config::{Settings, redact_url};

/// The embedded migrations from `migrations/`, applied at start-up under Postgres' advisory lock,
/// so replicas starting together apply each one once.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

/// Connects to Postgres, failing with a message that names the (redacted) URL.
pub async fn connect(settings: &Settings) -> anyhow::Result<PgPool> {
    connect_url(&settings.database_url, settings.db_max_connections).await
}

/// Connects to Postgres at `url`.
pub async fn connect_url(url: &str, max_connections: u32) -> anyhow::Result<PgPool> {
    PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Settings::DB_ACQUIRE_TIMEOUT)
        .connect(url)
        .await
        .map_err(|e| {
            anyhow::anyhow!(
                "cannot connect to the database at {}: {}. Check DATABASE_URL and that Postgres is running",
                redact_url(url),
                short_db_error(&e)
            )
        })
}

/// Applies pending migrations.
pub async fn migrate(pool: &PgPool) -> anyhow::Result<()> {
    MIGRATOR
        .run(pool)
        .await
        .map_err(|e| anyhow::anyhow!("database migration failed: {e}"))
}

fn short_db_error(e: &sqlx::Error) -> String {
    match e {
        sqlx::Error::Io(io) => io.to_string(),
        sqlx::Error::PoolTimedOut => "timed out".to_owned(),
        other => other.to_string(),
    }
}

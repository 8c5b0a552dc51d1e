//! Postgres access with sqlx. Row types stay in this module and are mapped to wire types here.

pub mod audit;
pub mod deploy;
pub mod drafts;
pub mod review;
pub mod sessions;
pub mod teams;
pub mod users;

use sqlx::{PgPool, Postgres, Transaction, postgres::PgPoolOptions};

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

/// Starts a transaction that a cancelled caller cannot leak.
///
/// sqlx 0.8's Postgres `BEGIN` is not cancel-safe (launchbadge/sqlx#4393): a future dropped
/// while the `BEGIN` round trip is in flight leaves the server inside a transaction that sqlx
/// does not know about, and the pool hands that connection to the next borrower, whose writes
/// then run in it, invisible to everyone else and lost when the connection closes. Requests
/// are dropped whenever a client disconnects, and workers are aborted, so the round trip runs
/// in its own task: if the caller goes away, the task still finishes `BEGIN` and drops the
/// transaction, which sqlx then rolls back properly. sqlx 0.9.1 fixes this at the source, but
/// the session store does not support 0.9 yet.
pub async fn begin(pool: &PgPool) -> sqlx::Result<Transaction<'static, Postgres>> {
    let pool = pool.clone();
    #[allow(clippy::disallowed_methods)] // the one place it is allowed: see above
    let task = tokio::spawn(async move { pool.begin().await });
    match task.await {
        Ok(tx) => tx,
        Err(e) => Err(sqlx::Error::Io(std::io::Error::other(format!(
            "the task starting a transaction failed: {e}"
        )))),
    }
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

//! Settings: read once from flags and environment, validated, with secrets redacted in `Debug`.

use clap::Args;
use std::{fmt, net::IpAddr, path::PathBuf, time::Duration};

/// Everything `eventloom serve` needs to start.
#[derive(Clone, Args)]
pub struct Settings {
    /// Address to bind; keep the loopback default unless a proxy sits in front.
    #[arg(long, env = "EVENTLOOM_HOST", default_value = "127.0.0.1")]
    pub host: IpAddr,
    /// Port to bind; 0 picks a free one.
    #[arg(long, short, env = "PORT", default_value_t = 3000)]
    pub port: u16,
    /// Postgres connection string, e.g. postgres://user@127.0.0.1:5432/eventloom.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: String,
    /// Most open database connections per process.
    #[arg(long, env = "EVENTLOOM_DB_MAX_CONNECTIONS", default_value_t = 10)]
    pub db_max_connections: u32,
    /// Where the built site (pkg/, favicon) lives.
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: PathBuf,
    /// Endpoint of the sandbox AWS emulator, e.g. http://127.0.0.1:4566.
    #[arg(long, env = "EVENTLOOM_SANDBOX_ENDPOINT")]
    pub sandbox_endpoint: Option<String>,
}

impl Settings {
    /// How long to wait for Postgres before giving up at start-up and per request.
    pub const DB_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("database_url", &redact_url(&self.database_url))
            .field("db_max_connections", &self.db_max_connections)
            .field("site_root", &self.site_root)
            .field("sandbox_endpoint", &self.sandbox_endpoint)
            .finish()
    }
}

/// A connection string with its password replaced, fit for logs and error messages.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return "<unparseable url>".to_owned();
    };
    let (authority, tail) = match rest.find(['/', '?']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or_default();
            if userinfo.contains(':') {
                format!("{user}:***@{host}")
            } else {
                format!("{user}@{host}")
            }
        }
        None => authority.to_owned(),
    };
    format!("{scheme}://{authority}{tail}")
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn passwords_are_hidden_in_database_urls() {
        assert_eq!(
            redact_url("postgres://app:hunter2@db:5432/eventloom?sslmode=require"),
            "postgres://app:***@db:5432/eventloom?sslmode=require"
        );
    }

    #[test]
    fn urls_without_password_are_unchanged() {
        assert_eq!(
            redact_url("postgres://postgres@127.0.0.1:5439/eventloom"),
            "postgres://postgres@127.0.0.1:5439/eventloom"
        );
    }

    #[test]
    fn text_that_is_not_a_url_is_not_echoed() {
        assert_eq!(redact_url("secret-ish"), "<unparseable url>");
    }
}

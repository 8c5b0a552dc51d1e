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
    /// Mark cookies Secure and name the session cookie `__Host-…` (set it when served over https).
    #[arg(long, env = "EVENTLOOM_SECURE_COOKIES", default_value_t = false)]
    pub secure_cookies: bool,
    /// Seconds of inactivity after which a session ends.
    #[arg(long, env = "EVENTLOOM_SESSION_IDLE_SECS", default_value_t = 30 * 60)]
    pub session_idle_secs: u64,
    /// Seconds after sign-in after which a session ends, however active.
    #[arg(long, env = "EVENTLOOM_SESSION_ABSOLUTE_SECS", default_value_t = 12 * 60 * 60)]
    pub session_absolute_secs: u64,
    /// Failed sign-ins allowed per account per window.
    #[arg(long, env = "EVENTLOOM_SIGNIN_LIMIT_ACCOUNT", default_value_t = 5)]
    pub signin_limit_account: u32,
    /// Failed sign-ins allowed per client address per window.
    #[arg(long, env = "EVENTLOOM_SIGNIN_LIMIT_IP", default_value_t = 30)]
    pub signin_limit_ip: u32,
    /// The rate-limit window, in seconds.
    #[arg(long, env = "EVENTLOOM_SIGNIN_WINDOW_SECS", default_value_t = 15 * 60)]
    pub signin_window_secs: u64,
    /// Trust `X-Forwarded-For` for the client address (only behind a proxy that sets it).
    #[arg(long, env = "EVENTLOOM_TRUST_PROXY", default_value_t = false)]
    pub trust_proxy: bool,
    /// Largest graph accepted, in nodes.
    #[arg(long, env = "EVENTLOOM_MAX_NODES", default_value_t = 20_000)]
    pub max_nodes: usize,
    /// Largest request body accepted, in bytes.
    #[arg(long, env = "EVENTLOOM_MAX_BODY_BYTES", default_value_t = 5 * 1024 * 1024)]
    pub max_body_bytes: usize,
    /// A token Prometheus sends as `Authorization: Bearer …` to read /metrics. Without it,
    /// /metrics answers only requests from this machine that did not come through a proxy.
    #[arg(long, env = "EVENTLOOM_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,
    /// Deploy settings.
    #[command(flatten)]
    pub deploy: DeploySettings,
}

/// What `eventloom worker` needs: the database, the sandbox endpoint and the deploy settings.
#[derive(Clone, Args)]
pub struct WorkerSettings {
    /// Postgres connection string.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: String,
    /// Most open database connections.
    #[arg(long, env = "EVENTLOOM_DB_MAX_CONNECTIONS", default_value_t = 5)]
    pub db_max_connections: u32,
    /// Endpoint of the sandbox AWS emulator.
    #[arg(long, env = "EVENTLOOM_SANDBOX_ENDPOINT")]
    pub sandbox_endpoint: Option<String>,
    /// Deploy settings.
    #[command(flatten)]
    pub deploy: DeploySettings,
}

/// How deploys reach AWS and how the apply worker runs.
#[derive(Debug, Clone, Args)]
pub struct DeploySettings {
    /// Credentials modes teams may give new targets, comma-separated: default_chain,
    /// profile, assume_role, endpoint. The first two act as this server's own identity, so
    /// allow them only on single-organisation installs.
    #[arg(
        long,
        env = "EVENTLOOM_DEPLOY_MODES",
        value_delimiter = ',',
        default_value = "assume_role,endpoint"
    )]
    pub deploy_modes: Vec<String>,
    /// Hosts an `endpoint` target may point at, comma-separated (`*` for any). Loopback only
    /// by default: the server sends requests, signed or not, wherever a target points, so
    /// on a shared install an open list would let a team admin reach internal addresses.
    #[arg(
        long,
        env = "EVENTLOOM_ENDPOINT_HOSTS",
        value_delimiter = ',',
        default_value = "127.0.0.1,localhost,::1"
    )]
    pub endpoint_hosts: Vec<String>,
    /// AWS calls per second per account and region (Lambda's control-plane quota is shared
    /// with everything else in the account); 0 turns pacing off.
    #[arg(long, env = "EVENTLOOM_AWS_CALLS_PER_SEC", default_value_t = 15)]
    pub aws_calls_per_sec: u32,
    /// Run an apply worker inside this server (turn off when `eventloom worker` runs apart).
    #[arg(long, env = "EVENTLOOM_WORKER", default_value_t = true, action = clap::ArgAction::Set)]
    pub worker: bool,
    /// Seconds a worker's lease on a job lasts without renewal.
    #[arg(long, env = "EVENTLOOM_WORKER_LEASE_SECS", default_value_t = 30)]
    pub worker_lease_secs: u64,
    /// Jobs one worker runs at once (each for a different account and region).
    #[arg(long, env = "EVENTLOOM_WORKER_JOBS", default_value_t = 4)]
    pub worker_jobs: usize,
    /// Create the example's resources in the sandbox emulator at start-up.
    #[arg(long, env = "EVENTLOOM_SEED_SANDBOX", default_value_t = true, action = clap::ArgAction::Set)]
    pub seed_sandbox: bool,
}

impl Default for DeploySettings {
    fn default() -> Self {
        Self {
            deploy_modes: vec!["assume_role".into(), "endpoint".into()],
            endpoint_hosts: vec!["127.0.0.1".into(), "localhost".into(), "::1".into()],
            aws_calls_per_sec: 15,
            worker: true,
            worker_lease_secs: 30,
            worker_jobs: 4,
            seed_sandbox: true,
        }
    }
}

impl DeploySettings {
    /// The allowed modes, or which name is not a mode.
    pub fn allowed_modes(&self) -> Result<Vec<app::api::CredentialsMode>, String> {
        self.deploy_modes
            .iter()
            .map(|m| m.trim())
            .filter(|m| !m.is_empty())
            .map(|m| match app::api::CredentialsMode::parse(m) {
                Some(app::api::CredentialsMode::Sandbox) | None => Err(format!(
                    "EVENTLOOM_DEPLOY_MODES: '{m}' is not a mode; use default_chain, profile, assume_role or endpoint"
                )),
                Some(mode) => Ok(mode),
            })
            .collect()
    }

    /// The pacing quota.
    pub fn quota(&self) -> Option<std::num::NonZeroU32> {
        std::num::NonZeroU32::new(self.aws_calls_per_sec)
    }

    /// The worker's settings.
    pub fn worker_config(&self) -> crate::deploy::worker::WorkerConfig {
        crate::deploy::worker::WorkerConfig {
            lease: Duration::from_secs(self.worker_lease_secs.max(3)),
            max_jobs: self.worker_jobs.max(1),
            ..Default::default()
        }
    }
}

/// The settings the service layer consults at run time.
#[derive(Clone)]
pub struct RuntimeConfig {
    /// The bearer token for /metrics, when set.
    pub metrics_token: Option<String>,
    /// Session idle timeout.
    pub session_idle: Duration,
    /// Session absolute lifetime.
    pub session_absolute: Duration,
    /// Sign-in limits.
    pub signin: crate::auth::ratelimit::Limits,
    /// Trust `X-Forwarded-For`.
    pub trust_proxy: bool,
    /// Largest graph, in nodes.
    pub max_nodes: usize,
    /// Secure cookies.
    pub secure_cookies: bool,
    /// The sandbox emulator's endpoint.
    pub sandbox_endpoint: Option<String>,
    /// Credentials modes allowed for new targets.
    pub deploy_modes: Vec<app::api::CredentialsMode>,
    /// Hosts endpoint targets may name (`*`: any).
    pub endpoint_hosts: Vec<String>,
    /// AWS calls per second per account and region.
    pub aws_quota: Option<std::num::NonZeroU32>,
}

impl RuntimeConfig {
    /// How this server reaches AWS.
    pub fn aws(&self) -> crate::deploy::AwsContext {
        crate::deploy::AwsContext {
            sandbox_endpoint: self.sandbox_endpoint.clone(),
            quota: self.aws_quota,
            pacing: None,
        }
    }
}

impl From<&Settings> for RuntimeConfig {
    fn from(s: &Settings) -> Self {
        Self {
            metrics_token: s.metrics_token.clone().filter(|t| !t.trim().is_empty()),
            session_idle: Duration::from_secs(s.session_idle_secs.max(1)),
            session_absolute: Duration::from_secs(s.session_absolute_secs.max(1)),
            signin: crate::auth::ratelimit::Limits {
                per_account: i64::from(s.signin_limit_account.max(1)),
                per_ip: i64::from(s.signin_limit_ip.max(1)),
                window: Duration::from_secs(s.signin_window_secs.max(1)),
            },
            trust_proxy: s.trust_proxy,
            max_nodes: s.max_nodes,
            secure_cookies: s.secure_cookies,
            sandbox_endpoint: s.sandbox_endpoint.clone(),
            // Validated at start-up (see `Application::build_with_pool`).
            deploy_modes: s.deploy.allowed_modes().unwrap_or_default(),
            endpoint_hosts: s
                .deploy
                .endpoint_hosts
                .iter()
                .map(|h| h.trim().trim_matches(['[', ']']).to_ascii_lowercase())
                .filter(|h| !h.is_empty())
                .collect(),
            aws_quota: s.deploy.quota(),
        }
    }
}

impl fmt::Debug for RuntimeConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RuntimeConfig")
            .field(
                "metrics_token",
                &self.metrics_token.as_ref().map(|_| "<set>"),
            )
            .field("session_idle", &self.session_idle)
            .field("session_absolute", &self.session_absolute)
            .field("trust_proxy", &self.trust_proxy)
            .field("max_nodes", &self.max_nodes)
            .field("secure_cookies", &self.secure_cookies)
            .field("sandbox_endpoint", &self.sandbox_endpoint)
            .field("deploy_modes", &self.deploy_modes)
            .field("endpoint_hosts", &self.endpoint_hosts)
            .field("aws_quota", &self.aws_quota)
            .finish_non_exhaustive()
    }
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
            .field("secure_cookies", &self.secure_cookies)
            .field("session_idle_secs", &self.session_idle_secs)
            .field("session_absolute_secs", &self.session_absolute_secs)
            .field("trust_proxy", &self.trust_proxy)
            .field("max_nodes", &self.max_nodes)
            .field("max_body_bytes", &self.max_body_bytes)
            .field(
                "metrics_token",
                &self.metrics_token.as_ref().map(|_| "<set>"),
            )
            .field("deploy", &self.deploy)
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

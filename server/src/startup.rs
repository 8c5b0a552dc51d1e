//! Builds the application: connects storage, binds the listener and assembles the Router.
//! `main` and the integration tests both start Eventloom through [`Application`].

use crate::{Settings, auth, config::RuntimeConfig, routes, service::Service, store};
use anyhow::Context as _;
use app::api::SharedBackend;
use aws_config::SdkConfig;
use axum::{
    Router,
    body::Body,
    extract::{DefaultBodyLimit, FromRef},
    http::{HeaderValue, Request, StatusCode, header},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::get,
};
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use sqlx::PgPool;
use std::{future::Future, net::SocketAddr, sync::Arc};
use tokio::net::TcpListener;
use tower_http::{services::ServeDir, set_header::SetResponseHeader, trace::TraceLayer};
use tower_sessions::{Expiry, SessionManagerLayer, cookie::SameSite};
use tower_sessions_sqlx_store::PostgresStore;

/// Shared, cheap-to-clone state for handlers. It holds handles only (pool, SDK config):
/// nothing another replica would need lives here.
#[derive(Clone)]
pub struct AppState {
    /// The service layer.
    pub service: Service,
    /// SDK configuration for the sandbox emulator, when one is configured.
    pub sandbox: Option<SdkConfig>,
    /// Leptos' settings for rendering and static files.
    pub leptos_options: LeptosOptions,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// A bound, ready-to-serve Eventloom.
pub struct Application {
    listener: TcpListener,
    router: Router,
    addr: SocketAddr,
    service: Service,
}

impl Application {
    /// Connects to Postgres, applies migrations and binds the configured address.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let pool = store::connect(&settings).await?;
        store::migrate(&pool).await?;
        Self::build_with_pool(settings, pool).await
    }

    /// Binds and assembles the app over an existing, migrated pool (tests use this).
    pub async fn build_with_pool(settings: Settings, pool: PgPool) -> anyhow::Result<Self> {
        let wanted = SocketAddr::new(settings.host, settings.port);
        let listener = TcpListener::bind(wanted)
            .await
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::AddrInUse => anyhow::anyhow!(
                    "port {} on {} is already in use; choose another with --port or PORT",
                    settings.port,
                    settings.host
                ),
                _ => anyhow::anyhow!("cannot listen on {wanted}: {e}"),
            })?;
        let addr = listener.local_addr().context("reading the bound address")?;

        settings
            .deploy
            .allowed_modes()
            .map_err(|e| anyhow::anyhow!(e))?;
        let sandbox = match &settings.sandbox_endpoint {
            Some(endpoint) => Some(crate::aws::sandbox_config(endpoint).await),
            None => None,
        };
        let leptos_options = LeptosOptions::builder()
            .output_name("eventloom")
            .site_root(settings.site_root.to_string_lossy().as_ref())
            .site_pkg_dir("pkg")
            .site_addr(addr)
            .build();
        let state = AppState {
            service: Service::new(pool, RuntimeConfig::from(&settings)),
            sandbox,
            leptos_options,
        };
        let service = state.service.clone();
        if settings.sandbox_endpoint.is_some() {
            // Teams made while this server had no sandbox get it now, so that reading a
            // team's targets never has to write.
            store::deploy::ensure_sandbox(service.pool(), None)
                .await
                .context("registering the sandbox target")?;
        }
        if settings.deploy.worker {
            let worker = crate::deploy::worker::Worker::new(
                service.pool().clone(),
                service.config().aws(),
                settings.deploy.worker_config(),
            );
            tokio::spawn(worker.run(std::future::pending()));
        }
        if settings.deploy.seed_sandbox
            && let Some(endpoint) = settings.sandbox_endpoint.clone()
        {
            tokio::spawn(seed_sandbox(endpoint, service.config().aws()));
        }
        Ok(Self {
            listener,
            router: router(state, &settings),
            addr,
            service,
        })
    }

    /// The service layer (for background tasks).
    pub fn service(&self) -> Service {
        self.service.clone()
    }

    /// The address actually bound (useful with port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Serves until `shutdown` completes, then finishes in-flight requests.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        // Connect info gives the client address for rate limits and the audit log.
        let app = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(self.listener, app)
            .with_graceful_shutdown(shutdown)
            .await
    }
}

fn router(state: AppState, settings: &Settings) -> Router {
    let backend: SharedBackend = Arc::new(state.service.clone());
    let provide = move || provide_context(backend.clone());
    let shell_options = state.leptos_options.clone();
    let routes = generate_route_list(app::App);
    let pkg_dir = settings.site_root.join("pkg");
    let config = state.service.config().clone();

    let store = crate::store::sessions::DetachedStore::new(PostgresStore::new(
        state.service.pool().clone(),
    ));
    // `__Host-` cookies must be Secure, so the prefix goes with the https setting.
    let cookie = if config.secure_cookies {
        "__Host-eventloom"
    } else {
        "eventloom"
    };
    let sessions = SessionManagerLayer::new(store)
        .with_name(cookie)
        .with_secure(config.secure_cookies)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(time::Duration::seconds(
            i64::try_from(config.session_idle.as_secs()).unwrap_or(i64::MAX),
        )));
    let max_body = settings.max_body_bytes;
    // Install the metrics recorder before the first request is counted.
    if routes::metrics::handle().is_none() {
        tracing::warn!("another metrics recorder is installed; /metrics will be empty");
    }

    Router::new()
        .route("/healthz", get(routes::health::healthz))
        .route("/metrics", get(routes::metrics::scrape))
        .merge(routes::api::routes())
        .merge(routes::deploy::routes())
        .merge(routes::review::routes())
        .leptos_routes_with_context(&state, routes, provide.clone(), move || {
            app::shell(shell_options.clone())
        })
        // The wasm and JS are compressed at build time; serve the .br files when accepted.
        // Their names carry no hash, and the split chunks must match the main module they
        // were cut from, so a browser revalidates each one (a cheap 304 when unchanged)
        // instead of mixing a cached old chunk with a new module after a deploy.
        .nest_service(
            "/pkg",
            SetResponseHeader::overriding(
                ServeDir::new(pkg_dir).precompressed_br(),
                header::CACHE_CONTROL,
                HeaderValue::from_static("no-cache"),
            ),
        )
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(provide, app::shell))
        .layer(middleware::from_fn(auth::csrf::guard))
        .layer(sessions)
        .layer(DefaultBodyLimit::max(max_body))
        .layer(middleware::from_fn(
            move |req: Request<Body>, next: Next| body_limit(max_body, req, next),
        ))
        .layer(middleware::from_fn(routes::metrics::track))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Refuses bodies above the limit with a JSON 413: at once when they announce their length,
/// and while reading when they do not (chunked). Server functions read bodies themselves,
/// and a limit found by them would be an opaque 500; so an unannounced body is read here,
/// up to the limit, and handed on whole.
async fn body_limit(max: usize, req: Request<Body>, next: Next) -> Response {
    let too_large = || {
        let body = app::api::ApiError::PayloadTooLarge {
            message: format!("The request body is larger than this server accepts ({max} bytes)."),
        };
        (StatusCode::PAYLOAD_TOO_LARGE, axum::Json(body)).into_response()
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    match declared {
        Some(n) if n > max => too_large(),
        Some(_) => next.run(req).await,
        None if req.headers().contains_key(header::TRANSFER_ENCODING) => {
            let (parts, body) = req.into_parts();
            match axum::body::to_bytes(body, max).await {
                Ok(bytes) => {
                    next.run(Request::from_parts(parts, Body::from(bytes)))
                        .await
                }
                Err(_) => too_large(),
            }
        }
        None => next.run(req).await,
    }
}

/// Deletes expired sessions and old sign-in failures every few minutes. Every replica may
/// run it; the deletes are idempotent.
pub fn spawn_housekeeping(service: Service) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let store = PostgresStore::new(service.pool().clone());
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(300));
        loop {
            tick.tick().await;
            if let Err(e) = tower_sessions::ExpiredDeletion::delete_expired(&store).await {
                tracing::warn!(error = %e, "deleting expired sessions failed");
            }
            if let Err(e) =
                auth::ratelimit::prune(service.pool(), service.config().signin.window).await
            {
                tracing::warn!(error = %e, "pruning sign-in failures failed");
            }
        }
    })
}

/// Creates the example draft's functions, roles, bucket and queues in the sandbox emulator,
/// so a new team can deploy the example in one click. Best effort: a failure is logged.
pub async fn seed_sandbox(endpoint: String, aws: crate::deploy::AwsContext) {
    let target = crate::deploy::Target {
        id: uuid::Uuid::nil(),
        name: store::deploy::SANDBOX_NAME.into(),
        account_id: wiring::examples::EXAMPLE_ACCOUNT.into(),
        region: crate::aws::SANDBOX_REGION.into(),
        mode: app::api::CredentialsMode::Endpoint,
        profile: None,
        role_arn: None,
        endpoint: Some(endpoint),
        read_only: false,
        external_id: String::new(),
    };
    let aws = crate::deploy::AwsContext { quota: None, ..aws };
    let result = match crate::deploy::clients::connect(&target, &aws).await {
        Ok(c) => crate::deploy::seed::seed(&c, &wiring::examples::thumbnail()).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(n) => tracing::info!(
            created = n,
            "sandbox emulator seeded with the example's resources"
        ),
        Err(e) => tracing::warn!(error = %e, "seeding the sandbox emulator failed"),
    }
}

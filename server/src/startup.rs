//! Builds the application: connects storage, binds the listener and assembles the Router.
//! `main` and the integration tests both start Eventloom through [`Application`].

use crate::{Settings, service::Service, store};
use anyhow::Context as _;
use app::api::SharedBackend;
use aws_config::SdkConfig;
use axum::{Router, extract::FromRef, routing::get};
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use sqlx::PgPool;
use std::{future::Future, net::SocketAddr, sync::Arc};
use tokio::net::TcpListener;
use tower_http::{services::ServeDir, trace::TraceLayer};

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
            service: Service::new(pool),
            sandbox,
            leptos_options,
        };
        Ok(Self {
            listener,
            router: router(state, &settings),
            addr,
        })
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
        axum::serve(self.listener, self.router)
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

    Router::new()
        .route("/healthz", get(crate::routes::health::healthz))
        .leptos_routes_with_context(&state, routes, provide.clone(), move || {
            app::shell(shell_options.clone())
        })
        // The wasm and JS are compressed at build time; serve the .br files when accepted.
        .nest_service("/pkg", ServeDir::new(pkg_dir).precompressed_br())
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(provide, app::shell))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

//! `/metrics` in Prometheus text format: request counts and latency histograms by route and
//! status, and the database pool's state. Metrics are per process, as Prometheus expects:
//! it scrapes each replica.

use crate::startup::AppState;
use axum::{
    body::Body,
    extract::{MatchedPath, State},
    http::{Request, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::{sync::OnceLock, time::Instant};

/// The process-wide recorder, installed once (tests start many apps in one process).
pub fn handle() -> Option<&'static PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Full("http_request_duration_seconds".into()),
                    &[
                        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
                    ],
                )
                .ok()?
                .build_recorder();
            let handle = recorder.handle();
            metrics::set_global_recorder(recorder).ok()?;
            Some(handle)
        })
        .as_ref()
}

/// Records each request's route, method, status and duration.
pub async fn track(req: Request<Body>, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = req.method().to_string();
    let start = Instant::now();
    let res = next.run(req).await;
    let labels = [
        ("method", method),
        ("route", route),
        ("status", res.status().as_u16().to_string()),
    ];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels)
        .record(start.elapsed().as_secs_f64());
    res
}

/// Whether this request may read the metrics: it carries the configured bearer token, or,
/// with none configured, it comes from this machine and not through a proxy (route names
/// and traffic are nobody else's business).
fn allowed(token: Option<&str>, parts: &axum::http::request::Parts) -> bool {
    match token {
        Some(t) => parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .is_some_and(|given| constant_time_eq(given.trim().as_bytes(), t.as_bytes())),
        None => {
            !parts.headers.contains_key("x-forwarded-for")
                && parts
                    .extensions
                    .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                    .is_some_and(|c| c.0.ip().is_loopback())
        }
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The scrape endpoint.
pub async fn scrape(
    State(state): State<AppState>,
    parts: axum::http::request::Parts,
) -> axum::response::Response {
    if !allowed(state.service.config().metrics_token.as_deref(), &parts) {
        let body = app::api::ApiError::forbidden(
            "Metrics are for this machine, or for a scraper with EVENTLOOM_METRICS_TOKEN as its bearer token.",
        );
        return (axum::http::StatusCode::FORBIDDEN, axum::Json(body)).into_response();
    }
    let pool = state.service.pool();
    metrics::gauge!("db_pool_connections").set(f64::from(pool.size()));
    metrics::gauge!("db_pool_idle_connections").set(pool.num_idle() as f64);
    metrics::gauge!("db_pool_max_connections").set(f64::from(pool.options().get_max_connections()));
    let body = handle().map(PrometheusHandle::render).unwrap_or_default();
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body).into_response()
}

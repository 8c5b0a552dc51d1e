//! Cross-site request refusal for every state-changing request, server functions included.
//!
//! Browsers label requests with `Sec-Fetch-Site`, and send `Origin` on every POST. A
//! request is refused when either says it comes from another site. Requests with neither
//! header do not come from a browser (curl, SDKs), so a cookie cannot be ridden by them.

use axum::{
    body::Body,
    http::{Method, Request, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};

/// The middleware.
pub async fn guard(req: Request<Body>, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    if let Some(reason) = cross_site(&req) {
        tracing::warn!(method = %req.method(), path = req.uri().path(), reason, "cross-site request refused");
        let body = app::api::ApiError::forbidden(format!(
            "Cross-site request refused ({reason}). Submit the form from Eventloom itself."
        ));
        return (StatusCode::FORBIDDEN, axum::Json(body)).into_response();
    }
    next.run(req).await
}

fn cross_site(req: &Request<Body>) -> Option<&'static str> {
    let headers = req.headers();
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        // `none` is a user action (typed URL, bookmark); `same-origin` is our own page.
        return match site {
            "same-origin" | "none" => None,
            _ => Some("Sec-Fetch-Site is not same-origin"),
        };
    }
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok())?;
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let origin_host = origin.split_once("://").map_or(origin, |(_, rest)| rest);
    if origin == "null" || !origin_host.eq_ignore_ascii_case(host) {
        return Some("Origin does not match the host");
    }
    None
}

//! Logging set-up: human-readable by default, JSON lines when `EVENTLOOM_LOG_FORMAT=json`.

use tracing_subscriber::{EnvFilter, fmt, prelude::*};

/// Installs the global subscriber once; later calls (as in tests) are ignored.
pub fn init() {
    let filter = EnvFilter::try_from_env("EVENTLOOM_LOG").unwrap_or_else(|_| {
        EnvFilter::new("info,sqlx=warn,aws_config=warn,aws_smithy_runtime=warn")
    });
    let json = std::env::var("EVENTLOOM_LOG_FORMAT").is_ok_and(|v| v.eq_ignore_ascii_case("json"));
    let registry = tracing_subscriber::registry().with(filter);
    let result = if json {
        registry
            .with(
                fmt::layer()
                    .json()
                    .flatten_event(true)
                    .with_current_span(true),
            )
            .try_init()
    } else {
        registry.with(fmt::layer().with_target(false)).try_init()
    };
    // Already installed: keep the first one.
    drop(result);
}

//! AWS SDK access: one shared SDK configuration per target, built once at start-up.

use aws_config::{BehaviorVersion, Region, SdkConfig, retry::RetryConfig, timeout::TimeoutConfig};
use aws_sdk_lambda::config::Credentials;
use std::time::Duration;

/// The region the sandbox emulator is addressed in.
pub const SANDBOX_REGION: &str = "us-east-1";

/// SDK configuration for the local sandbox emulator at `endpoint`.
///
/// The emulator accepts any credentials, so these fixed placeholder values are not
/// secrets; they only keep the SDK from searching the machine's credential chain.
pub async fn sandbox_config(endpoint: &str) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new(SANDBOX_REGION))
        .credentials_provider(Credentials::new(
            "sandbox-access-key",
            "sandbox-placeholder",
            None,
            None,
            "eventloom-sandbox",
        ))
        .load()
        .await
}

/// Whether Lambda answers at all: a one-item `ListFunctions` with a short timeout and no retries.
///
/// The budget is 3 s: the emulator has been measured answering its first Lambda call in
/// 0.7 s on a two-core machine with every core busy, and the check must not call a slow
/// but working emulator unreachable.
pub async fn lambda_reachable(sdk: &SdkConfig) -> Result<(), String> {
    let conf = aws_sdk_lambda::config::Builder::from(sdk)
        .retry_config(RetryConfig::disabled())
        .timeout_config(
            TimeoutConfig::builder()
                .operation_timeout(Duration::from_secs(3))
                .build(),
        )
        .build();
    aws_sdk_lambda::Client::from_conf(conf)
        .list_functions()
        .max_items(1)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| format!("{}", aws_sdk_lambda::error::DisplayErrorContext(e)))
}

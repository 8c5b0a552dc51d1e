//! AWS clients for one deploy target: credentials by mode, retries, pacing, and the
//! identity check that runs before any plan or apply.

use crate::deploy::StepError;
use app::api::CredentialsMode;
use aws_config::{
    BehaviorVersion, Region, SdkConfig, retry::RetryConfig, sts::AssumeRoleProvider,
    timeout::TimeoutConfig,
};
use aws_sdk_lambda::config::Credentials;
use aws_smithy_http_client::{ConnectorBuilder, proxy::ProxyConfig, tls};
use aws_smithy_runtime_api::{
    box_error::BoxError,
    client::{
        http::{
            HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings,
            SharedHttpClient, SharedHttpConnector,
        },
        interceptors::{Intercept, context::BeforeTransmitInterceptorContextMut},
        orchestrator::HttpRequest,
        runtime_components::{RuntimeComponents, RuntimeComponentsBuilder},
    },
};
use aws_smithy_types::config_bag::ConfigBag;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use std::{
    num::NonZeroU32,
    sync::{
        Arc,
        atomic::{AtomicU32, Ordering},
    },
    time::Duration,
};
use uuid::Uuid;

/// A target as the worker needs it: coordinates and mode, never a secret.
#[derive(Debug, Clone)]
pub struct Target {
    /// Target id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// The account the credentials must belong to.
    pub account_id: String,
    /// Region.
    pub region: String,
    /// Mode.
    pub mode: CredentialsMode,
    /// Profile (mode `profile`).
    pub profile: Option<String>,
    /// Role to assume (mode `assume_role`).
    pub role_arn: Option<String>,
    /// Endpoint (mode `endpoint`).
    pub endpoint: Option<String>,
    /// Plan only.
    pub read_only: bool,
    /// The team's external id, for assume-role.
    pub external_id: String,
}

impl Target {
    /// `account:region`, the unit of Lambda's control-plane quota and of apply exclusion.
    pub fn lock_key(&self) -> String {
        format!("{}:{}", self.account_id, self.region)
    }
}

/// What the server knows about reaching AWS: the sandbox endpoint and the call quota.
#[derive(Debug, Clone, Default)]
pub struct AwsContext {
    /// The sandbox emulator's endpoint, when this server has one.
    pub sandbox_endpoint: Option<String>,
    /// Calls per second per account and region; `None` turns pacing off (benchmarks).
    pub quota: Option<NonZeroU32>,
    /// Where calls reserve their slots, so that every plan, apply, worker and replica
    /// shares one pace per account and region. Without it, pacing is per client set.
    pub pacing: Option<sqlx::PgPool>,
}

/// Counts and paces every AWS call of one job or plan: every HTTP attempt, the SDK's own
/// retries included, since AWS counts each of them against the account's quota.
#[derive(Clone)]
pub struct Pacer {
    limiter: Option<Arc<DefaultDirectRateLimiter>>,
    shared: Option<(sqlx::PgPool, String, f64)>,
    calls: Arc<AtomicU32>,
}

impl Pacer {
    /// At most `quota` calls per second, evenly spaced (no burst), or unpaced.
    pub fn new(quota: Option<NonZeroU32>) -> Self {
        Self {
            // Burst 1: Lambda throttles bursts too, and even spacing makes the bound predictable.
            limiter: quota.map(|q| {
                Arc::new(RateLimiter::direct(
                    Quota::per_second(q).allow_burst(NonZeroU32::MIN),
                ))
            }),
            shared: None,
            calls: Arc::new(AtomicU32::new(0)),
        }
    }

    /// Like [`Pacer::new`], but every pacer with the same `key` (an account and region)
    /// on the same database shares the `quota`, in any process: each call reserves the
    /// next free slot in Postgres and waits for it.
    pub fn shared(quota: Option<NonZeroU32>, pool: sqlx::PgPool, key: String) -> Self {
        let Some(q) = quota else {
            return Self::new(None);
        };
        Self {
            limiter: None,
            shared: Some((pool, key, 1.0 / f64::from(q.get()))),
            calls: Arc::new(AtomicU32::new(0)),
        }
    }

    /// Waits for the next slot and counts the call.
    pub async fn ready(&self) {
        if let Some(l) = &self.limiter {
            l.until_ready().await;
        }
        if let Some((pool, key, gap)) = &self.shared {
            let wait: Result<f64, sqlx::Error> = sqlx::query_scalar(
                "INSERT INTO aws_pacing (key, next_at) VALUES ($1, clock_timestamp() + make_interval(secs => $2))
                 ON CONFLICT (key) DO UPDATE
                     SET next_at = greatest(aws_pacing.next_at, clock_timestamp()) + make_interval(secs => $2)
                 RETURNING EXTRACT(EPOCH FROM (next_at - make_interval(secs => $2) - clock_timestamp()))::float8",
            )
            .bind(key)
            .bind(*gap)
            .fetch_one(pool)
            .await;
            match wait {
                Ok(w) if w > 0.0 => tokio::time::sleep(std::time::Duration::from_secs_f64(w)).await,
                Ok(_) => {}
                // The quota protects the account, not Eventloom: without the database, keep
                // to the pace alone rather than stop.
                Err(e) => {
                    tracing::warn!(error = %e, "reserving an AWS call slot failed; pacing locally");
                    tokio::time::sleep(std::time::Duration::from_secs_f64(*gap)).await;
                }
            }
        }
        self.calls.fetch_add(1, Ordering::Relaxed);
    }

    /// Calls made so far.
    pub fn calls(&self) -> u32 {
        self.calls.load(Ordering::Relaxed)
    }
}

impl std::fmt::Debug for Pacer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pacer")
            .field("local", &self.limiter.is_some())
            .field("shared", &self.shared.as_ref().map(|(_, key, _)| key))
            .field("calls", &self.calls())
            .finish()
    }
}

/// The SDK's default HTTPS client (rustls with aws-lc, proxy settings from the environment),
/// with every request waiting for the pacer first. The wait is in the connector, below the
/// SDK's retry loop, so a retried call is paced and counted like a new one and no call can
/// skip the pace; an interceptor cannot do this, its hooks are not async.
#[derive(Debug, Clone)]
struct PacedHttpClient {
    inner: SharedHttpClient,
    pacer: Pacer,
}

impl PacedHttpClient {
    fn new(pacer: Pacer) -> Self {
        let inner = aws_smithy_http_client::Builder::new().build_with_connector_fn(
            |settings, components| {
                let mut b = ConnectorBuilder::default().tls_provider(tls::Provider::Rustls(
                    tls::rustls_provider::CryptoMode::AwsLc,
                ));
                b.set_connector_settings(settings.cloned());
                if let Some(components) = components {
                    b.set_sleep_impl(components.sleep_impl());
                }
                b.set_proxy_config(Some(ProxyConfig::from_env()));
                b.build()
            },
        );
        Self { inner, pacer }
    }
}

impl HttpClient for PacedHttpClient {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(PacedConnector {
            inner: self.inner.http_connector(settings, components),
            pacer: self.pacer.clone(),
        })
    }

    fn validate_base_client_config(
        &self,
        components: &RuntimeComponentsBuilder,
        cfg: &ConfigBag,
    ) -> Result<(), BoxError> {
        self.inner.validate_base_client_config(components, cfg)
    }

    fn validate_final_config(
        &self,
        components: &RuntimeComponents,
        cfg: &ConfigBag,
    ) -> Result<(), BoxError> {
        self.inner.validate_final_config(components, cfg)
    }
}

#[derive(Debug)]
struct PacedConnector {
    inner: SharedHttpConnector,
    pacer: Pacer,
}

impl HttpConnector for PacedConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let (inner, pacer) = (self.inner.clone(), self.pacer.clone());
        HttpConnectorFuture::new(async move {
            pacer.ready().await;
            inner.call(request).await
        })
    }
}

/// Every client a deploy needs, sharing one configuration and one pacer.
#[derive(Clone)]
pub struct Clients {
    /// Lambda.
    pub lambda: aws_sdk_lambda::Client,
    /// IAM.
    pub iam: aws_sdk_iam::Client,
    /// S3.
    pub s3: aws_sdk_s3::Client,
    /// SNS.
    pub sns: aws_sdk_sns::Client,
    /// SQS.
    pub sqs: aws_sdk_sqs::Client,
    /// EventBridge.
    pub events: aws_sdk_eventbridge::Client,
    /// STS.
    pub sts: aws_sdk_sts::Client,
    /// Cognito user pools.
    pub cognito: aws_sdk_cognitoidentityprovider::Client,
    /// API Gateway v2 (HTTP APIs).
    pub apigw: aws_sdk_apigatewayv2::Client,
    /// Paces and counts calls.
    pub pacer: Pacer,
    /// The target's account.
    pub account_id: String,
    /// The target's region.
    pub region: String,
}

/// Emulators serve many accounts from one endpoint and pick one by this header; real AWS
/// ignores nothing here because the header is only sent to emulator endpoints.
#[derive(Debug)]
struct EmulatorAccount(String);

impl Intercept for EmulatorAccount {
    fn name(&self) -> &'static str {
        "EmulatorAccount"
    }

    fn modify_before_transmit(
        &self,
        ctx: &mut BeforeTransmitInterceptorContextMut<'_>,
        _rc: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        ctx.request_mut()
            .headers_mut()
            .insert("x-moto-account-id", self.0.clone());
        Ok(())
    }
}

fn retry() -> RetryConfig {
    // Standard mode retries throttling and 5xx with exponential backoff and full jitter.
    RetryConfig::standard()
        .with_max_attempts(5)
        .with_initial_backoff(Duration::from_millis(200))
        .with_max_backoff(Duration::from_secs(10))
}

fn timeouts() -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(3))
        .operation_attempt_timeout(Duration::from_secs(20))
        .operation_timeout(Duration::from_secs(90))
        .build()
}

/// The SDK configuration for `target`, or why it cannot be had.
pub async fn sdk_config(target: &Target, ctx: &AwsContext) -> Result<SdkConfig, StepError> {
    let region = Region::new(target.region.clone());
    let base = || {
        aws_config::defaults(BehaviorVersion::latest())
            .region(region.clone())
            .retry_config(retry())
            .timeout_config(timeouts())
    };
    // Emulators accept any credentials; these fixed placeholders are not secrets and keep the
    // SDK from picking up (and sending) the machine's real ones.
    let placeholder = || {
        Credentials::new(
            "emulator-access-key",
            "emulator-placeholder",
            None,
            None,
            "eventloom-emulator",
        )
    };
    let emulator = |endpoint: &str| {
        base()
            .endpoint_url(endpoint)
            .credentials_provider(placeholder())
    };
    Ok(match target.mode {
        CredentialsMode::Sandbox => {
            let endpoint = ctx.sandbox_endpoint.as_deref().ok_or_else(|| {
                StepError::config(format!(
                    "Target {} is the sandbox emulator, but this server was started without one (set EVENTLOOM_SANDBOX_ENDPOINT, or start it with ./run).",
                    target.name
                ))
            })?;
            emulator(endpoint).load().await
        }
        CredentialsMode::Endpoint => {
            let endpoint = target.endpoint.as_deref().ok_or_else(|| {
                StepError::config(format!("Target {} has no endpoint URL.", target.name))
            })?;
            emulator(endpoint).load().await
        }
        CredentialsMode::DefaultChain => base().load().await,
        CredentialsMode::Profile => {
            let profile = target.profile.as_deref().ok_or_else(|| {
                StepError::config(format!("Target {} has no profile name.", target.name))
            })?;
            base().profile_name(profile).load().await
        }
        CredentialsMode::AssumeRole => {
            let role = target.role_arn.as_deref().ok_or_else(|| {
                StepError::config(format!("Target {} has no role ARN.", target.name))
            })?;
            let own = base().load().await;
            let provider = AssumeRoleProvider::builder(role)
                .external_id(target.external_id.clone())
                .session_name("eventloom")
                .region(region.clone())
                .configure(&own)
                .build()
                .await;
            base().credentials_provider(provider).load().await
        }
    })
}

/// Builds the clients for `target`, pacing at the context's quota.
pub async fn connect(target: &Target, ctx: &AwsContext) -> Result<Clients, StepError> {
    let sdk = sdk_config(target, ctx).await?;
    let emulated = matches!(
        target.mode,
        CredentialsMode::Sandbox | CredentialsMode::Endpoint
    );
    let pacer = match &ctx.pacing {
        Some(pool) => Pacer::shared(ctx.quota, pool.clone(), target.lock_key()),
        None => Pacer::new(ctx.quota),
    };
    // One HTTP client (one connection pool) for all the services of this target.
    let http = PacedHttpClient::new(pacer.clone());
    // Every service gets the paced HTTP client and, on an emulator, the account header;
    // `|b| …` adds what one service needs beyond that (S3's path-style addressing).
    macro_rules! client {
        ($krate:ident) => {
            client!($krate, |b| b)
        };
        ($krate:ident, |$b:ident| $with:expr) => {{
            let mut $b = $krate::config::Builder::from(&sdk).http_client(http.clone());
            if emulated {
                $b = $b.interceptor(EmulatorAccount(target.account_id.clone()));
            }
            $krate::Client::from_conf($with.build())
        }};
    }
    Ok(Clients {
        lambda: client!(aws_sdk_lambda),
        iam: client!(aws_sdk_iam),
        s3: client!(aws_sdk_s3, |b| b.force_path_style(emulated)),
        sns: client!(aws_sdk_sns),
        sqs: client!(aws_sdk_sqs),
        events: client!(aws_sdk_eventbridge),
        sts: client!(aws_sdk_sts),
        cognito: client!(aws_sdk_cognitoidentityprovider),
        apigw: client!(aws_sdk_apigatewayv2),
        pacer,
        account_id: target.account_id.clone(),
        region: target.region.clone(),
    })
}

/// Confirms the credentials belong to the target's account (`sts:GetCallerIdentity`).
pub async fn verify_identity(c: &Clients, target: &Target) -> Result<(), StepError> {
    let out = c.sts.get_caller_identity().send().await.map_err(|e| {
        let err = StepError::from_sdk(e);
        StepError {
            code: err.code.clone().or(Some("CredentialsError".into())),
            message: format!(
                "Cannot confirm who the credentials of target {} belong to (sts:GetCallerIdentity): {}. Check the target's credentials mode and that the endpoint is reachable.",
                target.name, err.message
            ),
            retryable: false,
        }
    })?;
    let account = out.account().unwrap_or_default();
    if account != target.account_id {
        return Err(StepError {
            code: Some("AccountMismatch".into()),
            message: format!(
                "The credentials of target {} belong to account {account}, not {}. Eventloom refuses to plan or apply in an account the target does not name; fix the target's account id or its credentials.",
                target.name, target.account_id
            ),
            retryable: false,
        });
    }
    Ok(())
}

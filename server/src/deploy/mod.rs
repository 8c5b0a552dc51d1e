//! Deploying drafts: AWS clients per target, the live-state reader, the call executor, the
//! Postgres-backed apply worker, and seeding of the sandbox emulator.

pub mod clients;
pub mod exec;
pub mod read;
pub mod seed;
pub mod worker;

use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::{display::DisplayErrorContext, metadata::ProvideErrorMetadata};

pub use clients::{AwsContext, Clients, Target};

/// An AWS call's failure in AWS terms: the error code AWS gave, and words.
#[derive(Debug, Clone, PartialEq)]
pub struct StepError {
    /// The AWS error code, e.g. `ResourceConflictException`, or ours (`StalePlan`).
    pub code: Option<String>,
    /// What happened.
    pub message: String,
    /// Whether another attempt could succeed (the SDK already retried throttling and 5xx).
    pub retryable: bool,
}

impl std::fmt::Display for StepError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.code {
            Some(c) => write!(f, "{c}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl StepError {
    /// A target that cannot be used as configured.
    pub fn config(message: impl Into<String>) -> Self {
        Self {
            code: Some("TargetMisconfigured".into()),
            message: message.into(),
            retryable: false,
        }
    }

    /// Ours, not AWS's: a code and words.
    pub fn ours(code: &str, message: impl Into<String>) -> Self {
        Self {
            code: Some(code.into()),
            message: message.into(),
            retryable: false,
        }
    }

    /// From an SDK error: the service's code and message, or the transport failure's chain.
    pub fn from_sdk<E, R>(e: SdkError<E, R>) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        R: std::fmt::Debug,
    {
        let service = matches!(e, SdkError::ServiceError(_));
        let code = e.code().map(str::to_owned);
        let message = match e.message() {
            Some(m) if service => m.to_owned(),
            _ => DisplayErrorContext(&e).to_string(),
        };
        Self {
            code: code.or_else(|| (!service).then(|| "NetworkError".to_owned())),
            message,
            retryable: !service,
        }
    }

    /// Whether AWS said the thing does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(
            self.code.as_deref(),
            Some(
                "ResourceNotFoundException"
                    | "NoSuchEntity"
                    | "NoSuchBucket"
                    | "NotFound"
                    | "NotFoundException"
                    | "AWS.SimpleQueueService.NonExistentQueue"
                    | "QueueDoesNotExist"
                    | "ResourceNotFound"
            )
        )
    }
}

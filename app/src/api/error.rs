//! The one error type the UI sees: what went wrong, where, and what to do about it.

use serde::{Deserialize, Serialize};
use server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};

/// An error as it crosses the wire, both from REST endpoints and from server functions.
///
/// Client errors carry a message a person can act on; [`ApiError::Internal`] carries
/// nothing, because its cause is logged on the server and never shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(tag = "error", rename_all = "snake_case")]
pub enum ApiError {
    /// The request is not readable (not JSON, wrong types).
    #[error("{message}")]
    BadRequest {
        /// What is wrong.
        message: String,
    },
    /// The input is readable but wrong; `field` names the part to fix when there is one.
    #[error("{message}")]
    Invalid {
        /// The request field or graph element at fault (`nodes.uploads.region`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        field: Option<String>,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// Not signed in, or the session ended.
    #[error("{message}")]
    Unauthorized {
        /// What to do.
        message: String,
    },
    /// Signed in, but the role does not allow it.
    #[error("{message}")]
    Forbidden {
        /// Which role is needed.
        message: String,
    },
    /// The thing asked for does not exist, or belongs to another team.
    #[error("{what} not found")]
    NotFound {
        /// What was looked for, e.g. "draft".
        what: String,
    },
    /// Someone saved in between: the latest version is attached so the client can merge.
    #[error("{message}")]
    Conflict {
        /// What happened.
        message: String,
        /// The server's latest version of the draft.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        latest: Option<Box<super::DraftVersion>>,
    },
    /// The body is larger than the server accepts.
    #[error("{message}")]
    PayloadTooLarge {
        /// The limit.
        message: String,
    },
    /// Too many attempts; try again later.
    #[error("{message}")]
    RateLimited {
        /// When to try again.
        message: String,
        /// Seconds until the next attempt is allowed.
        retry_after_secs: u64,
    },
    /// The server failed; the cause is in its log.
    #[error("Something went wrong on our side. It has been logged; please try again.")]
    Internal,
    /// The call never got a usable answer (network, encoding).
    ///
    /// A struct variant: the wire form is internally tagged, which cannot hold a bare
    /// string, and a server function that failed to encode its error used to panic.
    #[error("Could not reach Eventloom: {message}")]
    Transport {
        /// What failed.
        message: String,
    },
}

impl ApiError {
    /// An input error on one field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid {
            field: Some(field.into()),
            message: message.into(),
        }
    }

    /// Not found, naming what.
    pub fn not_found(what: &str) -> Self {
        Self::NotFound {
            what: what.to_owned(),
        }
    }

    /// Forbidden, with the reason.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::Forbidden {
            message: message.into(),
        }
    }

    /// Not signed in.
    pub fn unauthorized() -> Self {
        Self::Unauthorized {
            message: "Sign in to continue.".into(),
        }
    }

    /// The HTTP status this error is answered with.
    pub fn status(&self) -> u16 {
        match self {
            Self::BadRequest { .. } => 400,
            Self::Invalid { .. } => 422,
            Self::Unauthorized { .. } => 401,
            Self::Forbidden { .. } => 403,
            Self::NotFound { .. } => 404,
            Self::Conflict { .. } => 409,
            Self::PayloadTooLarge { .. } => 413,
            Self::RateLimited { .. } => 429,
            Self::Internal => 500,
            Self::Transport { .. } => 502,
        }
    }
}

impl FromServerFnError for ApiError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // Bad arguments are the caller's to fix, so they keep their text.
            ServerFnErrorErr::Args(m) | ServerFnErrorErr::MissingArg(m) => {
                Self::BadRequest { message: m }
            }
            ServerFnErrorErr::ServerError(_)
            | ServerFnErrorErr::MiddlewareError(_)
            | ServerFnErrorErr::Registration(_)
            | ServerFnErrorErr::Response(_) => Self::Internal,
            // On the server, these mean the request body could not be read: the caller's.
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Request(m) | ServerFnErrorErr::Deserialization(m) => {
                Self::BadRequest {
                    message: format!("The request body could not be read: {m}"),
                }
            }
            other => Self::Transport {
                message: other.to_string(),
            },
        }
    }
}

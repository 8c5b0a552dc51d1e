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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "error", rename_all = "snake_case")]
pub enum ApiError {
    /// The input is wrong; `field` names the part to fix when there is one.
    #[error("{message}")]
    Invalid {
        /// The request field or graph element at fault.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        field: Option<String>,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// The thing asked for does not exist, or belongs to someone else.
    #[error("{what} not found")]
    NotFound {
        /// What was looked for, e.g. "draft".
        what: String,
    },
    /// The server failed; the cause is in its log.
    #[error("Something went wrong on our side. It has been logged; please try again.")]
    Internal,
    /// The call never got a usable answer (network, encoding).
    #[error("Could not reach Eventloom: {0}")]
    Transport(String),
}

impl ApiError {
    /// An input error on one field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid {
            field: Some(field.into()),
            message: message.into(),
        }
    }

    /// The HTTP status this error is answered with.
    pub fn status(&self) -> u16 {
        match self {
            Self::Invalid { .. } => 422,
            Self::NotFound { .. } => 404,
            Self::Internal => 500,
            Self::Transport(_) => 502,
        }
    }
}

impl FromServerFnError for ApiError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // Bad arguments are the caller's to fix, so they keep their text.
            ServerFnErrorErr::Args(m) | ServerFnErrorErr::MissingArg(m) => Self::Invalid {
                field: None,
                message: m,
            },
            ServerFnErrorErr::ServerError(_)
            | ServerFnErrorErr::MiddlewareError(_)
            | ServerFnErrorErr::Registration(_)
            | ServerFnErrorErr::Response(_) => Self::Internal,
            other => Self::Transport(other.to_string()),
        }
    }
}

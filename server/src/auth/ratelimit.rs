//! Sign-in rate limits per account and per client address, counted in Postgres so that
//! every replica enforces the same limit (an in-process limiter would multiply it by the
//! number of replicas).

use crate::error::AppError;
use app::api::ApiError;
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use std::time::Duration;

/// How many failures are allowed, per what, over which window.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Failed sign-ins per account in the window.
    pub per_account: i64,
    /// Failed sign-ins per client address in the window.
    pub per_ip: i64,
    /// The sliding window.
    pub window: Duration,
}

/// The rate-limit key of an account: a hash, so the table holds no email addresses.
pub fn account_key(email: &str) -> String {
    format!("acct:{}", hex::encode(Sha256::digest(email.as_bytes())))
}

/// The rate-limit key of a client address.
pub fn ip_key(ip: &str) -> String {
    format!("ip:{ip}")
}

/// An attempt counted against its account and address until it is known to have succeeded.
#[must_use = "a successful sign-in must release its attempt"]
pub struct Attempt {
    ids: Vec<i64>,
}

/// Counts an attempt, then refuses with 429 when the account or the address is over its
/// limit, this attempt included.
///
/// The attempt is written before the count is read, so parallel attempts see each other:
/// of a burst, at most the limit's worth get as far as checking a password. A check that
/// only counted earlier failures would let the whole burst through before any was recorded.
/// A refused attempt is taken back, so hammering a locked account does not extend the lock.
pub async fn reserve(
    pool: &PgPool,
    limits: Limits,
    account: &str,
    ip: Option<&str>,
) -> Result<Attempt, AppError> {
    let ip_key = ip.map(ip_key);
    let keys: Vec<String> = std::iter::once(account.to_owned())
        .chain(ip_key.clone())
        .collect();
    let ids: Vec<i64> = sqlx::query_scalar(
        "INSERT INTO signin_failures (key) SELECT unnest($1::text[]) RETURNING id",
    )
    .bind(&keys)
    .fetch_all(pool)
    .await?;
    let attempt = Attempt { ids };
    let rows: Vec<(String, i64, f64)> = sqlx::query_as(
        "SELECT key, count(*), EXTRACT(EPOCH FROM (min(at) + make_interval(secs => $2) - now()))::float8
         FROM signin_failures WHERE key = ANY($1) AND at > now() - make_interval(secs => $2)
         GROUP BY key",
    )
    .bind(&keys)
    .bind(limits.window.as_secs_f64())
    .fetch_all(pool)
    .await?;
    for (key, count, retry) in rows {
        let limit = if key == account {
            limits.per_account
        } else {
            limits.per_ip
        };
        if count > limit {
            release(pool, attempt).await?;
            let retry_after_secs = retry.ceil().max(1.0) as u64;
            let who = if key == account {
                "this account"
            } else {
                "your address"
            };
            return Err(ApiError::RateLimited {
                message: format!(
                    "Too many failed sign-ins for {who}. Try again in {} minute(s), or reset the password with an admin.",
                    retry_after_secs.div_ceil(60)
                ),
                retry_after_secs,
            }
            .into());
        }
    }
    Ok(attempt)
}

/// Takes an attempt back: it succeeded, or it was refused before a password was checked.
pub async fn release(pool: &PgPool, attempt: Attempt) -> Result<(), AppError> {
    sqlx::query("DELETE FROM signin_failures WHERE id = ANY($1)")
        .bind(&attempt.ids)
        .execute(pool)
        .await?;
    Ok(())
}

/// Forgets an account's failures after it signs in.
pub async fn clear(pool: &PgPool, account: &str) -> Result<(), AppError> {
    sqlx::query("DELETE FROM signin_failures WHERE key = $1")
        .bind(account)
        .execute(pool)
        .await?;
    Ok(())
}

/// Deletes failures older than the window (run periodically).
pub async fn prune(pool: &PgPool, window: Duration) -> sqlx::Result<u64> {
    Ok(
        sqlx::query("DELETE FROM signin_failures WHERE at < now() - make_interval(secs => $1)")
            .bind(window.as_secs_f64())
            .execute(pool)
            .await?
            .rows_affected(),
    )
}

//! Argon2id password hashing at OWASP's minimum parameters (m = 19 MiB, t = 2, p = 1).

use argon2::{
    Algorithm, Argon2, Params, Version,
    password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng},
};

fn hasher() -> anyhow::Result<Argon2<'static>> {
    let params =
        Params::new(19 * 1024, 2, 1, None).map_err(|e| anyhow::anyhow!("argon2 params: {e}"))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes `password` into a PHC string (salt and parameters included). CPU-bound: call it
/// from `spawn_blocking`.
pub fn hash(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    hasher()?
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))
}

/// Whether `password` matches `phc`. The parameters stored in `phc` are used, so hashes
/// made with older parameters keep verifying.
pub fn verify(password: &str, phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok()
}

/// A hash of a random password, to verify against when the account does not exist, so a
/// wrong email and a wrong password take the same time.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash(&uuid::Uuid::new_v4().to_string()).unwrap_or_default())
}

/// Hashes in flight at once: each holds 19 MiB, and tokio's blocking pool would otherwise
/// run up to 512 of them, so a flood of sign-ups or sign-ins could take ~10 GB. Twice the
/// cores keeps every core busy; the rest wait their turn.
fn hashing() -> &'static tokio::sync::Semaphore {
    static SLOTS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    SLOTS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        tokio::sync::Semaphore::new(cores * 2)
    })
}

/// Runs `hash` off the async runtime.
pub async fn hash_async(password: String) -> anyhow::Result<String> {
    let slot = hashing().acquire().await?;
    // The slot moves into the task: it is held for as long as the hash runs, even when the
    // request that asked for it is gone.
    tokio::task::spawn_blocking(move || {
        let _slot = slot;
        hash(&password)
    })
    .await?
}

/// Runs `verify` off the async runtime.
pub async fn verify_async(password: String, phc: String) -> bool {
    let Ok(slot) = hashing().acquire().await else {
        return false;
    };
    tokio::task::spawn_blocking(move || {
        let _slot = slot;
        verify(&password, &phc)
    })
    .await
    .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_at_owasp_parameters_and_verify() {
        let h = hash("correct horse battery staple").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify("correct horse battery staple", &h));
        assert!(!verify("wrong", &h));
    }

    #[test]
    fn the_same_password_hashes_differently_each_time() {
        assert_ne!(
            hash("same password here").unwrap(),
            hash("same password here").unwrap()
        );
    }
}

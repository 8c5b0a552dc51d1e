//! Sign-up, sign-in and sign-out.

use super::Service;
use crate::{
    auth::{AuthSession, password, ratelimit},
    error::AppError,
    store::{self, audit::Event},
};
use app::api::{ApiError, Me, Role, SignIn, SignUp, clean_label, normalize_email};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

impl Service {
    /// Creates an account and signs it in. Without an invitation it starts a team and is its
    /// admin; with one it joins the inviting team with the invited role.
    pub async fn sign_up(
        &self,
        session: &mut AuthSession,
        input: SignUp,
        ip: Option<&str>,
    ) -> Result<Me, AppError> {
        let email = input.check()?;
        let display_name = clean_label("display_name", &input.display_name, 80)?;
        let hash = password::hash_async(input.password.clone()).await?;
        let mut tx = store::begin(&self.pool).await?;
        let Some(user_id) = store::users::insert(&mut tx, &email, &display_name, &hash).await?
        else {
            return Err(ApiError::invalid(
                "email",
                "An account with this email exists already; sign in instead.",
            )
            .into());
        };
        let (team_id, role) = match &input.invitation {
            Some(token) => {
                let digest = Sha256::digest(token.trim().as_bytes());
                store::teams::redeem_invitation(&mut tx, &digest, user_id).await?.ok_or_else(|| {
                    ApiError::invalid("invitation", "This invitation link is not valid: it was used, has expired, or was mistyped. Ask your admin for a new one.")
                })?
            }
            None => {
                let name = match input
                    .team_name
                    .as_deref()
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                {
                    Some(t) => clean_label("team_name", t, 80)?,
                    None => format!("{display_name}'s team").chars().take(80).collect(),
                };
                let team = store::teams::create(&mut tx, &name).await?;
                if self.config.sandbox_endpoint.is_some() {
                    store::deploy::ensure_sandbox(&mut *tx, Some(team)).await?;
                }
                (team, Role::Admin)
            }
        };
        store::users::add_membership(&mut tx, user_id, team_id, role).await?;
        store::audit::record(
            &mut *tx,
            Event {
                team_id: Some(team_id),
                actor_id: Some(user_id),
                action: if input.invitation.is_some() {
                    "member.joined"
                } else {
                    "team.created"
                },
                target: Some(email.clone()),
                detail: serde_json::json!({ "role": role.as_str() }),
                ip,
            },
        )
        .await?;
        tx.commit().await?;
        session.sign_in(user_id).await?;
        let me = store::users::member(&self.pool, user_id)
            .await?
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("new member not found")))?;
        if input.invitation.is_none() {
            // A new team starts with the example, so the Problems panel has something to teach.
            // Best effort: the account exists already, and a limit (such as a node limit below
            // the example's size) must not make sign-up fail.
            let example = serde_json::from_str(&wiring::examples::thumbnail().to_json()).ok();
            let draft = app::api::NewDraft {
                name: EXAMPLE_DRAFT.into(),
                content: example,
            };
            if let Err(e) = self.create_draft(&me, draft, ip).await {
                tracing::warn!(error = %e, "creating the example draft failed");
            }
        }
        tracing::info!(user = %user_id, team = %team_id, "signed up");
        Ok(me.me())
    }

    /// Signs in, rotating the session id. Failures are counted per account and address.
    pub async fn sign_in(
        &self,
        session: &mut AuthSession,
        input: SignIn,
        ip: Option<&str>,
    ) -> Result<Me, AppError> {
        let email = normalize_email(&input.email).map_err(|_| wrong_credentials())?;
        let key = ratelimit::account_key(&email);
        let attempt = match ratelimit::reserve(&self.pool, self.config.signin, &key, ip).await {
            Ok(a) => a,
            Err(refused) => {
                // Recorded under the account's team, so its admins see who is being locked out.
                let user_id = store::users::credentials(&self.pool, &email)
                    .await?
                    .map(|(id, _)| id);
                let team_id = match user_id {
                    Some(id) => store::users::member(&self.pool, id)
                        .await?
                        .map(|m| m.team_id),
                    None => None,
                };
                store::audit::record(
                    &self.pool,
                    Event {
                        team_id,
                        actor_id: user_id,
                        action: "auth.signin_limited",
                        target: Some(email),
                        detail: serde_json::json!({}),
                        ip,
                    },
                )
                .await?;
                return Err(refused);
            }
        };
        let found = store::users::credentials(&self.pool, &email).await?;
        // Verify against a dummy hash for unknown emails, so timing does not reveal accounts.
        let (user_id, phc) = match &found {
            Some((id, phc)) => (Some(*id), phc.clone()),
            None => (None, password::dummy_hash().to_owned()),
        };
        let ok = password::verify_async(input.password, phc).await && user_id.is_some();
        let member = match (ok, user_id) {
            (true, Some(id)) => store::users::member(&self.pool, id).await?,
            _ => None,
        };
        let Some(member) = member else {
            // The attempt stays counted: it was a failure.
            let team_id = match user_id {
                Some(id) => store::users::member(&self.pool, id)
                    .await?
                    .map(|m| m.team_id),
                None => None,
            };
            store::audit::record(
                &self.pool,
                Event {
                    team_id,
                    actor_id: user_id,
                    action: "auth.signin_failed",
                    target: Some(email),
                    detail: serde_json::json!({}),
                    ip,
                },
            )
            .await?;
            return Err(wrong_credentials());
        };
        ratelimit::release(&self.pool, attempt).await?;
        ratelimit::clear(&self.pool, &key).await?;
        session.sign_in(member.user_id).await?;
        store::audit::record(
            &self.pool,
            Event {
                team_id: Some(member.team_id),
                actor_id: Some(member.user_id),
                action: "auth.signin",
                target: Some(member.email.clone()),
                detail: serde_json::json!({ "at": OffsetDateTime::now_utc().unix_timestamp() }),
                ip,
            },
        )
        .await?;
        Ok(member.me())
    }

    /// Ends the session server-side.
    pub async fn sign_out(&self, session: &AuthSession, ip: Option<&str>) -> Result<(), AppError> {
        if let Some(u) = &session.user {
            store::audit::record(
                &self.pool,
                Event {
                    team_id: Some(u.team_id),
                    actor_id: Some(u.user_id),
                    action: "auth.signout",
                    target: Some(u.email.clone()),
                    detail: serde_json::json!({}),
                    ip,
                },
            )
            .await?;
        }
        session.sign_out().await
    }
}

/// The name of the example draft every new team starts with.
pub const EXAMPLE_DRAFT: &str = "Thumbnail pipeline (example)";

fn wrong_credentials() -> AppError {
    ApiError::Unauthorized {
        message: "That email and password do not match an account.".into(),
    }
    .into()
}

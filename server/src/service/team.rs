//! Members, roles, invitations and the audit log.

use super::Service;
use crate::{
    auth::Authed,
    error::AppError,
    store::{self, audit::Event},
};
use app::api::{ApiError, AuditEntry, Invitation, Member, NewInvitation, Role, SetRole};
use base64::Engine as _;
use rand::RngCore as _;
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

/// How long an invitation link stays valid.
const INVITATION_TTL: Duration = Duration::days(7);

impl Service {
    /// The team's members.
    pub async fn members(&self, me: &Authed) -> Result<Vec<Member>, AppError> {
        Ok(store::users::members(&self.pool, me.team_id).await?)
    }

    /// Changes a member's role (admins only). The last admin cannot step down.
    pub async fn set_role(
        &self,
        me: &Authed,
        user_id: Uuid,
        input: SetRole,
        ip: Option<&str>,
    ) -> Result<Vec<Member>, AppError> {
        me.require(Role::Admin, "changing roles")?;
        let mut tx = store::begin(&self.pool).await?;
        let Some(current) = store::users::role_for_update(&mut tx, me.team_id, user_id).await?
        else {
            return Err(ApiError::not_found("member").into());
        };
        if current == Role::Admin
            && input.role != Role::Admin
            && store::users::admin_count(&mut tx, me.team_id).await? <= 1
        {
            return Err(ApiError::invalid(
                "role",
                "The team needs at least one admin; make someone else admin first.",
            )
            .into());
        }
        store::users::set_role(&mut tx, me.team_id, user_id, input.role).await?;
        store::audit::record(
            &mut *tx,
            Event {
                team_id: Some(me.team_id),
                actor_id: Some(me.user_id),
                action: "member.role_changed",
                target: Some(user_id.to_string()),
                detail: serde_json::json!({ "from": current.as_str(), "to": input.role.as_str() }),
                ip,
            },
        )
        .await?;
        tx.commit().await?;
        self.members(me).await
    }

    /// Removes a member (admins). Their next request finds no membership and is signed out;
    /// their drafts, versions and comments stay with the team. The last admin stays.
    pub async fn remove_member(
        &self,
        me: &Authed,
        user_id: Uuid,
        ip: Option<&str>,
    ) -> Result<Vec<Member>, AppError> {
        me.require(Role::Admin, "removing members")?;
        let mut tx = store::begin(&self.pool).await?;
        let Some(current) = store::users::role_for_update(&mut tx, me.team_id, user_id).await?
        else {
            return Err(ApiError::not_found("member").into());
        };
        if current == Role::Admin && store::users::admin_count(&mut tx, me.team_id).await? <= 1 {
            return Err(ApiError::invalid(
                "user_id",
                "The team needs at least one admin; make someone else admin first.",
            )
            .into());
        }
        store::users::remove_membership(&mut tx, me.team_id, user_id).await?;
        store::audit::record(
            &mut *tx,
            Event {
                team_id: Some(me.team_id),
                actor_id: Some(me.user_id),
                action: "member.removed",
                target: Some(user_id.to_string()),
                detail: serde_json::json!({ "role": current.as_str() }),
                ip,
            },
        )
        .await?;
        tx.commit().await?;
        self.members(me).await
    }

    /// Creates a one-time invitation link (admins only). Only the token's hash is stored.
    pub async fn invite(
        &self,
        me: &Authed,
        input: NewInvitation,
        ip: Option<&str>,
    ) -> Result<Invitation, AppError> {
        me.require(Role::Admin, "inviting members")?;
        let mut raw = [0u8; 32];
        rand::rng().fill_bytes(&mut raw);
        let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw);
        let digest = Sha256::digest(token.as_bytes());
        let expires_at = OffsetDateTime::now_utc() + INVITATION_TTL;
        let mut tx = store::begin(&self.pool).await?;
        let id = store::teams::insert_invitation(
            &mut tx, me.team_id, &digest, input.role, me.user_id, expires_at,
        )
        .await?;
        store::audit::record(
            &mut *tx,
            Event {
                team_id: Some(me.team_id),
                actor_id: Some(me.user_id),
                action: "member.invited",
                target: Some(id.to_string()),
                detail: serde_json::json!({ "role": input.role.as_str(), "expires_at": expires_at.unix_timestamp() }),
                ip,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Invitation {
            id,
            link: format!("/join/{token}"),
            token,
            role: input.role,
            expires_at,
        })
    }

    /// The team's audit log, newest first (admins only).
    pub async fn audit(&self, me: &Authed, limit: i64) -> Result<Vec<AuditEntry>, AppError> {
        me.require(Role::Admin, "reading the audit log")?;
        Ok(store::audit::list(&self.pool, me.team_id, limit.clamp(1, 1000)).await?)
    }
}

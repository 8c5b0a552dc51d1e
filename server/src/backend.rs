//! The server's side of the UI seam: implements `app::api::Backend` by calling [`Service`].

use crate::{auth::AuthSession, error::AppError, service::Service};
use app::api::*;
use http::request::Parts;
use uuid::Uuid;

impl Service {
    async fn session(&self, req: &Parts) -> Result<AuthSession, AppError> {
        let config = self.config();
        AuthSession::from_parts(
            req,
            self.pool(),
            config.session_idle,
            config.session_absolute,
        )
        .await
    }
}

fn wire<T>(r: Result<T, AppError>) -> Result<T, ApiError> {
    r.map_err(AppError::into_api_error)
}

#[async_trait::async_trait]
impl Backend for Service {
    async fn me(&self, req: &Parts) -> Result<Option<Me>, ApiError> {
        wire(self.session(req).await.map(|s| s.user.map(|u| u.me())))
    }

    async fn sign_up(&self, req: &Parts, input: SignUp) -> Result<Me, ApiError> {
        let ip = self.client_ip(req);
        wire(
            async {
                let mut s = self.session(req).await?;
                Service::sign_up(self, &mut s, input, ip.as_deref()).await
            }
            .await,
        )
    }

    async fn sign_in(&self, req: &Parts, input: SignIn) -> Result<Me, ApiError> {
        let ip = self.client_ip(req);
        wire(
            async {
                let mut s = self.session(req).await?;
                Service::sign_in(self, &mut s, input, ip.as_deref()).await
            }
            .await,
        )
    }

    async fn sign_out(&self, req: &Parts) -> Result<(), ApiError> {
        let ip = self.client_ip(req);
        wire(
            async {
                let s = self.session(req).await?;
                Service::sign_out(self, &s, ip.as_deref()).await
            }
            .await,
        )
    }

    async fn list_drafts(&self, req: &Parts) -> Result<Vec<DraftSummary>, ApiError> {
        wire(
            async {
                let s = self.session(req).await?;
                self.list_drafts(s.require()?, false).await
            }
            .await,
        )
    }

    async fn create_draft(&self, req: &Parts, input: NewDraft) -> Result<Draft, ApiError> {
        let ip = self.client_ip(req);
        wire(
            async {
                let s = self.session(req).await?;
                Service::create_draft(self, s.require()?, input, ip.as_deref()).await
            }
            .await,
        )
    }

    async fn get_draft(&self, req: &Parts, id: Uuid) -> Result<Draft, ApiError> {
        wire(
            async {
                let s = self.session(req).await?;
                Service::get_draft(self, s.require()?, id).await
            }
            .await,
        )
    }

    async fn save_draft(
        &self,
        req: &Parts,
        id: Uuid,
        input: SaveDraft,
    ) -> Result<DraftVersion, ApiError> {
        let ip = self.client_ip(req);
        wire(
            async {
                let s = self.session(req).await?;
                Service::save_draft(self, s.require()?, id, input, ip.as_deref()).await
            }
            .await,
        )
    }

    async fn list_versions(&self, req: &Parts, id: Uuid) -> Result<Vec<DraftVersion>, ApiError> {
        wire(
            async {
                let s = self.session(req).await?;
                Service::list_versions(self, s.require()?, id).await
            }
            .await,
        )
    }

    async fn get_version(
        &self,
        req: &Parts,
        id: Uuid,
        number: u32,
    ) -> Result<DraftVersion, ApiError> {
        wire(
            async {
                let s = self.session(req).await?;
                Service::get_version(self, s.require()?, id, number).await
            }
            .await,
        )
    }

    async fn rename_draft(
        &self,
        req: &Parts,
        id: Uuid,
        input: RenameDraft,
    ) -> Result<DraftSummary, ApiError> {
        wire(
            async {
                let s = self.session(req).await?;
                Service::rename_draft(self, s.require()?, id, input).await
            }
            .await,
        )
    }

    async fn targets(&self, req: &Parts) -> Result<Targets, ApiError> {
        wire(async { Service::targets(self, self.session(req).await?.require()?).await }.await)
    }

    async fn create_target(&self, req: &Parts, input: NewTarget) -> Result<DeployTarget, ApiError> {
        let ip = self.client_ip(req);
        wire(
            async {
                let s = self.session(req).await?;
                Service::create_target(self, s.require()?, input, ip.as_deref()).await
            }
            .await,
        )
    }

    async fn archive_target(&self, req: &Parts, id: Uuid) -> Result<(), ApiError> {
        let ip = self.client_ip(req);
        wire(
            async {
                let s = self.session(req).await?;
                Service::archive_target(self, s.require()?, id, ip.as_deref()).await
            }
            .await,
        )
    }

    async fn create_plan(
        &self,
        req: &Parts,
        draft: Uuid,
        input: NewPlan,
    ) -> Result<DeployPlan, ApiError> {
        wire(
            async {
                let s = self.session(req).await?;
                Service::create_plan(self, s.require()?, draft, input).await
            }
            .await,
        )
    }

    async fn apply_plan(
        &self,
        req: &Parts,
        plan: Uuid,
        input: ApplyRequest,
    ) -> Result<ApplyJob, ApiError> {
        let ip = self.client_ip(req);
        wire(
            async {
                let s = self.session(req).await?;
                Service::apply_plan(self, s.require()?, plan, input, ip.as_deref()).await
            }
            .await,
        )
    }

    async fn get_apply(&self, req: &Parts, id: Uuid) -> Result<ApplyJob, ApiError> {
        wire(
            async { Service::get_apply(self, self.session(req).await?.require()?, id).await }.await,
        )
    }

    async fn list_applies(&self, req: &Parts, draft: Uuid) -> Result<Vec<ApplyJob>, ApiError> {
        wire(
            async { Service::list_applies(self, self.session(req).await?.require()?, draft).await }
                .await,
        )
    }

    async fn members(&self, req: &Parts) -> Result<Vec<Member>, ApiError> {
        wire(async { Service::members(self, self.session(req).await?.require()?).await }.await)
    }

    async fn set_member_role(
        &self,
        req: &Parts,
        user_id: Uuid,
        input: SetRole,
    ) -> Result<Vec<Member>, ApiError> {
        let ip = self.client_ip(req);
        wire(
            async {
                let s = self.session(req).await?;
                Service::set_role(self, s.require()?, user_id, input, ip.as_deref()).await
            }
            .await,
        )
    }

    async fn remove_member(&self, req: &Parts, user_id: Uuid) -> Result<Vec<Member>, ApiError> {
        let ip = self.client_ip(req);
        wire(
            async {
                let s = self.session(req).await?;
                Service::remove_member(self, s.require()?, user_id, ip.as_deref()).await
            }
            .await,
        )
    }

    async fn invite(&self, req: &Parts, input: NewInvitation) -> Result<Invitation, ApiError> {
        let ip = self.client_ip(req);
        wire(
            async {
                let s = self.session(req).await?;
                Service::invite(self, s.require()?, input, ip.as_deref()).await
            }
            .await,
        )
    }

    async fn audit(&self, req: &Parts, limit: i64) -> Result<Vec<AuditEntry>, ApiError> {
        wire(async { Service::audit(self, self.session(req).await?.require()?, limit).await }.await)
    }

    async fn team_settings(&self, req: &Parts) -> Result<TeamSettings, ApiError> {
        wire(
            async { Service::team_settings(self, self.session(req).await?.require()?).await }.await,
        )
    }

    async fn set_team_settings(
        &self,
        req: &Parts,
        input: TeamSettings,
    ) -> Result<TeamSettings, ApiError> {
        let ip = self.client_ip(req);
        wire(
            async {
                let s = self.session(req).await?;
                Service::set_team_settings(self, s.require()?, input, ip.as_deref()).await
            }
            .await,
        )
    }

    async fn diff(
        &self,
        req: &Parts,
        draft: Uuid,
        from: u32,
        to: u32,
    ) -> Result<VersionDiff, ApiError> {
        wire(
            async {
                Service::diff(self, self.session(req).await?.require()?, draft, from, to).await
            }
            .await,
        )
    }

    async fn review_state(&self, req: &Parts, draft: Uuid) -> Result<ReviewState, ApiError> {
        wire(
            async { Service::review_state(self, self.session(req).await?.require()?, draft).await }
                .await,
        )
    }

    async fn request_review(
        &self,
        req: &Parts,
        draft: Uuid,
        input: NewReviewRequest,
    ) -> Result<ReviewRequest, ApiError> {
        let ip = self.client_ip(req);
        wire(
            async {
                let s = self.session(req).await?;
                Service::request_review(self, s.require()?, draft, input, ip.as_deref()).await
            }
            .await,
        )
    }

    async fn decide(
        &self,
        req: &Parts,
        draft: Uuid,
        input: NewDecision,
    ) -> Result<ReviewDecision, ApiError> {
        let ip = self.client_ip(req);
        wire(
            async {
                let s = self.session(req).await?;
                Service::decide(self, s.require()?, draft, input, ip.as_deref()).await
            }
            .await,
        )
    }

    async fn inbox(&self, req: &Parts) -> Result<Vec<ReviewRequest>, ApiError> {
        wire(async { Service::inbox(self, self.session(req).await?.require()?).await }.await)
    }

    async fn threads(&self, req: &Parts, draft: Uuid) -> Result<Vec<Thread>, ApiError> {
        wire(
            async { Service::threads(self, self.session(req).await?.require()?, draft).await }
                .await,
        )
    }

    async fn create_thread(
        &self,
        req: &Parts,
        draft: Uuid,
        input: NewThread,
    ) -> Result<Thread, ApiError> {
        wire(
            async {
                let s = self.session(req).await?;
                Service::create_thread(self, s.require()?, draft, input).await
            }
            .await,
        )
    }

    async fn reply(
        &self,
        req: &Parts,
        thread: Uuid,
        input: NewComment,
    ) -> Result<Thread, ApiError> {
        wire(
            async {
                let s = self.session(req).await?;
                Service::reply(self, s.require()?, thread, input).await
            }
            .await,
        )
    }

    async fn set_resolved(
        &self,
        req: &Parts,
        thread: Uuid,
        input: SetResolved,
    ) -> Result<Thread, ApiError> {
        wire(
            async {
                let s = self.session(req).await?;
                Service::set_resolved(self, s.require()?, thread, input).await
            }
            .await,
        )
    }

    async fn timeline(&self, req: &Parts, draft: Uuid) -> Result<Vec<TimelineItem>, ApiError> {
        wire(
            async { Service::timeline(self, self.session(req).await?.require()?, draft).await }
                .await,
        )
    }
}

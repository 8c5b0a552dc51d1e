//! Deploying a draft: pick a version and a target, preview the plan, apply it and watch the
//! worker's progress live; and the team's deploy targets.

use crate::api::{
    self, ApiError, ApplyJob, ApplyStep, CredentialsMode, DeployGate, DeployPlan, DeployTarget,
    Draft, DraftVersion, JobStatus, Me, NewPlan, NewTarget, PlanStep, Role, StepStatus, Targets,
    display_utc, rfc3339,
};
use leptos::{prelude::*, task::spawn_local};
use leptos_router::hooks::{use_params_map, use_query_map};
use uuid::Uuid;

/// `/drafts/:id/deploy?v=N`: plan a version against a target, then apply it.
#[component]
pub fn DeployPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|s| Uuid::parse_str(&s).ok())
    };
    let wanted = query
        .read_untracked()
        .get("v")
        .and_then(|v| v.parse::<u32>().ok());
    let data = Resource::new(id, |id| async move {
        let id = id.ok_or_else(|| ApiError::not_found("draft"))?;
        let me = api::me().await?.ok_or_else(ApiError::unauthorized)?;
        let draft = api::get_draft(id).await?;
        let versions = api::list_versions(id).await?;
        let targets = api::list_targets().await?;
        let applies = api::list_applies(id).await?;
        Ok::<_, ApiError>((me, draft, versions, targets, applies))
    });
    view! {
        <section class="page deploy">
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok((me, draft, versions, targets, applies)) => view! {
                            <Deploy me=me draft=draft versions=versions targets=targets applies=applies wanted=wanted />
                        }.into_any(),
                        Err(ApiError::Unauthorized { .. }) => view! {
                            <p><a href="/signin">"Sign in"</a> " to deploy this draft."</p>
                        }.into_any(),
                        Err(e) => view! { <h1>"Cannot deploy this draft"</h1><p role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn Deploy(
    me: Me,
    draft: Draft,
    versions: Vec<DraftVersion>,
    targets: Targets,
    applies: Vec<ApplyJob>,
    wanted: Option<u32>,
) -> impl IntoView {
    let draft_id = draft.summary.id;
    let latest = draft.summary.version;
    let initial = wanted
        .filter(|w| versions.iter().any(|v| v.number == *w))
        .unwrap_or(latest);
    let version = RwSignal::new(initial);
    let default_target = targets
        .targets
        .iter()
        .find(|t| t.mode == CredentialsMode::Sandbox)
        .or(targets.targets.first())
        .map(|t| t.id);
    let target = RwSignal::new(default_target);
    let plan = RwSignal::new(None::<DeployPlan>);
    let planning = RwSignal::new(false);
    let applying = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let job = RwSignal::new(None::<ApplyJob>);
    let history = RwSignal::new(applies);
    let watcher = Watcher::new();
    let can_deploy = me.role >= Role::Approver;
    let is_admin = me.role >= Role::Admin;
    let override_reason = RwSignal::new(String::new());
    let target_list = targets.targets.clone();

    let on_plan = move |_| {
        let Some(t) = target.get_untracked() else {
            error.set(Some(
                "Choose a target first; an admin adds targets under Deploy targets.".into(),
            ));
            return;
        };
        planning.set(true);
        error.set(None);
        plan.set(None);
        spawn_local(async move {
            let input = NewPlan {
                version: version.get_untracked(),
                target_id: t,
            };
            match api::create_plan(draft_id, input).await {
                Ok(p) => plan.set(Some(p)),
                Err(e) => error.set(Some(e.to_string())),
            }
            planning.set(false);
        });
    };
    let on_apply = move |_| {
        let Some(p) = plan.get_untracked() else {
            return;
        };
        applying.set(true);
        error.set(None);
        spawn_local(async move {
            let reason = (!p.gate.open)
                .then(|| override_reason.get_untracked().trim().to_owned())
                .filter(|r| !r.is_empty());
            match api::apply_plan(p.id, reason).await {
                Ok(j) => {
                    watcher.watch(j.id, job, history, draft_id);
                    job.set(Some(j));
                }
                Err(e) => error.set(Some(e.to_string())),
            }
            applying.set(false);
        });
    };
    let open_job = move |id: Uuid| {
        spawn_local(async move {
            match api::get_apply(id).await {
                Ok(j) => {
                    if !j.status.finished() {
                        watcher.watch(j.id, job, history, draft_id);
                    }
                    job.set(Some(j));
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };

    view! {
        <h1>{format!("Deploy {}", draft.summary.name)}</h1>
        <p>
            <a href=format!("/drafts/{draft_id}")>"Back to the designer"</a>
            " · "
            <a href=format!("/drafts/{draft_id}/history")>"History"</a>
        </p>
        <div class="deploy-form" role="group" aria-label="What to deploy">
            <label for="deploy-version">"Version"</label>
            <select id="deploy-version" on:change=move |ev| {
                if let Ok(v) = event_target_value(&ev).parse() {
                    version.set(v);
                    plan.set(None);
                }
            }>
                {versions.iter().map(|v| {
                    let n = v.number;
                    let label = format!(
                        "Version {n}{} — {} error(s), {} warning(s)",
                        if n == latest { " (latest)" } else { "" },
                        v.errors,
                        v.warnings
                    );
                    view! { <option value=n.to_string() selected=n == initial>{label}</option> }
                }).collect_view()}
            </select>
            <label for="deploy-target">"Target"</label>
            <select id="deploy-target" on:change=move |ev| {
                target.set(Uuid::parse_str(&event_target_value(&ev)).ok());
                plan.set(None);
            }>
                {target_list.iter().map(|t| {
                    let label = format!("{} — {} in {}{}", t.name, t.account_id, t.region, if t.read_only { " (read-only)" } else { "" });
                    view! { <option value=t.id.to_string() selected=Some(t.id) == default_target>{label}</option> }
                }).collect_view()}
            </select>
            <button class="button primary" on:click=on_plan disabled=move || planning.get() || target.get().is_none()>
                {move || if planning.get() { "Reading live state…" } else { "Plan" }}
            </button>
        </div>
        {targets.targets.is_empty().then(|| view! {
            <p class="empty">"No deploy targets yet. " <a href="/settings/targets">"Add one"</a> "."</p>
        })}
        {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
        {move || plan.get().map(|p| view! {
            <PlanView plan=p.clone() />
            <div class="deploy-actions">
                {
                    let blocked = !p.blockers.is_empty();
                    let empty = p.mutating_calls == 0;
                    let gate_shut = !p.gate.open;
                    let why = if !can_deploy {
                        Some("Deploying needs the approver or admin role.".to_owned())
                    } else if p.target.read_only {
                        Some(format!("Target {} is read-only: it can plan but not apply.", p.target.name))
                    } else if blocked {
                        Some("Resolve the blockers above, then plan again.".to_owned())
                    } else if empty {
                        Some("Nothing to apply.".to_owned())
                    } else if gate_shut && !is_admin {
                        Some("Deploy is blocked by review (above): get the approvals, or ask an admin to override.".to_owned())
                    } else {
                        None
                    };
                    let disabled = why.is_some();
                    let needs_reason = gate_shut && is_admin && !disabled;
                    view! {
                        {needs_reason.then(|| view! {
                            <div class="override">
                                <label for="override-reason">"Override reason (admins; kept in the audit log)"</label>
                                <textarea id="override-reason" rows="2" maxlength="2000"
                                    placeholder="e.g. Incident 42: restore the trigger now, review follows"
                                    prop:value=move || override_reason.get()
                                    on:input=move |ev| override_reason.set(event_target_value(&ev))></textarea>
                            </div>
                        })}
                        <button class="button primary" data-testid="apply" on:click=on_apply
                            disabled=move || disabled || applying.get()
                                || (needs_reason && override_reason.with(|r| r.trim().is_empty()))
                                || job.with(|j| j.as_ref().is_some_and(|j| j.plan_id == p.id))>
                            {if needs_reason {
                                format!("Override review and deploy version {} to {}", p.version, p.target.name)
                            } else {
                                format!("Deploy version {} to {}", p.version, p.target.name)
                            }}
                        </button>
                        {why.map(|w| view! { <span class="hint" data-testid="apply-hint">{w}</span> })}
                    }
                }
            </div>
        })}
        {move || job.get().map(|j| view! { <JobView job=j /> })}
        <h2>"Applies of this draft"</h2>
        {move || {
            let list = history.get();
            if list.is_empty() {
                view! { <p class="empty">"Nothing deployed yet."</p> }.into_any()
            } else {
                view! {
                    <table class="draft-list applies">
                        <thead><tr><th scope="col">"When"</th><th scope="col">"Version"</th><th scope="col">"Target"</th><th scope="col">"By"</th><th scope="col">"Outcome"</th><th scope="col"></th></tr></thead>
                        <tbody>
                            {list.into_iter().map(|a| {
                                let id = a.id;
                                view! {
                                    <tr data-apply-id=id.to_string()>
                                        <td><time datetime=rfc3339(a.created_at)>{display_utc(a.created_at)}</time></td>
                                        <td>{a.version}</td>
                                        <td>{a.target.clone()}</td>
                                        <td>{a.requested_by.clone().unwrap_or_default()}</td>
                                        <td><span class=format!("job-status {}", status_class(a.status))>{status_label(a.status)}</span></td>
                                        <td><button class="button small" on:click=move |_| open_job(id)>"Details"</button></td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }
        }}
    }
}

/// A plan grouped into create / update / delete / manual, each call with its reason.
#[component]
fn PlanView(plan: DeployPlan) -> impl IntoView {
    let groups: Vec<(&'static str, &'static str, Vec<PlanStep>)> = [
        ("create", "Create"),
        ("update", "Update"),
        ("delete", "Delete"),
        ("manual", "Left to you"),
    ]
    .into_iter()
    .map(|(key, title)| {
        (
            key,
            title,
            plan.steps
                .iter()
                .filter(|s| s.effect == key)
                .cloned()
                .collect::<Vec<_>>(),
        )
    })
    .filter(|(_, _, steps)| !steps.is_empty())
    .collect();
    view! {
        <section class="plan" aria-label="Plan" data-plan-id=plan.id.to_string()>
            <h2>{format!("Plan: version {} on {} ({} in {})", plan.version, plan.target.name, plan.target.account_id, plan.target.region)}</h2>
            <p class="hint">
                "Bound to content " <code>{plan.content_hash.chars().take(12).collect::<String>()}</code>
                " and live snapshot " <code>{plan.observed_hash.chars().take(12).collect::<String>()}</code>
                {format!(", read {}. Applying refuses it if either has changed.", display_utc(plan.created_at))}
            </p>
            <GateView gate=plan.gate.clone() draft_id=plan.draft_id />
            {(!plan.blockers.is_empty()).then(|| view! {
                <div class="plan-blockers" role="alert">
                    <h3>"Cannot be applied"</h3>
                    <ul>{plan.blockers.iter().map(|b| view! { <li>{b.clone()}</li> }).collect_view()}</ul>
                </div>
            })}
            {if plan.mutating_calls == 0 {
                view! { <p class="no-changes" data-testid="no-changes">{format!("No changes: {} already matches version {}.", plan.target.name, plan.version)}</p> }.into_any()
            } else {
                view! {
                    <p data-testid="plan-count">{format!("{} AWS call(s), in this order:", plan.mutating_calls)}</p>
                    {groups.into_iter().map(|(key, title, steps)| view! {
                        <h3 class=format!("effect {key}")>{format!("{title} ({})", steps.len())}</h3>
                        <ol class="plan-steps">
                            {steps.into_iter().map(|s| view! {
                                <li value=(s.index + 1).to_string() data-call=s.call.clone()>
                                    <code class="call">{s.call.clone()}</code>
                                    " "<span class="args">{s.summary.clone()}</span>
                                    <div class="reason">{s.reason.clone()}</div>
                                </li>
                            }).collect_view()}
                        </ol>
                    }).collect_view()}
                }.into_any()
            }}
            {(!plan.warnings.is_empty()).then(|| view! {
                <h3>"Warnings"</h3>
                <ul class="plan-notes">{plan.warnings.iter().map(|w| view! { <li>{w.clone()}</li> }).collect_view()}</ul>
            })}
            {(!plan.read_notes.is_empty()).then(|| view! {
                <h3>"Read notes"</h3>
                <ul class="plan-notes">{plan.read_notes.iter().map(|w| view! { <li>{w.clone()}</li> }).collect_view()}</ul>
            })}
        </section>
    }
}

/// The review gate of a version: the approvals a deploy rests on, or what keeps it shut.
#[component]
pub fn GateView(gate: DeployGate, draft_id: Uuid) -> impl IntoView {
    let approvals = gate
        .approvals
        .iter()
        .map(|a| format!("{} ({})", a.reviewer, display_utc(a.created_at)))
        .collect::<Vec<_>>();
    view! {
        <div class=if gate.open { "gate open" } else { "gate shut" } data-testid="gate" data-open=gate.open.to_string()>
            <h3>{if gate.open { "Review: ready to deploy" } else { "Review: not yet approved" }}</h3>
            <p>
                {format!("{} of {} required approval(s) of version {}", gate.approvals.len(), gate.required, gate.version)}
                {(!approvals.is_empty()).then(|| format!(": {}", approvals.join(", ")))}
                ". "
                <a href=format!("/drafts/{draft_id}/review")>"Open the review"</a>
            </p>
            {(!gate.reasons.is_empty()).then(|| view! {
                <ul>{gate.reasons.iter().map(|r| view! { <li>{r.clone()}</li> }).collect_view()}</ul>
            })}
        </div>
    }
}

fn status_label(s: JobStatus) -> &'static str {
    match s {
        JobStatus::Queued => "queued",
        JobStatus::Running => "running",
        JobStatus::Succeeded => "succeeded",
        JobStatus::Failed => "failed",
    }
}

fn status_class(s: JobStatus) -> &'static str {
    status_label(s)
}

fn step_label(s: StepStatus) -> &'static str {
    match s {
        StepStatus::Pending => "pending",
        StepStatus::Running => "running",
        StepStatus::Done => "done",
        StepStatus::Failed => "failed",
        StepStatus::Interrupted => "interrupted",
    }
}

/// One apply: status, a progress bar, every step of the current attempt, earlier attempts
/// folded away, and the outcome in AWS terms.
#[component]
fn JobView(job: ApplyJob) -> impl IntoView {
    let (done, total) = job.progress();
    let current: Vec<ApplyStep> = job
        .steps
        .iter()
        .filter(|s| s.attempt == job.attempts)
        .cloned()
        .collect();
    let earlier: Vec<u32> = {
        let mut a: Vec<u32> = job
            .steps
            .iter()
            .map(|s| s.attempt)
            .filter(|a| *a != job.attempts)
            .collect();
        a.dedup();
        a
    };
    let headline = match job.status {
        JobStatus::Queued if job.attempts > 0 => format!(
            "Queued to resume: its worker stopped after attempt {}; the next worker re-reads live state and finishes.",
            job.attempts
        ),
        JobStatus::Queued => format!(
            "Queued: applies to {} run one at a time, in order.",
            job.lock_key
        ),
        JobStatus::Running => format!("Applying (attempt {})…", job.attempts),
        JobStatus::Succeeded => "Applied.".to_owned(),
        JobStatus::Failed => "Failed.".to_owned(),
    };
    view! {
        <section class="job" aria-label="Apply progress" data-job-id=job.id.to_string() data-status=status_label(job.status)>
            <h2>{format!("Apply of version {} to {}", job.version, job.target)}</h2>
            <p class=format!("job-status {}", status_class(job.status)) role="status" aria-live="polite">{headline}</p>
            <div class="progress-row">
                <progress max=total.max(1).to_string() value=done.to_string() aria-label="Steps done"></progress>
                <span data-testid="progress-text">{format!("{done} of {total} steps")}</span>
            </div>
            <ol class="job-steps">
                {current.into_iter().map(|s| view! {
                    <li class=format!("step {}", step_label(s.status)) data-status=step_label(s.status) value=(s.index + 1).to_string()>
                        <span class="step-status">{step_label(s.status)}</span>
                        " "<code>{s.call.clone()}</code>" "<span class="args">{s.summary.clone()}</span>
                        {s.response.clone().map(|r| view! { <div class="response">{r}</div> })}
                        {s.error.clone().map(|e| view! { <div class="form-error">{s.error_code.clone().map(|c| format!("{c}: ")).unwrap_or_default()}{e}</div> })}
                    </li>
                }).collect_view()}
            </ol>
            {(!earlier.is_empty()).then(|| {
                let steps = job.steps.clone();
                view! {
                    <details class="earlier-attempts">
                        <summary>{format!("Earlier attempts ({})", earlier.len())}</summary>
                        {earlier.into_iter().map(|a| view! {
                            <h3>{format!("Attempt {a}")}</h3>
                            <ol class="job-steps">
                                {steps.iter().filter(|s| s.attempt == a).map(|s| view! {
                                    <li class=format!("step {}", step_label(s.status)) value=(s.index + 1).to_string()>
                                        <span class="step-status">{step_label(s.status)}</span>" "<code>{s.call.clone()}</code>" "{s.summary.clone()}
                                    </li>
                                }).collect_view()}
                            </ol>
                        }).collect_view()}
                    </details>
                }
            })}
            {job.summary.clone().map(|s| view! { <p class="job-summary" data-testid="job-summary">{s}</p> })}
            {job.error.clone().map(|e| view! {
                <p class="form-error job-error" role="alert" data-testid="job-error">
                    {job.error_code.clone().map(|c| view! { <code>{c}</code>" " })}{e}
                </p>
            })}
        </section>
    }
}

/// Follows one apply's progress stream (server-sent events) and closes it when the apply
/// ends or the page goes away.
#[derive(Clone, Copy)]
struct Watcher {
    // Not `LocalStorage`: SSR disposes the page's owner on another thread, where touching a
    // local value panics. Only the browser ever puts a stream in here.
    current: StoredValue<Option<send_wrapper::SendWrapper<LiveStream>>>,
}

struct LiveStream {
    source: web_sys::EventSource,
    // Kept alive for as long as the source can call them.
    _handlers: Vec<wasm_bindgen::closure::Closure<dyn Fn(web_sys::MessageEvent)>>,
}

impl Drop for LiveStream {
    fn drop(&mut self) {
        self.source.close();
    }
}

impl Watcher {
    fn new() -> Self {
        let w = Self {
            current: StoredValue::new(None),
        };
        on_cleanup(move || w.stop());
        w
    }

    fn stop(self) {
        if let Some(mut c) = self.current.try_write_value() {
            c.take();
        }
    }

    fn watch(
        self,
        id: Uuid,
        job: RwSignal<Option<ApplyJob>>,
        history: RwSignal<Vec<ApplyJob>>,
        draft: Uuid,
    ) {
        use wasm_bindgen::{JsCast, closure::Closure};
        self.stop();
        let Ok(source) = web_sys::EventSource::new(&format!("/api/v1/applies/{id}/events")) else {
            return;
        };
        let on_event = move |finished: bool| {
            Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
                let Some(text) = e.data().as_string() else {
                    return;
                };
                if let Ok(j) = serde_json::from_str::<ApplyJob>(&text) {
                    job.set(Some(j));
                }
                if finished {
                    self.stop();
                    spawn_local(async move {
                        if let Ok(list) = api::list_applies(draft).await {
                            history.set(list);
                        }
                    });
                }
            })
        };
        let progress = on_event(false);
        let done = on_event(true);
        let _ =
            source.add_event_listener_with_callback("progress", progress.as_ref().unchecked_ref());
        let _ = source.add_event_listener_with_callback("done", done.as_ref().unchecked_ref());
        self.current
            .set_value(Some(send_wrapper::SendWrapper::new(LiveStream {
                source,
                _handlers: vec![progress, done],
            })));
    }
}

/// `/settings/targets`: where drafts can be deployed, and (admins) adding and removing targets.
#[component]
pub fn TargetsPage() -> impl IntoView {
    let refresh = RwSignal::new(0u32);
    let data = Resource::new(
        move || refresh.get(),
        |_| async move {
            let me = api::me().await?.ok_or_else(ApiError::unauthorized)?;
            let targets = api::list_targets().await?;
            Ok::<_, ApiError>((me, targets))
        },
    );
    view! {
        <section class="page targets">
            <h1>"Deploy targets"</h1>
            <p class="lede">"Each target is an AWS account and region, and how Eventloom gets credentials for it. No target stores a secret: credentials come from the server's environment or from a role Eventloom assumes."</p>
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok((me, targets)) => view! {
                            <TargetList me=me.clone() targets=targets refresh=refresh />
                            <ReviewRule me=me />
                        }.into_any(),
                        Err(ApiError::Unauthorized { .. }) => view! { <p><a href="/signin">"Sign in"</a> " to see your team's targets."</p> }.into_any(),
                        Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// The team's rule for how many approvals a deploy needs; admins change it.
#[component]
fn ReviewRule(me: Me) -> impl IntoView {
    let admin = me.role >= Role::Admin;
    let current = Resource::new(|| (), |_| api::team_settings());
    let value = RwSignal::new(String::new());
    let status = RwSignal::new(None::<Result<String, String>>);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let raw = value.get_untracked();
        let Ok(n) = raw.trim().parse::<u32>() else {
            status.set(Some(Err("Give a whole number from 0 to 10.".into())));
            return;
        };
        spawn_local(async move {
            match api::set_team_settings(api::TeamSettings {
                approvals_required: n,
            })
            .await
            {
                Ok(s) => status.set(Some(Ok(format!(
                    "Saved: deploys now need {} approval(s).",
                    s.approvals_required
                )))),
                Err(e) => status.set(Some(Err(e.to_string()))),
            }
        });
    };
    view! {
        <section class="review-rule" aria-labelledby="review-rule-h">
            <h2 id="review-rule-h">"Review rule"</h2>
            <p class="hint">"A deploy needs this many approvals of the version, from approvers other than its author, and no error findings. Admins can override with a reason, which the audit log keeps."</p>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match current.await {
                        Ok(s) => {
                            value.set(s.approvals_required.to_string());
                            view! {
                                <form class="inline-form" on:submit=save>
                                    <label for="approvals-required">"Approvals needed to deploy"</label>
                                    <input id="approvals-required" type="number" min="0" max="10" disabled=!admin
                                        prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev)) />
                                    {admin.then(|| view! { <button class="button" type="submit">"Save"</button> })}
                                </form>
                                {move || status.get().map(|r| match r {
                                    Ok(m) => view! { <p class="hint" role="status">{m}</p> }.into_any(),
                                    Err(m) => view! { <p class="form-error" role="alert">{m}</p> }.into_any(),
                                })}
                            }.into_any()
                        }
                        Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

fn target_detail(t: &DeployTarget) -> String {
    match t.mode {
        CredentialsMode::Sandbox => "the emulator this server runs with".into(),
        CredentialsMode::DefaultChain => "the server's default credential chain".into(),
        CredentialsMode::Profile => format!("profile {}", t.profile.clone().unwrap_or_default()),
        CredentialsMode::AssumeRole => format!(
            "assumes {} with the team's external id",
            t.role_arn.clone().unwrap_or_default()
        ),
        CredentialsMode::Endpoint => {
            format!("emulator at {}", t.endpoint.clone().unwrap_or_default())
        }
    }
}

#[component]
fn TargetList(me: Me, targets: Targets, refresh: RwSignal<u32>) -> impl IntoView {
    let admin = me.role >= Role::Admin;
    let error = RwSignal::new(None::<String>);
    let remove = move |id: Uuid| {
        spawn_local(async move {
            match api::archive_target(id).await {
                Ok(()) => refresh.update(|n| *n += 1),
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    view! {
        <table class="draft-list">
            <thead><tr><th scope="col">"Name"</th><th scope="col">"Account"</th><th scope="col">"Region"</th><th scope="col">"Credentials"</th><th scope="col">"Access"</th>{admin.then(|| view! { <th scope="col"></th> })}</tr></thead>
            <tbody>
                {targets.targets.iter().map(|t| {
                    let id = t.id;
                    let sandbox = t.mode == CredentialsMode::Sandbox;
                    view! {
                        <tr data-target=t.name.clone()>
                            <td>{t.name.clone()}</td>
                            <td><code>{t.account_id.clone()}</code></td>
                            <td>{t.region.clone()}</td>
                            <td>{target_detail(t)}</td>
                            <td>{if t.read_only { "plan only" } else { "plan and apply" }}</td>
                            {admin.then(|| view! {
                                <td>{(!sandbox).then(|| view! { <button class="button small danger" on:click=move |_| remove(id)>"Remove"</button> })}</td>
                            })}
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
        {targets.external_id.clone().map(|x| {
            let trust = format!(
                "{{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{{\n    \"Effect\": \"Allow\",\n    \"Principal\": {{ \"AWS\": \"arn:aws:iam::EVENTLOOM_ACCOUNT_ID:root\" }},\n    \"Action\": \"sts:AssumeRole\",\n    \"Condition\": {{ \"StringEquals\": {{ \"sts:ExternalId\": \"{x}\" }} }}\n  }}]\n}}"
            );
            view! {
                <h2>"Your team's external id"</h2>
                <p>"Roles Eventloom assumes for this team must require this external id in their trust policy, so no other team can point Eventloom at them:"</p>
                <p><code data-testid="external-id">{x}</code></p>
                <pre class="policy-json">{trust}</pre>
            }
        })}
        {admin.then(|| view! { <NewTargetForm allowed=targets.allowed_modes.clone() refresh=refresh /> })}
    }
}

#[component]
fn NewTargetForm(allowed: Vec<CredentialsMode>, refresh: RwSignal<u32>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let account = RwSignal::new(String::new());
    let region = RwSignal::new(String::from("us-east-1"));
    let mode = RwSignal::new(
        allowed
            .first()
            .copied()
            .unwrap_or(CredentialsMode::AssumeRole),
    );
    let detail = RwSignal::new(String::new());
    let read_only = RwSignal::new(false);
    let error = RwSignal::new(None::<(Option<String>, String)>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let m = mode.get_untracked();
        let d = Some(detail.get_untracked()).filter(|s| !s.trim().is_empty());
        let input = NewTarget {
            name: name.get_untracked(),
            account_id: account.get_untracked().trim().to_owned(),
            region: region.get_untracked().trim().to_owned(),
            mode: m,
            profile: (m == CredentialsMode::Profile).then(|| d.clone()).flatten(),
            role_arn: (m == CredentialsMode::AssumeRole)
                .then(|| d.clone())
                .flatten(),
            endpoint: (m == CredentialsMode::Endpoint)
                .then(|| d.clone())
                .flatten(),
            read_only: read_only.get_untracked(),
        };
        busy.set(true);
        spawn_local(async move {
            match api::create_target(input).await {
                Ok(_) => {
                    error.set(None);
                    name.set(String::new());
                    detail.set(String::new());
                    refresh.update(|n| *n += 1);
                }
                Err(ApiError::Invalid { field, message }) => error.set(Some((field, message))),
                Err(e) => error.set(Some((None, e.to_string()))),
            }
            busy.set(false);
        });
    };
    let field_error = move |f: &'static str| {
        move || {
            error
                .get()
                .filter(|(field, _)| field.as_deref() == Some(f))
                .map(|(_, m)| m)
        }
    };
    let detail_label = move || match mode.get() {
        CredentialsMode::Profile => Some(("Profile name", "profile", "production")),
        CredentialsMode::AssumeRole => Some((
            "Role ARN",
            "role_arn",
            "arn:aws:iam::123456789012:role/eventloom-deploy",
        )),
        CredentialsMode::Endpoint => Some(("Endpoint URL", "endpoint", "http://127.0.0.1:5000")),
        _ => None,
    };
    view! {
        <h2>"Add a target"</h2>
        {allowed.is_empty().then(|| view! { <p class="empty">"This server allows no credentials modes for new targets (EVENTLOOM_DEPLOY_MODES)."</p> })}
        <form class="target-form" on:submit=submit>
            <div class="field">
                <label for="target-name">"Name"</label>
                <input id="target-name" type="text" required maxlength="60" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                <p class="field-error">{field_error("name")}</p>
            </div>
            <div class="field">
                <label for="target-account">"Account id"</label>
                <input id="target-account" type="text" required inputmode="numeric" placeholder="123456789012" prop:value=move || account.get() on:input=move |ev| account.set(event_target_value(&ev)) />
                <p class="field-error">{field_error("account_id")}</p>
            </div>
            <div class="field">
                <label for="target-region">"Region"</label>
                <input id="target-region" type="text" required prop:value=move || region.get() on:input=move |ev| region.set(event_target_value(&ev)) />
                <p class="field-error">{field_error("region")}</p>
            </div>
            <div class="field">
                <label for="target-mode">"Credentials"</label>
                <select id="target-mode" on:change=move |ev| {
                    if let Some(m) = CredentialsMode::parse(&event_target_value(&ev)) {
                        mode.set(m);
                    }
                }>
                    {allowed.iter().map(|m| view! { <option value=m.as_str()>{m.label()}</option> }).collect_view()}
                </select>
                <p class="field-error">{field_error("mode")}</p>
            </div>
            {move || detail_label().map(|(label, field, placeholder)| view! {
                <div class="field">
                    <label for="target-detail">{label}</label>
                    <input id="target-detail" type="text" required placeholder=placeholder prop:value=move || detail.get() on:input=move |ev| detail.set(event_target_value(&ev)) />
                    <p class="field-error">{field_error(field)}</p>
                </div>
            })}
            <label class="checkbox"><input type="checkbox" prop:checked=move || read_only.get() on:change=move |ev| read_only.set(event_target_checked(&ev)) />" Read-only (plan, never apply)"</label>
            {move || error.get().filter(|(f, _)| !matches!(f.as_deref(), Some("name" | "account_id" | "region" | "mode" | "profile" | "role_arn" | "endpoint"))).map(|(_, m)| view! { <p class="form-error" role="alert">{m}</p> })}
            <button type="submit" class="button primary" disabled=move || busy.get()>"Add target"</button>
        </form>
    }
}

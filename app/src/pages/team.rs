//! The team page: who is in the team with which role; admins change roles, remove members,
//! make invitation links and read the audit log.

use crate::api::{self, ApiError, AuditEntry, Invitation, Me, Member, Role, display_utc, rfc3339};
use leptos::{prelude::*, task::spawn_local};
use uuid::Uuid;

/// `/settings/team`.
#[component]
pub fn TeamPage() -> impl IntoView {
    let refresh = RwSignal::new(0u32);
    // Here, not in the members table: the table is rebuilt when the list reloads, and the
    // message about what just changed must outlive that.
    let status = RwSignal::new(None::<Result<String, String>>);
    let data = Resource::new(
        move || refresh.get(),
        |_| async move {
            let me = api::me().await?.ok_or_else(ApiError::unauthorized)?;
            let members = api::list_members().await?;
            Ok::<_, ApiError>((me, members))
        },
    );
    view! {
        <section class="page team">
            <h1>"Team"</h1>
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok((me, members)) => {
                            let admin = me.role >= Role::Admin;
                            view! {
                                <p class="lede">{format!("{} · you are {}", me.team_name, me.role.as_str())}</p>
                                <Members me=me members=members refresh=refresh status=status />
                                {admin.then(|| view! { <Invite /> <Audit refresh=refresh /> })}
                            }.into_any()
                        }
                        Err(ApiError::Unauthorized { .. }) => view! {
                            <p><a href="/signin">"Sign in"</a> " to see your team."</p>
                        }.into_any(),
                        Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Members(
    me: Me,
    members: Vec<Member>,
    refresh: RwSignal<u32>,
    status: RwSignal<Option<Result<String, String>>>,
) -> impl IntoView {
    let admin = me.role >= Role::Admin;
    let set_role = move |id: Uuid, name: String, role: Role| {
        spawn_local(async move {
            match api::set_member_role(id, role).await {
                Ok(_) => {
                    status.set(Some(Ok(format!("{name} is now {}.", role.as_str()))));
                    refresh.update(|n| *n += 1);
                }
                Err(e) => {
                    status.set(Some(Err(e.to_string())));
                    // Puts the select back to the role the server has.
                    refresh.update(|n| *n += 1);
                }
            }
        });
    };
    let remove = move |id: Uuid, name: String| {
        let sure = web_confirm(&format!(
            "Remove {name} from the team? They are signed out at once; their drafts and comments stay."
        ));
        if !sure {
            return;
        }
        spawn_local(async move {
            match api::remove_member(id).await {
                Ok(_) => {
                    status.set(Some(Ok(format!("{name} was removed from the team."))));
                    refresh.update(|n| *n += 1);
                }
                Err(e) => status.set(Some(Err(e.to_string()))),
            }
        });
    };
    view! {
        <table class="draft-list members" aria-label="Members">
            <thead>
                <tr>
                    <th scope="col">"Name"</th>
                    <th scope="col">"Email"</th>
                    <th scope="col">"Role"</th>
                    <th scope="col">"Joined"</th>
                    {admin.then(|| view! { <th scope="col"><span class="visually-hidden">"Actions"</span></th> })}
                </tr>
            </thead>
            <tbody>
                {members.into_iter().map(|m| {
                    let you = m.user_id == me.user_id;
                    let id = m.user_id;
                    let name = m.display_name.clone();
                    let select_id = format!("role-{id}");
                    let role_cell = if admin {
                        let name = name.clone();
                        view! {
                            <label class="visually-hidden" for=select_id.clone()>{format!("Role of {}", m.display_name)}</label>
                            <select id=select_id data-testid="member-role" on:change=move |ev| {
                                if let Some(r) = Role::parse(&event_target_value(&ev)) {
                                    set_role(id, name.clone(), r);
                                }
                            }>
                                {Role::ALL.into_iter().map(|r| view! {
                                    <option value=r.as_str() selected=r == m.role>{r.as_str()}</option>
                                }).collect_view()}
                            </select>
                        }.into_any()
                    } else {
                        m.role.as_str().into_any()
                    };
                    view! {
                        <tr data-member=m.email.clone()>
                            <td>{m.display_name.clone()}{you.then_some(" (you)")}</td>
                            <td>{m.email.clone()}</td>
                            <td>{role_cell}</td>
                            <td><time datetime=rfc3339(m.joined_at)>{display_utc(m.joined_at)}</time></td>
                            {admin.then(|| {
                                let name = name.clone();
                                view! {
                                    <td>{(!you).then(|| view! {
                                        <button class="button small danger" type="button"
                                            aria-label=format!("Remove {}", name)
                                            on:click=move |_| remove(id, name.clone())>"Remove"</button>
                                    })}</td>
                                }
                            })}
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        {move || status.get().map(|r| match r {
            Ok(m) => view! { <p class="hint" role="status">{m}</p> }.into_any(),
            Err(m) => view! { <p class="form-error" role="alert">{m}</p> }.into_any(),
        })}
        <p class="hint">
            "Viewers read; editors also edit drafts and plan; approvers also review and deploy; admins also manage targets, the team and the review rule."
        </p>
    }
}

#[component]
fn Invite() -> impl IntoView {
    let role = RwSignal::new(Role::Editor);
    let made = RwSignal::new(None::<Result<Invitation, String>>);
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let r = role.get_untracked();
        spawn_local(async move {
            made.set(Some(
                api::create_invitation(r).await.map_err(|e| e.to_string()),
            ));
        });
    };
    view! {
        <section class="invite" aria-labelledby="invite-h">
            <h2 id="invite-h">"Invite someone"</h2>
            <p class="hint">"An invitation is a link that works once and expires. Eventloom sends no email: pass the link on yourself."</p>
            <form class="inline-form" on:submit=create>
                <label for="invite-role">"Role"</label>
                <select id="invite-role" on:change=move |ev| {
                    if let Some(r) = Role::parse(&event_target_value(&ev)) {
                        role.set(r);
                    }
                }>
                    {Role::ALL.into_iter().map(|r| view! {
                        <option value=r.as_str() selected=r == Role::Editor>{r.as_str()}</option>
                    }).collect_view()}
                </select>
                <button class="button primary" type="submit">"Create invitation link"</button>
            </form>
            {move || made.get().map(|r| match r {
                Ok(inv) => {
                    let link = absolute(&inv.link);
                    let copy_text = link.clone();
                    view! {
                        <div class="invitation" role="status">
                            <label for="invite-link">{format!("Link for a new {} (expires {})", inv.role.as_str(), display_utc(inv.expires_at))}</label>
                            <input id="invite-link" data-testid="invite-link" type="text" readonly prop:value=link />
                            <button class="button small" type="button" on:click=move |_| copy(&copy_text)>"Copy"</button>
                            <p class="hint">"It is shown only now: Eventloom keeps just its hash."</p>
                        </div>
                    }.into_any()
                }
                Err(m) => view! { <p class="form-error" role="alert">{m}</p> }.into_any(),
            })}
        </section>
    }
}

#[component]
fn Audit(refresh: RwSignal<u32>) -> impl IntoView {
    let entries = Resource::new(move || refresh.get(), |_| api::team_audit(100));
    view! {
        <section class="audit" aria-labelledby="audit-h">
            <h2 id="audit-h">"Audit log"</h2>
            <p class="hint">"The newest 100 entries, in UTC. The full log is at /api/v1/team/audit."</p>
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match entries.await {
                        Ok(list) => view! {
                            <table class="draft-list audit-log">
                                <thead><tr><th scope="col">"When"</th><th scope="col">"Who"</th><th scope="col">"What"</th><th scope="col">"On"</th></tr></thead>
                                <tbody>
                                    {list.into_iter().map(|e: AuditEntry| view! {
                                        <tr>
                                            <td><time datetime=rfc3339(e.at)>{display_utc(e.at)}</time></td>
                                            <td>{e.actor.unwrap_or_default()}</td>
                                            <td><code>{e.action}</code></td>
                                            <td>{e.target.unwrap_or_default()}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                        Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// The invitation path as a full link, in the browser (the server renders the path).
fn absolute(path: &str) -> String {
    #[cfg(feature = "hydrate")]
    if let Some(origin) = web_sys::window().and_then(|w| w.location().origin().ok()) {
        return format!("{origin}{path}");
    }
    path.to_owned()
}

fn copy(text: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(w) = web_sys::window() {
        let _ = w.navigator().clipboard().write_text(text);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = text;
}

fn web_confirm(message: &str) -> bool {
    #[cfg(feature = "hydrate")]
    {
        web_sys::window()
            .and_then(|w| w.confirm_with_message(message).ok())
            .unwrap_or(false)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = message;
        false
    }
}

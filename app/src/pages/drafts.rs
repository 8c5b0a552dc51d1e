//! The drafts list: every draft with its size and age, and a form to start a new one.

use crate::api::{CreateDraft, display_utc, inbox, list_drafts, rfc3339};
use leptos::prelude::*;

/// Lists drafts and creates new ones.
#[component]
pub fn DraftsPage() -> impl IntoView {
    let create = ServerAction::<CreateDraft>::new();
    // Re-fetch whenever a create finishes, so the new draft shows without a reload.
    let drafts = Resource::new(move || create.version().get(), |_| list_drafts());
    let waiting = Resource::new(|| (), |_| inbox());

    view! {
        <section class="page drafts">
            <h1>"Drafts"</h1>
            <ActionForm action=create attr:class="new-draft">
                <label for="draft-name">"New draft"</label>
                <input
                    id="draft-name"
                    type="text"
                    name="name"
                    required
                    maxlength="120"
                    placeholder="orders-pipeline"
                    autocomplete="off"
                />
                <button type="submit" class="button primary">
                    "Create"
                </button>
            </ActionForm>
            {move || {
                create
                    .value()
                    .get()
                    .and_then(|r| r.err())
                    .map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })
            }}
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match waiting.await {
                        Ok(list) if !list.is_empty() => view! {
                            <section id="reviews" class="inbox-list" aria-labelledby="reviews-h">
                                <h2 id="reviews-h">"Waiting for your review"</h2>
                                <ul>
                                    {list.into_iter().map(|r| view! {
                                        <li data-testid="inbox-item">
                                            <a href=format!("/drafts/{}/review?to={}", r.draft_id, r.version)>
                                                {format!("{} — version {}", r.draft_name, r.version)}
                                            </a>
                                            {format!(" · asked by {} · {}", r.requested_by, display_utc(r.created_at))}
                                            {r.note.map(|n| view! { <div class="hint">{n}</div> })}
                                        </li>
                                    }).collect_view()}
                                </ul>
                            </section>
                        }.into_any(),
                        _ => ().into_any(),
                    }
                })}
            </Transition>
            <Transition fallback=|| view! { <p>"Loading drafts…"</p> }>
                {move || Suspend::new(async move {
                    match drafts.await {
                        Err(crate::api::ApiError::Unauthorized { .. }) => view! {
                            <p class="empty">
                                <a href="/signin">"Sign in"</a> " to see your team's drafts, or " <a href="/signup">"create an account"</a> "."
                            </p>
                        }.into_any(),
                        Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                        Ok(list) if list.is_empty() => {
                            view! { <p class="empty">"No drafts yet. Name one above to start."</p> }
                                .into_any()
                        }
                        Ok(list) => {
                            view! {
                                <table class="draft-list">
                                    <thead>
                                        <tr>
                                            <th scope="col">"Name"</th>
                                            <th scope="col">"Version"</th>
                                            <th scope="col">"Nodes"</th>
                                            <th scope="col">"Problems"</th>
                                            <th scope="col">"Saved"</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {list
                                            .into_iter()
                                            .map(|d| {
                                                view! {
                                                    <tr data-draft-id=d.id.to_string()>
                                                        <td class="draft-name"><a href=format!("/drafts/{}", d.id)>{d.name}</a></td>
                                                        <td>{d.version}</td>
                                                        <td>{d.node_count}</td>
                                                        <td>
                                                            <span class="count error" title="errors">{d.errors}</span>
                                                            " "
                                                            <span class="count warning" title="warnings">{d.warnings}</span>
                                                        </td>
                                                        <td>
                                                            <time datetime=rfc3339(d.updated_at)>{display_utc(d.updated_at)}</time>
                                                            {d.author.map(|a| view! { " by " {a} })}
                                                        </td>
                                                    </tr>
                                                }
                                            })
                                            .collect_view()}
                                    </tbody>
                                </table>
                            }
                                .into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}

//! The drafts list: every draft with its size and age, and a form to start a new one.

use crate::api::{CreateDraft, display_utc, list_drafts, rfc3339};
use leptos::prelude::*;

/// Lists drafts and creates new ones.
#[component]
pub fn DraftsPage() -> impl IntoView {
    let create = ServerAction::<CreateDraft>::new();
    // Re-fetch whenever a create finishes, so the new draft shows without a reload.
    let drafts = Resource::new(move || create.version().get(), |_| list_drafts());

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
            <Transition fallback=|| view! { <p>"Loading drafts…"</p> }>
                {move || Suspend::new(async move {
                    match drafts.await {
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
                                            <th scope="col">"Nodes"</th>
                                            <th scope="col">"Created"</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {list
                                            .into_iter()
                                            .map(|d| {
                                                view! {
                                                    <tr data-draft-id=d.id.to_string()>
                                                        <td class="draft-name">{d.name}</td>
                                                        <td>{d.node_count}</td>
                                                        <td>
                                                            <time datetime=rfc3339(d.created_at)>{display_utc(d.created_at)}</time>
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

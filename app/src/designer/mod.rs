//! The visual designer: canvas, palette, inspector and Problems panel around one editor
//! state, with keyboard control, autosave with conflict resolution, and import/export.

pub mod canvas;
pub mod editor;
mod export;
mod inspector;
mod palette;
mod problems;

use crate::api::{self, ApiError, Draft, SaveDraft};
use canvas::{Canvas, candidates, connect_with, typing};
use editor::{Binding, ConflictState, Editor, SaveStatus, element_label};
use leptos::{ev, prelude::*, task::spawn_local};
use leptos_router::hooks::{use_params_map, use_query_map};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;
use uuid::Uuid;
use wiring::{
    Change, Element, Graph,
    ids::{EdgeId, NodeId},
    merge::{self, Side},
    model::Point,
};

/// `/drafts/:id`: the designer on a draft's latest version.
#[component]
pub fn DesignerPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|s| Uuid::parse_str(&s).ok())
    };
    let data = Resource::new(id, |id| async move {
        let id = id.ok_or_else(|| ApiError::not_found("draft"))?;
        let me = api::me().await?.ok_or_else(ApiError::unauthorized)?;
        let draft = api::get_draft(id).await?;
        Ok::<_, ApiError>((me, draft))
    });
    view! {
        <Suspense fallback=|| view! { <p class="page">"Loading the draft…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok((me, draft)) => view! { <Designer draft=draft editable=me.role.can_edit() /> }.into_any(),
                    Err(ApiError::Unauthorized { .. }) => view! {
                        <section class="page"><p><a href="/signin">"Sign in"</a> " to open this draft."</p></section>
                    }.into_any(),
                    Err(e) => view! { <section class="page"><h1>"Cannot open this draft"</h1><p role="alert">{e.to_string()}</p></section> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// `/drafts/:id/v/:n`: a past version, read-only.
#[component]
pub fn VersionPage() -> impl IntoView {
    let params = use_params_map();
    let key = move || {
        let p = params.read();
        (
            p.get("id").and_then(|s| Uuid::parse_str(&s).ok()),
            p.get("n").and_then(|s| s.parse::<u32>().ok()),
        )
    };
    let data = Resource::new(key, |(id, n)| async move {
        let (id, n) = (
            id.ok_or_else(|| ApiError::not_found("draft"))?,
            n.ok_or_else(|| ApiError::not_found("version"))?,
        );
        let draft = api::get_draft(id).await?;
        let version = api::get_version(id, n).await?;
        Ok::<_, ApiError>(Draft {
            summary: draft.summary,
            latest: version,
        })
    });
    view! {
        <Suspense fallback=|| view! { <p class="page">"Loading the version…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(draft) => view! { <Designer draft=draft editable=false /> }.into_any(),
                    Err(e) => view! { <section class="page"><h1>"Cannot open this version"</h1><p role="alert">{e.to_string()}</p></section> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// `/drafts/:id/history`: every version, newest first, each openable read-only.
#[component]
pub fn HistoryPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|s| Uuid::parse_str(&s).ok())
    };
    let versions = Resource::new(id, |id| async move {
        let id = id.ok_or_else(|| ApiError::not_found("draft"))?;
        Ok::<_, ApiError>((
            id,
            api::get_draft(id).await?.summary,
            api::list_versions(id).await?,
            api::timeline(id).await?,
        ))
    });
    view! {
        <section class="page">
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match versions.await {
                        Ok((id, summary, list, timeline)) => view! {
                            <h1>{format!("History of {}", summary.name)}</h1>
                            <p><a href=format!("/drafts/{id}")>"Back to the designer"</a></p>
                            <table class="draft-list">
                                <thead><tr><th scope="col">"Version"</th><th scope="col">"Saved"</th><th scope="col">"By"</th><th scope="col">"Problems"</th><th scope="col">"Content hash"</th><th scope="col"></th></tr></thead>
                                <tbody>
                                    {list.into_iter().map(|v| view! {
                                        <tr>
                                            <td><a href=format!("/drafts/{id}/v/{}", v.number)>{format!("Version {}", v.number)}</a></td>
                                            <td><time datetime=api::rfc3339(v.created_at)>{api::display_utc(v.created_at)}</time></td>
                                            <td>{v.author.unwrap_or_default()}</td>
                                            <td><span class="count error">{v.errors}</span>" "<span class="count warning">{v.warnings}</span></td>
                                            <td><code>{v.content_hash.chars().take(12).collect::<String>()}</code></td>
                                            // Rollback is a normal plan and apply of an earlier version.
                                            <td>
                                                {(v.number > 1).then(|| view! {
                                                    <a class="button small" href=format!("/drafts/{id}/review?from={}&to={}", v.number - 1, v.number)>"Changes"</a>" "
                                                })}
                                                <a class="button small" href=format!("/drafts/{id}/deploy?v={}", v.number)>"Deploy this version"</a>
                                            </td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                            <h2>"Timeline"</h2>
                            <ol class="timeline" data-testid="timeline">
                                {timeline.into_iter().map(|t| view! {
                                    <li class=format!("tl-{}", t.kind) data-kind=t.kind.clone()>
                                        <time datetime=api::rfc3339(t.at)>{api::display_utc(t.at)}</time>
                                        " "<strong>{t.actor.unwrap_or_default()}</strong>" "
                                        {t.text}
                                        " · "<a href=format!("/drafts/{id}/v/{}", t.version)>{format!("version {}", t.version)}</a>
                                    </li>
                                }).collect_view()}
                            </ol>
                        }.into_any(),
                        Err(e) => view! { <p role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// `/bench?nodes=N`: the designer on a generated graph, nothing saved; for frame-time benchmarks.
#[component]
pub fn BenchPage() -> impl IntoView {
    let query = use_query_map();
    let n = query
        .read_untracked()
        .get("nodes")
        .and_then(|s| s.parse::<usize>().ok())
        .unwrap_or(625)
        .min(20_000);
    let graph = wiring::examples::generated(n);
    let summary = api::DraftSummary {
        id: Uuid::nil(),
        name: format!("Benchmark: {n} nodes"),
        version: 0,
        node_count: graph.node_count() as u32,
        errors: 0,
        warnings: 0,
        author: None,
        created_at: time::OffsetDateTime::UNIX_EPOCH,
        updated_at: time::OffsetDateTime::UNIX_EPOCH,
        archived: false,
    };
    let content = serde_json::from_str(&graph.to_json()).unwrap_or_default();
    let latest = api::DraftVersion {
        id: Uuid::nil(),
        draft_id: Uuid::nil(),
        number: 0,
        parent_id: None,
        content_hash: String::new(),
        author: None,
        created_at: time::OffsetDateTime::UNIX_EPOCH,
        errors: 0,
        warnings: 0,
        infos: 0,
        content,
    };
    view! { <Designer draft=Draft { summary, latest } editable=true bench=true /> }
}

/// Open comment threads per element, for the pins on the canvas.
fn load_pins(editor: Editor, draft: Uuid) {
    spawn_local(async move {
        // Pins are a reading aid: if they fail to load, the designer works without them.
        if let Ok(threads) = api::list_threads(draft).await {
            let mut pins: BTreeMap<Element, u32> = BTreeMap::new();
            for t in threads.iter().filter(|t| !t.resolved) {
                let el = match &t.pin {
                    api::Pin::Node(id) => NodeId::parse(id).ok().map(Element::Node),
                    api::Pin::Edge(id) => EdgeId::parse(id).ok().map(Element::Edge),
                    api::Pin::Graph => Some(Element::Graph),
                };
                if let Some(el) = el {
                    *pins.entry(el).or_default() += 1;
                }
            }
            editor.pins.set(pins);
        }
    });
}

/// The designer around one draft version.
#[component]
fn Designer(draft: Draft, editable: bool, #[prop(optional)] bench: bool) -> impl IntoView {
    let graph = match Graph::from_value(&draft.latest.content) {
        Ok(g) => g,
        Err(e) => {
            return view! {
                <section class="page"><h1>"This version cannot be opened"</h1><p role="alert">{e.to_string()}</p></section>
            }
            .into_any();
        }
    };
    let is_latest = draft.latest.number == draft.summary.version || bench;
    let editable = editable && is_latest && !draft.summary.archived;
    let draft_id = (!bench).then_some(draft.summary.id);
    let editor = Editor::new(
        graph,
        Binding {
            draft: draft_id,
            editable,
        },
        (!bench).then_some(draft.latest.id),
    );
    let name = RwSignal::new(draft.summary.name.clone());
    let in_flight = StoredValue::new(false);

    // Autosave: a moment after the last edit.
    Effect::new(move |_| {
        let seq = editor.edit_seq.get();
        if seq == 0 || draft_id.is_none() {
            return;
        }
        set_timeout(
            move || {
                if editor.edit_seq.get_untracked() == seq {
                    save_now(editor, in_flight);
                }
            },
            Duration::from_millis(900),
        );
    });
    let _unload = window_event_listener(ev::beforeunload, move |e: web_sys::BeforeUnloadEvent| {
        if matches!(
            editor.status.get_untracked(),
            SaveStatus::Unsaved | SaveStatus::Saving | SaveStatus::Offline | SaveStatus::Conflict
        ) {
            e.prevent_default();
            e.set_return_value("Your latest edits are not saved yet.");
        }
    });
    guard_in_app_links(editor);
    // Effects run only in the browser: the pins load after hydration, never during SSR.
    Effect::new(move |_| {
        if let Some(id) = draft_id {
            load_pins(editor, id);
        }
    });
    let connect_open = RwSignal::new(false);
    let _keys = window_event_listener(ev::keydown, move |e| keyboard(editor, connect_open, e));
    // Fit while the canvas settles into its size, until the user pans or zooms.
    Effect::new(move |_| {
        let (w, h) = editor.canvas_size.get();
        if !editor.touched.get_value() && w > 300.0 && h > 300.0 {
            editor.fit();
        }
    });

    let rename = Callback::new(move |text: String| {
        let Some(id) = draft_id else { return };
        spawn_local(async move {
            match api::rename_draft(id, text).await {
                Ok(s) => {
                    name.set(s.name.clone());
                    editor
                        .announcement
                        .set(format!("Renamed the draft to {}", s.name));
                }
                Err(e) => editor.announcement.set(format!("Not renamed: {e}")),
            }
        });
    });
    let export_name = move || {
        name.get_untracked()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect::<String>()
    };
    let import_error = RwSignal::new(None::<String>);
    let on_import = move |ev: web_sys::Event| {
        let Some(file) = ev
            .target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlInputElement>(t).ok())
            .and_then(|i| i.files())
            .and_then(|f| f.get(0))
        else {
            return;
        };
        spawn_local(async move {
            let text = wasm_bindgen_futures::JsFuture::from(file.text())
                .await
                .ok()
                .and_then(|v| v.as_string());
            match text.map(|t| Graph::from_json(&t)) {
                Some(Ok(g)) => {
                    import_error.set(None);
                    editor.dispatch(Change::ReplaceGraph { graph: Box::new(g) });
                    editor.fit();
                }
                Some(Err(e)) => import_error.set(Some(format!("Not imported: {e}"))),
                None => import_error.set(Some("Not imported: the file could not be read.".into())),
            }
        });
    };

    // Effects run only in the browser, once this component is hydrated: "ready" means
    // the designer answers the keyboard and mouse, not merely that its HTML is there.
    // The current graph as JSON, for tests and for the curious (window.eventloomGraph()),
    // is in place before the designer says it is ready.
    let ready = RwSignal::new(false);
    Effect::new(move |_| {
        expose_graph(editor);
        ready.set(true);
    });
    view! {
        <div class="designer" data-ready=move || ready.get().to_string() data-bench=bench.to_string()>
            <div class="toolbar" role="toolbar" aria-label="Designer">
                <h1 class="draft-title">{move || name.get()}</h1>
                {(!editable && !bench).then(|| view! {
                    <span class="tag readonly">{if is_latest { "read-only" } else { "past version, read-only" }}</span>
                })}
                <button class="button small" on:click=move |_| editor.undo() disabled=move || editor.history.get().0 == 0 title="Undo (Ctrl+Z)">"Undo"</button>
                <button class="button small" on:click=move |_| editor.redo() disabled=move || editor.history.get().1 == 0 title="Redo (Shift+Ctrl+Z)">"Redo"</button>
                <button class="button small" on:click=move |_| auto_layout(editor) disabled=move || !editor.editable() title="Lay out left to right (Shift+L)">"Auto-layout"</button>
                <button class="button small" on:click=move |_| connect_open.set(true) disabled=move || !editor.editable() title="Connect with the keyboard (C)">"Connect…"</button>
                <button class="button small" on:click=move |_| delete_selection(editor) disabled=move || !editor.editable() || editor.selection.with(BTreeSet::is_empty) title="Delete (Del)">"Delete"</button>
                <span class="spacer"></span>
                <button class="button small" on:click=move |_| {
                    let _ = export::download_text(&format!("{}.eventloom.json", export_name()), "application/json", &editor.graph.with_untracked(Graph::to_json));
                }>"Export JSON"</button>
                <label class="button small file-button">
                    "Import JSON"
                    <input type="file" accept="application/json,.json" class="visually-hidden" on:change=on_import disabled=move || !editor.editable() />
                </label>
                <button class="button small" on:click=move |_| { let _ = editor.graph.with_untracked(|g| export::download_svg(&export_name(), g)); }>"SVG"</button>
                <button class="button small" on:click=move |_| { let _ = editor.graph.with_untracked(|g| export::download_png(&export_name(), g)); }>"PNG"</button>
                {draft_id.map(|id| view! { <a class="button small" href=format!("/drafts/{id}/history")>"History"</a> })}
                {draft_id.map(|id| view! {
                    <a class="button small" href=format!("/drafts/{id}/review") data-testid="open-review">
                        "Review"
                        {move || {
                            let n: u32 = editor.pins.with(|p| p.values().sum());
                            (n > 0).then(|| view! { <span class="count-badge" aria-label=format!("{n} open comment threads")>{n.to_string()}</span> })
                        }}
                    </a>
                })}
                {draft_id.map(|id| view! { <a class="button small primary" href=format!("/drafts/{id}/deploy")>"Deploy…"</a> })}
                <SaveBadge editor=editor />
            </div>
            {move || import_error.get().map(|e| view! { <p class="form-error banner" role="alert">{e}</p> })}
            <palette::Palette editor=editor />
            <Canvas editor=editor />
            <div class="side">
                <inspector::Inspector editor=editor draft_name=name on_rename=rename />
                <problems::Problems editor=editor />
            </div>
            <div class="visually-hidden" role="status" aria-live="polite" aria-atomic="true" id="announcer">
                {move || editor.announcement.get()}
            </div>
            <ConnectDialog editor=editor open=connect_open />
            <ConflictDialog editor=editor in_flight=in_flight />
        </div>
    }
    .into_any()
}

/// `beforeunload` covers reloads and closing the tab; links inside the app are handled by
/// the router instead, so they are asked about here, before the router sees the click.
fn guard_in_app_links(editor: Editor) {
    use send_wrapper::SendWrapper;
    use wasm_bindgen::{JsCast, closure::Closure};
    type ClickHandler = Closure<dyn Fn(web_sys::MouseEvent)>;
    // Thread-safe storage holding a browser-only value: during SSR the owner is cleaned up
    // on whichever worker thread polls the response, and a `LocalStorage` value touched
    // there panics and cuts the page off mid-stream. On the server this stays `None`.
    let handler: StoredValue<Option<SendWrapper<ClickHandler>>> = StoredValue::new(None);
    Effect::new(move |_| {
        let Some(window) = web_sys::window() else {
            return;
        };
        let on_click =
            Closure::<dyn Fn(web_sys::MouseEvent)>::new(move |e: web_sys::MouseEvent| {
                let unsaved = matches!(
                    editor.status.try_get_untracked(),
                    Some(
                        SaveStatus::Unsaved
                            | SaveStatus::Saving
                            | SaveStatus::Offline
                            | SaveStatus::Conflict
                    )
                );
                if !unsaved
                    || e.default_prevented()
                    || e.button() != 0
                    || e.meta_key()
                    || e.ctrl_key()
                    || e.shift_key()
                    || e.alt_key()
                {
                    return;
                }
                let Some(anchor) = e
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                    .and_then(|el| el.closest("a[href]").ok().flatten())
                else {
                    return;
                };
                if anchor.get_attribute("target").as_deref() == Some("_blank")
                    || anchor.has_attribute("download")
                {
                    return;
                }
                let leave = web_sys::window()
                    .and_then(|w| {
                        w.confirm_with_message(
                            "Your latest edits are not saved yet. Leave this page anyway?",
                        )
                        .ok()
                    })
                    .unwrap_or(true);
                if !leave {
                    e.prevent_default();
                    e.stop_immediate_propagation();
                }
            });
        // Capture phase, so this runs before the router's own click handler.
        let _ = window.add_event_listener_with_callback_and_bool(
            "click",
            on_click.as_ref().unchecked_ref(),
            true,
        );
        handler.set_value(Some(SendWrapper::new(on_click)));
    });
    on_cleanup(move || {
        if let Some(h) = handler.try_update_value(Option::take).flatten()
            && let Some(window) = web_sys::window()
        {
            let _ = window.remove_event_listener_with_callback_and_bool(
                "click",
                (*h).as_ref().unchecked_ref(),
                true,
            );
        }
    });
}

fn expose_graph(editor: Editor) {
    use wasm_bindgen::{JsCast, closure::Closure};
    let Some(window) = web_sys::window() else {
        return;
    };
    let f = Closure::<dyn Fn() -> String>::new(move || editor.graph.with_untracked(Graph::to_json));
    let _ = js_sys::Reflect::set(
        &window,
        &"eventloomGraph".into(),
        f.as_ref().unchecked_ref(),
    );
    f.forget();
}

/// Saves the current graph on top of the base version; handles conflicts and outages.
fn save_now(editor: Editor, in_flight: StoredValue<bool>) {
    let Some(draft) = editor.binding.with_value(|b| b.draft) else {
        return;
    };
    if in_flight.get_value()
        || matches!(
            editor.status.get_untracked(),
            SaveStatus::Conflict | SaveStatus::ReadOnly
        )
    {
        return;
    }
    let Some(base) = editor.base_version.get_untracked() else {
        return;
    };
    let seq = editor.edit_seq.get_untracked();
    let graph = editor.graph.get_untracked();
    let Ok(content) = serde_json::from_str(&graph.to_json()) else {
        return;
    };
    in_flight.set_value(true);
    editor.status.set(SaveStatus::Saving);
    spawn_local(async move {
        let result = api::save_draft(
            draft,
            SaveDraft {
                base_version: base,
                content,
            },
        )
        .await;
        in_flight.set_value(false);
        match result {
            Ok(v) => {
                editor.saved(v.id, graph);
                if editor.edit_seq.get_untracked() == seq {
                    editor.status.set(SaveStatus::Saved);
                } else {
                    editor.status.set(SaveStatus::Unsaved);
                    save_now(editor, in_flight);
                }
            }
            Err(ApiError::Conflict {
                latest: Some(latest),
                ..
            }) => match Graph::from_value(&latest.content) {
                Ok(theirs_graph) => {
                    editor.conflict.set(Some(ConflictState {
                        theirs: *latest,
                        theirs_graph,
                    }));
                    editor.status.set(SaveStatus::Conflict);
                    editor.announcement.set("Someone saved this draft while you were editing. Choose how to combine the versions.".into());
                }
                Err(e) => editor.status.set(SaveStatus::Refused(format!(
                    "The latest version cannot be read: {e}"
                ))),
            },
            Err(ApiError::Transport { .. }) | Err(ApiError::Internal) => {
                editor.status.set(SaveStatus::Offline);
                set_timeout(move || save_now(editor, in_flight), Duration::from_secs(4));
            }
            Err(e) => editor.status.set(SaveStatus::Refused(e.to_string())),
        }
    });
}

#[component]
fn SaveBadge(editor: Editor) -> impl IntoView {
    let text = move || match editor.status.get() {
        SaveStatus::Saved => ("saved", "Saved".to_owned()),
        SaveStatus::Unsaved => ("unsaved", "Unsaved changes".to_owned()),
        SaveStatus::Saving => ("saving", "Saving…".to_owned()),
        SaveStatus::Offline => ("offline", "Offline — retrying".to_owned()),
        SaveStatus::Conflict => ("conflict", "Conflict".to_owned()),
        SaveStatus::Refused(m) => ("refused", format!("Not saved: {m}")),
        SaveStatus::ReadOnly => ("readonly", "Read-only".to_owned()),
    };
    view! {
        <span class=move || format!("save-status {}", text().0) data-status=move || text().0 role="status">
            {move || text().1}
        </span>
    }
}

fn auto_layout(editor: Editor) {
    let placed = editor.graph.with_untracked(wiring::layout::layered);
    let positions = placed.into_iter().map(|(id, p)| (id, Some(p))).collect();
    if editor.dispatch(Change::MoveNodes { positions }) {
        editor
            .announcement
            .set("Laid out the graph left to right".into());
        editor.fit();
    }
}

fn delete_selection(editor: Editor) {
    let sel = editor.selection.get_untracked();
    let mut changes: Vec<Change> = sel
        .iter()
        .filter_map(|e| match e {
            Element::Edge(id) => Some(Change::RemoveEdge { id: id.clone() }),
            _ => None,
        })
        .collect();
    changes.extend(sel.iter().filter_map(|e| match e {
        Element::Node(id) => Some(Change::RemoveNode { id: id.clone() }),
        _ => None,
    }));
    // An edge may already be gone with its node: drop removals that would fail.
    let mut probe = editor.graph.get_untracked();
    let changes: Vec<Change> = changes
        .into_iter()
        .filter(|c| wiring::apply(&mut probe, c).is_ok())
        .collect();
    let n = changes.len();
    if n > 0 && editor.dispatch(Change::Batch { changes }) {
        editor.announcement.set(format!("Deleted {n} element(s)"));
    }
}

const CLIPBOARD_KEY: &str = "eventloom-clipboard";

fn copy_selection(editor: Editor) -> usize {
    let ids: BTreeSet<NodeId> = editor.selected_nodes().into_iter().collect();
    let part = editor.graph.with_untracked(|g| {
        let mut sub = Graph::new(g.account.clone(), g.region.clone());
        for id in &ids {
            if let Some(n) = g.nodes.get(id) {
                sub.nodes.insert(id.clone(), n.clone());
            }
            if let Some(p) = g.layout.get(id) {
                sub.layout.insert(id.clone(), *p);
            }
        }
        for (id, e) in &g.edges {
            if ids.contains(&e.from) && ids.contains(&e.to) {
                sub.edges.insert(id.clone(), e.clone());
            }
        }
        sub
    });
    if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = storage.set_item(CLIPBOARD_KEY, &part.to_json());
    }
    part.node_count()
}

/// Pastes what was copied (in this draft or another), offset, with fresh ids.
fn paste(editor: Editor) {
    let Some(text) = web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .and_then(|s| s.get_item(CLIPBOARD_KEY).ok().flatten())
    else {
        editor.announcement.set("Nothing to paste".into());
        return;
    };
    let Ok(part) = Graph::from_json(&text) else {
        return;
    };
    let mut probe = editor.graph.get_untracked();
    let mut map: BTreeMap<NodeId, NodeId> = BTreeMap::new();
    let mut changes = Vec::new();
    for (id, node) in &part.nodes {
        let fresh = probe.fresh_node_id(id.as_str());
        let position = part.layout.get(id).map(|p| Point {
            x: p.x + 40.0,
            y: p.y + 40.0,
        });
        let c = Change::AddNode {
            id: fresh.clone(),
            node: node.clone(),
            position,
        };
        if wiring::apply(&mut probe, &c).is_ok() {
            changes.push(c);
            map.insert(id.clone(), fresh);
        }
    }
    for (id, e) in &part.edges {
        let (Some(from), Some(to)) = (map.get(&e.from), map.get(&e.to)) else {
            continue;
        };
        let mut edge = e.clone();
        edge.from = from.clone();
        edge.to = to.clone();
        if let wiring::EdgeKind::MappingOnFailure { .. } = edge.kind {
            continue;
        }
        let fresh: EdgeId = probe.fresh_edge_id(id.as_str());
        let c = Change::AddEdge { id: fresh, edge };
        if wiring::apply(&mut probe, &c).is_ok() {
            changes.push(c);
        }
    }
    let n = map.len();
    if editor.dispatch(Change::Batch { changes }) {
        editor
            .selection
            .set(map.into_values().map(Element::Node).collect());
        editor.announcement.set(format!("Pasted {n} node(s)"));
    }
}

fn keyboard(editor: Editor, connect_open: RwSignal<bool>, e: web_sys::KeyboardEvent) {
    if typing(&e) || connect_open.get_untracked() || editor.conflict.with_untracked(Option::is_some)
    {
        return;
    }
    let cmd = e.ctrl_key() || e.meta_key();
    let key = e.key();
    match (cmd, key.as_str()) {
        (true, "z") | (true, "Z") if e.shift_key() => {
            e.prevent_default();
            editor.redo();
        }
        (true, "z") => {
            e.prevent_default();
            editor.undo();
        }
        (true, "y") => {
            e.prevent_default();
            editor.redo();
        }
        (true, "c") => {
            let n = copy_selection(editor);
            editor.announcement.set(format!("Copied {n} node(s)"));
        }
        (true, "v") => {
            e.prevent_default();
            paste(editor);
        }
        (true, "d") => {
            e.prevent_default();
            if copy_selection(editor) > 0 {
                paste(editor);
            }
        }
        (true, "a") => {
            e.prevent_default();
            let all = editor
                .graph
                .with_untracked(|g| g.nodes.keys().cloned().map(Element::Node).collect());
            editor.selection.set(all);
            editor.announcement.set("Selected every node".into());
        }
        (false, "Delete") | (false, "Backspace") => {
            e.prevent_default();
            delete_selection(editor);
        }
        (false, "Escape") => editor.selection.set(BTreeSet::new()),
        (false, "c") | (false, "C") if !e.alt_key() => {
            e.prevent_default();
            connect_open.set(true);
        }
        (false, "f") => editor.fit(),
        (false, "/") => {
            // As in most tools: "/" jumps to search (here the palette's).
            e.prevent_default();
            if let Some(el) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.get_element_by_id("palette-search"))
                .and_then(|el| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(el).ok())
            {
                let _ = el.focus();
            }
        }
        (false, "L") if e.shift_key() => auto_layout(editor),
        (false, "ArrowLeft" | "ArrowRight" | "ArrowUp" | "ArrowDown") => {
            let ids = editor.selected_nodes();
            if ids.is_empty() {
                return;
            }
            e.prevent_default();
            let step = if e.shift_key() {
                editor::GRID * 5.0
            } else {
                editor::GRID
            };
            let (dx, dy) = match key.as_str() {
                "ArrowLeft" => (-step, 0.0),
                "ArrowRight" => (step, 0.0),
                "ArrowUp" => (0.0, -step),
                _ => (0.0, step),
            };
            editor.nudge_live(&ids, dx, dy);
            editor.commit_positions(&ids);
        }
        _ => {}
    }
}

/// Connecting without a mouse: choose the source, the target and the kind from lists.
#[component]
fn ConnectDialog(editor: Editor, open: RwSignal<bool>) -> impl IntoView {
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let kind = RwSignal::new(0usize);
    Effect::new(move |_| {
        if open.get() {
            let first = editor
                .selected_nodes()
                .into_iter()
                .next()
                .map(|n| n.to_string())
                .unwrap_or_default();
            from.set(first);
            to.set(String::new());
            kind.set(0);
            request_animation_frame(|| {
                if let Some(el) = web_sys::window()
                    .and_then(|w| w.document())
                    .and_then(|d| d.get_element_by_id("connect-from"))
                {
                    let _ = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(el)
                        .map(|e| e.focus());
                }
            });
        }
    });
    let nodes = Memo::new(move |_| {
        editor.graph.with(|g| {
            g.nodes
                .iter()
                .map(|(id, n)| {
                    (
                        id.to_string(),
                        format!("{} ({})", n.name(), wiring::catalog::of(n).label),
                    )
                })
                .collect::<Vec<_>>()
        })
    });
    let options = Memo::new(move |_| {
        let (f, t) = (
            NodeId::parse(&from.get()).ok(),
            NodeId::parse(&to.get()).ok(),
        );
        match (f, t) {
            (Some(f), Some(t)) if f != t => editor
                .graph
                .with(|g| candidates(g, &f, &t, canvas::Handle::Out)),
            _ => Vec::new(),
        }
    });
    let submit = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let (Ok(f), Ok(t)) = (
            NodeId::parse(&from.get_untracked()),
            NodeId::parse(&to.get_untracked()),
        ) else {
            return;
        };
        let opts = options.get_untracked();
        if let Some(o) = opts.get(kind.get_untracked()) {
            if let Some(r) = &o.refused {
                editor
                    .announcement
                    .set(format!("Not connected: {}", r.reason));
                return;
            }
            if connect_with(&editor, &f, &t, o) {
                open.set(false);
            }
        }
    };
    view! {
        <Show when=move || open.get()>
            <div class="dialog-backdrop">
                <form
                    class="dialog"
                    role="dialog"
                    aria-modal="true"
                    aria-labelledby="connect-title"
                    on:submit=submit
                    on:keydown=move |e: web_sys::KeyboardEvent| if e.key() == "Escape" { open.set(false) }
                >
                    <h2 id="connect-title">"Connect"</h2>
                    <label for="connect-from">"From"</label>
                    <select id="connect-from" on:change=move |ev| from.set(event_target_value(&ev))>
                        <option value="">"Choose a node"</option>
                        {move || nodes.get().into_iter().map(|(id, label)| {
                            let sel = id == from.get_untracked();
                            view! { <option value=id.clone() selected=sel>{label}</option> }
                        }).collect_view()}
                    </select>
                    <label for="connect-to">"To"</label>
                    <select id="connect-to" on:change=move |ev| { to.set(event_target_value(&ev)); kind.set(0); }>
                        <option value="">"Choose a node"</option>
                        {move || nodes.get().into_iter().filter(|(id, _)| *id != from.get()).map(|(id, label)| view! { <option value=id>{label}</option> }).collect_view()}
                    </select>
                    <fieldset>
                        <legend>"Kind"</legend>
                        {move || {
                            let opts = options.get();
                            if opts.is_empty() {
                                return view! { <p class="hint">"Choose both ends to see the possible connections."</p> }.into_any();
                            }
                            opts.into_iter().enumerate().map(|(i, o)| {
                                let id = format!("connect-kind-{i}");
                                let refused = o.refused.clone();
                                let is_refused = refused.is_some();
                                view! {
                                    <div class="radio" class:refused=is_refused>
                                        <input type="radio" name="connect-kind" id=id.clone() checked=move || kind.get() == i on:change=move |_| kind.set(i) />
                                        <label for=id>{o.label.clone()}</label>
                                        {refused.map(|r| view! { <span class="reason">{r.reason}</span> })}
                                    </div>
                                }
                            }).collect_view().into_any()
                        }}
                    </fieldset>
                    <div class="dialog-actions">
                        <button type="submit" class="button primary">"Connect"</button>
                        <button type="button" class="button" on:click=move |_| open.set(false)>"Cancel"</button>
                    </div>
                </form>
            </div>
        </Show>
    }
}

/// When a save answers 409: keep mine, take theirs, or merge element by element.
#[component]
fn ConflictDialog(editor: Editor, in_flight: StoredValue<bool>) -> impl IntoView {
    let choices = RwSignal::new(BTreeMap::<Element, Side>::new());
    let merged = Memo::new(move |_| {
        editor.conflict.with(|c| {
            c.as_ref().map(|c| {
                let base = editor.base_graph.get_value();
                editor
                    .graph
                    .with(|mine| merge::three_way(&base, mine, &c.theirs_graph))
            })
        })
    });
    let resolve = move |graph: Option<Graph>| {
        let Some(c) = editor.conflict.get_untracked() else {
            return;
        };
        editor.saved(c.theirs.id, c.theirs_graph.clone());
        editor.conflict.set(None);
        editor.status.set(SaveStatus::Unsaved);
        match graph {
            // Take theirs: the draft is already saved as theirs.
            None => {
                editor.graph.with_untracked(|g| g.clone());
                if editor.dispatch(Change::ReplaceGraph {
                    graph: Box::new(c.theirs_graph),
                }) {
                    editor.status.set(SaveStatus::Saved);
                }
                editor.announcement.set(
                    "Took the other version; your edits can be brought back with Undo.".into(),
                );
            }
            Some(g) => {
                let same = editor.graph.with_untracked(|cur| *cur == g);
                if same {
                    // Keep mine: save the current graph on top of theirs.
                    editor.edit_seq.update(|n| *n += 1);
                } else {
                    editor.dispatch(Change::ReplaceGraph { graph: Box::new(g) });
                }
                save_now(editor, in_flight);
            }
        }
    };
    view! {
        {move || {
            let c = editor.conflict.get()?;
            let m = merged.get()?;
            let conflicts = m.conflicts.clone();
            let who = c.theirs.author.clone().unwrap_or_else(|| "Someone".into());
            let mine_graph = StoredValue::new(editor.graph.get_untracked());
            let theirs_graph = StoredValue::new(c.theirs_graph.clone());
            let merge_result = StoredValue::new(m.clone());
            Some(view! {
                <div class="dialog-backdrop">
                    <div class="dialog wide" role="dialog" aria-modal="true" aria-labelledby="conflict-title">
                        <h2 id="conflict-title">"This draft changed while you were editing"</h2>
                        <p>
                            {format!("{who} saved version {}. Your edits are kept until you choose. ", c.theirs.number)}
                            {editor.binding.with_value(|b| b.draft).map(|d| view! {
                                <a href=format!("/drafts/{d}/v/{}", c.theirs.number) target="_blank" rel="noopener">{format!("Open version {} in a new tab", c.theirs.number)}</a>
                            })}
                        </p>
                        {if conflicts.is_empty() {
                            view! { <p class="hint">"Your edits and theirs touch different elements: merging keeps both."</p> }.into_any()
                        } else {
                            view! {
                                <p class="hint">"Both of you changed these elements. Choose a side for each:"</p>
                                <ul class="conflicts" role="list">
                                    {conflicts.into_iter().map(|x| {
                                        let el = x.element.clone();
                                        let el2 = el.clone();
                                        let name = theirs_graph.with_value(|g| element_label(g, &el));
                                        view! {
                                            <li>
                                                <span>{name}</span>
                                                <label><input type="radio" name=format!("c-{el:?}") checked=true on:change=move |_| { choices.update(|m| { m.insert(el.clone(), Side::Mine); }); } />{format!(" mine ({})", x.mine)}</label>
                                                <label><input type="radio" name=format!("c-{el2:?}") on:change=move |_| { choices.update(|m| { m.insert(el2.clone(), Side::Theirs); }); } />{format!(" theirs ({})", x.theirs)}</label>
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                            }.into_any()
                        }}
                        <div class="dialog-actions">
                            <button class="button primary" on:click=move |_| {
                                let g = merge_result.with_value(|m| mine_graph.with_value(|mine| theirs_graph.with_value(|theirs| m.resolve(mine, theirs, &choices.get_untracked()))));
                                resolve(Some(g));
                            }>"Merge"</button>
                            <button class="button" on:click=move |_| resolve(Some(mine_graph.get_value()))>"Keep mine"</button>
                            <button class="button" on:click=move |_| resolve(None)>"Take theirs"</button>
                        </div>
                    </div>
                </div>
            })
        }}
    }
}

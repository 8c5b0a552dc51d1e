//! Reviewing a draft: two versions overlaid on one canvas (added green, removed red, changed
//! amber), the change list in AWS terms, the findings it introduced and resolved, comment
//! threads pinned to elements, review requests, and the reviewer's decision.

use crate::api::{
    self, ApiError, ChangeStatus, Decision, DraftVersion, FindingNote, Me, Member, NewDecision,
    NewReviewRequest, NewThread, Pin, ReviewState, Role, Thread, VersionDiff, display_utc,
};
use crate::designer::canvas::CommentPin;
use crate::designer::editor::{NODE_H, NODE_W, edge_curve};
use crate::pages::deploy::GateView;
use leptos::{prelude::*, task::spawn_local};
use leptos_router::hooks::{use_params_map, use_query_map};
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;
use wiring::{Graph, catalog, model::Point};

/// `/drafts/:id/review?from=A&to=B`: the review of a draft, comparing two versions.
#[component]
pub fn ReviewPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let key = move || {
        let q = query.read();
        (
            params
                .read()
                .get("id")
                .and_then(|s| Uuid::parse_str(&s).ok()),
            q.get("from").and_then(|s| s.parse::<u32>().ok()),
            q.get("to").and_then(|s| s.parse::<u32>().ok()),
        )
    };
    let data = Resource::new(key, |(id, from, to)| async move {
        let id = id.ok_or_else(|| ApiError::not_found("draft"))?;
        let me = api::me().await?.ok_or_else(ApiError::unauthorized)?;
        let draft = api::get_draft(id).await?;
        let versions = api::list_versions(id).await?;
        let latest = draft.summary.version;
        let to = to.filter(|t| *t >= 1 && *t <= latest).unwrap_or(latest);
        let from = from
            .filter(|f| *f >= 1 && *f <= latest)
            .unwrap_or(to.saturating_sub(1).max(1));
        let diff = api::get_diff(id, from, to).await?;
        let members = api::list_members().await?;
        Ok::<_, ApiError>((me, draft.summary.name, versions, diff, members))
    });
    view! {
        <section class="page review">
            <Suspense fallback=|| view! { <p>"Loading the review…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok((me, name, versions, diff, members)) => view! {
                            <Review me=me name=name versions=versions diff=diff members=members />
                        }.into_any(),
                        Err(ApiError::Unauthorized { .. }) => view! {
                            <p><a href="/signin">"Sign in"</a> " to review this draft."</p>
                        }.into_any(),
                        Err(e) => view! { <h1>"Cannot open this review"</h1><p role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn Review(
    me: Me,
    name: String,
    versions: Vec<DraftVersion>,
    diff: VersionDiff,
    members: Vec<Member>,
) -> impl IntoView {
    let draft_id = diff.draft_id;
    let latest = versions.first().map_or(diff.to, |v| v.number);
    let refresh = RwSignal::new(0u32);
    let state = Resource::new(move || refresh.get(), move |_| api::review_state(draft_id));
    let threads = RwSignal::new(Vec::<Thread>::new());
    let reload_threads = move || {
        spawn_local(async move {
            if let Ok(t) = api::list_threads(draft_id).await {
                threads.set(t);
            }
        });
    };
    // Threads load in the browser after hydration; SSR renders the page without them.
    Effect::new(move |_| reload_threads());
    let selected = RwSignal::new(None::<Pin>);
    let (from, to) = (diff.from, diff.to);
    let version_options = move |current: u32| {
        versions
            .iter()
            .map(|v| {
                let n = v.number;
                view! { <option value=n.to_string() selected=n == current>{format!("Version {n}")}</option> }
            })
            .collect_view()
    };
    let from_opts = version_options(from);
    let to_opts = version_options(to);
    let go = move |f: u32, t: u32| {
        if let Some(w) = web_sys::window() {
            let _ = w
                .location()
                .set_href(&format!("/drafts/{draft_id}/review?from={f}&to={t}"));
        }
    };
    let security: Vec<_> = diff
        .entries
        .iter()
        .filter(|e| e.security)
        .cloned()
        .collect();
    let other: Vec<_> = diff
        .entries
        .iter()
        .filter(|e| !e.security)
        .cloned()
        .collect();
    let introduced = diff.introduced.clone();
    let resolved = diff.resolved.clone();
    let comment_version = to;
    let from_graph = Graph::from_value(&diff.from_graph).ok();
    let to_graph = Graph::from_value(&diff.to_graph).ok();
    // A pin on an element only the earlier version has is made on that version.
    let version_for = {
        let to_graph = to_graph.clone();
        move |pin: &Pin| -> u32 {
            let in_to = to_graph.as_ref().is_some_and(|g| has(g, pin));
            if in_to { comment_version } else { from }
        }
    };
    view! {
        <h1>{format!("Review {name}")}</h1>
        <p>
            <a href=format!("/drafts/{draft_id}")>"Back to the designer"</a>
            " · " <a href=format!("/drafts/{draft_id}/history")>"History"</a>
            " · " <a href=format!("/drafts/{draft_id}/deploy")>"Deploy…"</a>
        </p>
        <div class="review-compare" role="group" aria-label="Versions to compare">
            <label for="diff-from">"Compare"</label>
            <select id="diff-from" on:change=move |ev| {
                if let Ok(f) = event_target_value(&ev).parse() { go(f, to) }
            }>{from_opts}</select>
            <label for="diff-to">"with"</label>
            <select id="diff-to" on:change=move |ev| {
                if let Ok(t) = event_target_value(&ev).parse() { go(from, t) }
            }>{to_opts}</select>
            {(to != latest).then(|| view! { <span class="hint">{format!("Version {latest} is the latest; decisions are made on it.")}</span> })}
        </div>
        <div class="review-layout">
            <div class="review-main">
                <DiffCanvas diff=diff.clone() from_graph=from_graph.clone() to_graph=to_graph.clone() threads=threads selected=selected />
                <p class="legend" aria-hidden="true">
                    <span class="swatch added"></span>"added "
                    <span class="swatch removed"></span>"removed "
                    <span class="swatch changed"></span>"changed"
                </p>
                <section class="changes" aria-labelledby="changes-h">
                    <h2 id="changes-h">{format!("Changes from version {from} to {to}")}</h2>
                    {diff.entries.is_empty().then(|| view! { <p class="empty" data-testid="no-diff">"No changes in wiring between these versions (moves are not changes)."</p> })}
                    <ul class="change-list" data-testid="change-list">
                        {security.into_iter().chain(other).map(|e| {
                            let pin = e.element.clone();
                            view! {
                                <li class=format!("change {}", e.status.as_str()) class:security=e.security data-status=e.status.as_str()>
                                    {e.security.then(|| view! { <span class="tag security">"security"</span>" " })}
                                    <button class="link" on:click=move |_| selected.set(Some(pin.clone()))>{e.text.clone()}</button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                    <FindingList title="Findings this change introduced" list=introduced class="introduced" />
                    <FindingList title="Findings this change resolved" list=resolved class="resolved" />
                </section>
            </div>
            <aside class="review-side">
                <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                    {move || {
                        let (me, members) = (me.clone(), members.clone());
                        Suspend::new(async move {
                        match state.await {
                            Ok(s) => view! {
                                <Decisions me=me state=s members=members refresh=refresh />
                            }.into_any(),
                            Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                        }
                    })}}
                </Suspense>
                <Threads draft_id=draft_id threads=threads selected=selected version_for=version_for.clone() graphs=(from_graph, to_graph) reload=reload_threads />
            </aside>
        </div>
    }
}

fn has(g: &Graph, pin: &Pin) -> bool {
    match pin {
        Pin::Graph => true,
        Pin::Node(id) => g.nodes.keys().any(|k| k.as_str() == id),
        Pin::Edge(id) => g.edges.keys().any(|k| k.as_str() == id),
    }
}

fn label(graphs: &(Option<Graph>, Option<Graph>), pin: &Pin) -> String {
    let (a, b) = graphs;
    for g in [b, a].into_iter().flatten() {
        match pin {
            Pin::Graph => return "the draft as a whole".into(),
            Pin::Node(id) => {
                if let Some((_, n)) = g.nodes.iter().find(|(k, _)| k.as_str() == id) {
                    return format!("{} {}", catalog::of(n).label, n.name());
                }
            }
            Pin::Edge(id) => {
                if let Some((_, e)) = g.edges.iter().find(|(k, _)| k.as_str() == id) {
                    let name = |n: &wiring::ids::NodeId| {
                        g.nodes
                            .get(n)
                            .map_or_else(|| n.to_string(), |x| x.name().to_owned())
                    };
                    return format!(
                        "{} {} → {}",
                        e.kind.edge_type().label(),
                        name(&e.from),
                        name(&e.to)
                    );
                }
            }
        }
    }
    "an element".into()
}

#[component]
fn FindingList(title: &'static str, list: Vec<FindingNote>, class: &'static str) -> impl IntoView {
    (!list.is_empty()).then(|| {
        view! {
            <h3>{format!("{title} ({})", list.len())}</h3>
            <ul class=format!("finding-delta {class}") data-testid=format!("findings-{class}")>
                {list.into_iter().map(|f| view! {
                    <li class=format!("sev-{}", f.severity)><code>{f.code}</code>" "{f.message}</li>
                }).collect_view()}
            </ul>
        }
    })
}

/// Node positions of a graph: its layout, with a layered layout for nodes that have none.
fn positions(g: &Graph) -> BTreeMap<String, Point> {
    let auto = if g.nodes.keys().all(|k| g.layout.contains_key(k)) {
        BTreeMap::new()
    } else {
        wiring::layout::layered(g)
    };
    g.nodes
        .keys()
        .filter_map(|k| {
            g.layout
                .get(k)
                .or_else(|| auto.get(k))
                .map(|p| (k.to_string(), *p))
        })
        .collect()
}

/// Both versions on one canvas: the later one, plus what only the earlier one had.
#[component]
fn DiffCanvas(
    diff: VersionDiff,
    from_graph: Option<Graph>,
    to_graph: Option<Graph>,
    threads: RwSignal<Vec<Thread>>,
    selected: RwSignal<Option<Pin>>,
) -> impl IntoView {
    let (Some(a), Some(b)) = (from_graph, to_graph) else {
        return view! { <p class="form-error" role="alert">"A version of this draft cannot be read."</p> }.into_any();
    };
    let node_status: BTreeMap<String, ChangeStatus> = diff.nodes.iter().cloned().collect();
    let edge_status: BTreeMap<String, ChangeStatus> = diff.edges.iter().cloned().collect();
    let (pa, pb) = (positions(&a), positions(&b));
    // Every node: the later version's, then the removed ones where the earlier version had them.
    let mut nodes: Vec<(String, wiring::Node, Point, Option<ChangeStatus>)> = b
        .nodes
        .iter()
        .filter_map(|(k, n)| {
            let id = k.to_string();
            let p = *pb.get(&id)?;
            Some((id.clone(), n.clone(), p, node_status.get(&id).copied()))
        })
        .collect();
    for (k, n) in &a.nodes {
        let id = k.to_string();
        if !b.nodes.contains_key(k)
            && let Some(p) = pa.get(&id)
        {
            nodes.push((id, n.clone(), *p, Some(ChangeStatus::Removed)));
        }
    }
    let at: BTreeMap<String, Point> = nodes.iter().map(|(id, _, p, _)| (id.clone(), *p)).collect();
    let mut edges: Vec<(String, String, String, &'static str, Option<ChangeStatus>)> = Vec::new();
    let mut seen = BTreeSet::new();
    for (g, removed_only) in [(&b, false), (&a, true)] {
        for (k, e) in &g.edges {
            let id = k.to_string();
            if removed_only && b.edges.contains_key(k) || !seen.insert(id.clone()) {
                continue;
            }
            let status = if removed_only {
                Some(ChangeStatus::Removed)
            } else {
                edge_status.get(&id).copied()
            };
            edges.push((
                id,
                e.from.to_string(),
                e.to.to_string(),
                e.kind.edge_type().label(),
                status,
            ));
        }
    }
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for p in at.values() {
        x0 = x0.min(p.x);
        y0 = y0.min(p.y);
        x1 = x1.max(p.x + NODE_W);
        y1 = y1.max(p.y + NODE_H);
    }
    if at.is_empty() {
        (x0, y0, x1, y1) = (0.0, 0.0, 400.0, 200.0);
    }
    let view_box = format!(
        "{:.0} {:.0} {:.0} {:.0}",
        x0 - 40.0,
        y0 - 40.0,
        x1 - x0 + 80.0,
        y1 - y0 + 80.0
    );
    let pin_count = move |pin: &Pin| -> u32 {
        threads.with(|ts| ts.iter().filter(|t| !t.resolved && &t.pin == pin).count() as u32)
    };
    let status_class = |s: Option<ChangeStatus>| s.map_or("same", ChangeStatus::as_str);
    view! {
        <svg class="diff-canvas" role="img" aria-label="Both versions overlaid" viewBox=view_box preserveAspectRatio="xMidYMin meet" data-testid="diff-canvas">
            {edges.into_iter().filter_map(|(id, from, to, kind, status)| {
                let (a, b) = (*at.get(&from)?, *at.get(&to)?);
                let (d, mid) = edge_curve(
                    Point { x: a.x + NODE_W, y: a.y + NODE_H / 2.0 },
                    Point { x: b.x, y: b.y + NODE_H / 2.0 },
                );
                let (mx, my) = (mid.x, mid.y);
                let pin = Pin::Edge(id.clone());
                let pin2 = pin.clone();
                let is_sel = {
                    let pin = pin.clone();
                    move || selected.with(|s| s.as_ref() == Some(&pin))
                };
                Some(view! {
                    <g class=format!("diff-edge {}", status_class(status)) class:selected=is_sel data-edge=id.clone() data-status=status_class(status)
                        on:click=move |_| selected.set(Some(pin.clone()))>
                        <title>{format!("{kind} ({})", status_class(status))}</title>
                        <path class="hit" d=d.clone()></path>
                        <path class="line" d=d></path>
                        <text class="edge-label" x=mx y=my - 6.0 text-anchor="middle">{kind}</text>
                        {move || {
                            let n = pin_count(&pin2);
                            (n > 0).then(|| view! { <CommentPin count=n x=mx + 10.0 y=my - 30.0 /> })
                        }}
                    </g>
                })
            }).collect_view()}
            {nodes.into_iter().map(|(id, n, p, status)| {
                let entry = catalog::of(&n);
                let pin = Pin::Node(id.clone());
                let pin2 = pin.clone();
                let is_sel = {
                    let pin = pin.clone();
                    move || selected.with(|s| s.as_ref() == Some(&pin))
                };
                let name = n.name().to_owned();
                view! {
                    <g class=format!("diff-node {}", status_class(status)) class:selected=is_sel data-node=id.clone() data-status=status_class(status)
                        transform=format!("translate({:.1},{:.1})", p.x, p.y)
                        on:click=move |_| selected.set(Some(pin.clone()))>
                        <title>{format!("{} {} ({})", entry.label, name, status_class(status))}</title>
                        <rect class="box" width=NODE_W height=NODE_H rx="10"></rect>
                        <text class="icon-text" x="27" y="34" text-anchor="middle">{entry.icon}</text>
                        <text class="name" x="56" y="26">{name.clone()}</text>
                        <text class="kind" x="56" y="44">{entry.label}</text>
                        {move || {
                            let n = pin_count(&pin2);
                            (n > 0).then(|| view! { <CommentPin count=n x=4.0 y=-8.0 /> })
                        }}
                    </g>
                }
            }).collect_view()}
        </svg>
    }
    .into_any()
}

/// Requests, decisions (void ones marked), the gate, and the reviewer's buttons.
#[component]
fn Decisions(
    me: Me,
    state: ReviewState,
    members: Vec<Member>,
    refresh: RwSignal<u32>,
) -> impl IntoView {
    let draft_id = state.draft_id;
    let latest = state.latest_version;
    let error = RwSignal::new(None::<String>);
    let comment = RwSignal::new(String::new());
    let picked = RwSignal::new(BTreeSet::<Uuid>::new());
    let decide = move |decision: Decision| {
        error.set(None);
        spawn_local(async move {
            let c = comment.get_untracked();
            let input = NewDecision {
                version: latest,
                decision,
                comment: (!c.trim().is_empty()).then_some(c),
            };
            match api::decide(draft_id, input).await {
                Ok(_) => {
                    comment.set(String::new());
                    refresh.update(|n| *n += 1);
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    let request = move |_| {
        error.set(None);
        spawn_local(async move {
            let input = NewReviewRequest {
                version: latest,
                reviewers: picked.get_untracked().into_iter().collect(),
                note: None,
            };
            match api::request_review(draft_id, input).await {
                Ok(_) => {
                    picked.set(BTreeSet::new());
                    refresh.update(|n| *n += 1);
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    // The latest version's author cannot approve it; the server refuses it too.
    let author = state.gate.author_id;
    let can_decide = me.role >= Role::Approver && author != Some(me.user_id);
    let candidates: Vec<Member> = members
        .into_iter()
        .filter(|m| {
            m.role >= Role::Approver && m.user_id != me.user_id && Some(m.user_id) != author
        })
        .collect();
    let current: Vec<_> = state
        .requests
        .iter()
        .filter(|r| r.version == latest)
        .cloned()
        .collect();
    view! {
        <section class="decisions" aria-labelledby="decisions-h">
            <h2 id="decisions-h">{format!("Review of version {latest}")}</h2>
            <GateView gate=state.gate.clone() draft_id=draft_id />
            {current.into_iter().map(|r| view! {
                <p class="request" data-testid="review-request">
                    {format!("{} asked for a review: ", r.requested_by)}
                    {r.reviewers.iter().map(|x| format!("{}{}", x.name, match x.decision {
                        Some(Decision::Approve) => " (approved)",
                        Some(Decision::RequestChanges) => " (changes requested)",
                        None => " (waiting)",
                    })).collect::<Vec<_>>().join(", ")}
                </p>
            }).collect_view()}
            {(me.role >= Role::Editor && !candidates.is_empty()).then(|| view! {
                <fieldset class="request-review">
                    <legend>"Request a review of the latest version"</legend>
                    {candidates.into_iter().map(|m| {
                        let id = m.user_id;
                        view! {
                            <label class="check">
                                <input type="checkbox" on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    picked.update(|p| { if on { p.insert(id); } else { p.remove(&id); } });
                                } />
                                {format!("{} ({})", m.display_name, m.role.as_str())}
                            </label>
                        }
                    }).collect_view()}
                    <button class="button" on:click=request disabled=move || picked.with(BTreeSet::is_empty)>"Request review"</button>
                </fieldset>
            })}
            {can_decide.then(|| view! {
                <div class="decide">
                    <label for="decision-comment">"Comment (required to request changes)"</label>
                    <textarea id="decision-comment" rows="2" maxlength="4000"
                        prop:value=move || comment.get() on:input=move |ev| comment.set(event_target_value(&ev))></textarea>
                    <button class="button primary" on:click=move |_| decide(Decision::Approve)>{format!("Approve version {latest}")}</button>
                    <button class="button" on:click=move |_| decide(Decision::RequestChanges)>"Request changes"</button>
                </div>
            })}
            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            <h3>"Decisions"</h3>
            {state.decisions.is_empty().then(|| view! { <p class="empty">"No decisions yet."</p> })}
            <ul class="decision-list">
                {state.decisions.iter().map(|d| view! {
                    <li class:void=d.void.is_some() data-testid="decision">
                        <strong>{d.reviewer.clone()}</strong>
                        {match d.decision { Decision::Approve => " approved ", Decision::RequestChanges => " requested changes on " }}
                        {format!("version {} · {}", d.version, display_utc(d.created_at))}
                        {d.comment.clone().map(|c| view! { <div class="comment-body">{c}</div> })}
                        {d.void.clone().map(|v| view! { <div class="void-reason" data-testid="void">{v}</div> })}
                    </li>
                }).collect_view()}
            </ul>
        </section>
    }
}

/// Every thread of the draft, a form for a new one on the selected element, replies and
/// resolve/reopen.
#[component]
fn Threads(
    draft_id: Uuid,
    threads: RwSignal<Vec<Thread>>,
    selected: RwSignal<Option<Pin>>,
    version_for: impl Fn(&Pin) -> u32 + Clone + Send + Sync + 'static,
    graphs: (Option<Graph>, Option<Graph>),
    reload: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let body = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let graphs = StoredValue::new(graphs);
    let target_label = move || {
        let pin = selected.get().unwrap_or(Pin::Graph);
        graphs.with_value(|g| label(g, &pin))
    };
    let start = {
        let version_for = version_for.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let pin = selected.get_untracked().unwrap_or(Pin::Graph);
            let version = version_for(&pin);
            let text = body.get_untracked();
            error.set(None);
            spawn_local(async move {
                match api::create_thread(
                    draft_id,
                    NewThread {
                        version,
                        pin,
                        body: text,
                    },
                )
                .await
                {
                    Ok(_) => {
                        body.set(String::new());
                        reload();
                    }
                    Err(e) => error.set(Some(e.to_string())),
                }
            });
        }
    };
    view! {
        <section class="threads" aria-labelledby="threads-h">
            <h2 id="threads-h">"Comments"</h2>
            <form class="new-thread" on:submit=start>
                <label for="new-comment">{move || format!("Comment on {}", target_label())}</label>
                <textarea id="new-comment" rows="3" maxlength="4000" required
                    prop:value=move || body.get() on:input=move |ev| body.set(event_target_value(&ev))></textarea>
                <div class="row">
                    <button class="button primary" type="submit">"Comment"</button>
                    {move || selected.get().map(|_| view! {
                        <button class="button small" type="button" on:click=move |_| selected.set(None)>"Comment on the whole draft instead"</button>
                    })}
                </div>
                {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            </form>
            <p class="hint">"Click an element on the canvas or in the change list to comment on it."</p>
            {move || {
                let list = threads.get();
                if list.is_empty() {
                    return view! { <p class="empty">"No comments yet."</p> }.into_any();
                }
                list.into_iter().map(|t| view! { <ThreadView thread=t threads=threads selected=selected /> }).collect_view().into_any()
            }}
        </section>
    }
}

#[component]
fn ThreadView(
    thread: Thread,
    threads: RwSignal<Vec<Thread>>,
    selected: RwSignal<Option<Pin>>,
) -> impl IntoView {
    let reply = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let id = thread.id;
    let replace = move |t: Thread| {
        threads.update(|ts| {
            if let Some(x) = ts.iter_mut().find(|x| x.id == t.id) {
                *x = t;
            }
        })
    };
    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = reply.get_untracked();
        spawn_local(async move {
            match api::reply(id, api::NewComment { body: text }).await {
                Ok(t) => {
                    reply.set(String::new());
                    replace(t);
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    let resolved = thread.resolved;
    let toggle = move |_| {
        spawn_local(async move {
            match api::set_resolved(id, !resolved).await {
                Ok(t) => replace(t),
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    let pin = thread.pin.clone();
    let pin_sel = pin.clone();
    let is_sel = move || selected.with(|s| s.as_ref() == Some(&pin_sel));
    let where_ = match &thread.pin {
        Pin::Graph => "the draft".to_owned(),
        _ => thread.label.clone(),
    };
    let input_id = format!("reply-{id}");
    view! {
        <article class="thread" class:resolved=resolved class:selected=is_sel data-testid="thread" data-thread-id=id.to_string()>
            <header>
                <button class="link" on:click=move |_| selected.set(Some(pin.clone()))>{where_}</button>
                <span class="hint">{format!(" · version {}", thread.version)}</span>
                {resolved.then(|| view! { <span class="tag">{format!("resolved{}", thread.resolved_by.as_ref().map_or(String::new(), |b| format!(" by {b}")))}</span> })}
            </header>
            <ol class="comments">
                {thread.comments.iter().map(|c| view! {
                    <li data-testid="comment">
                        <strong>{c.author.clone()}</strong>" "<span class="hint">{display_utc(c.created_at)}</span>
                        <div class="comment-body">{c.body.clone()}</div>
                    </li>
                }).collect_view()}
            </ol>
            <form class="reply" on:submit=send>
                <label class="visually-hidden" for=input_id.clone()>"Reply"</label>
                <input id=input_id type="text" placeholder="Reply…" maxlength="4000" required
                    prop:value=move || reply.get() on:input=move |ev| reply.set(event_target_value(&ev)) />
                <button class="button small" type="submit">"Reply"</button>
                <button class="button small" type="button" on:click=toggle>{if resolved { "Reopen" } else { "Resolve" }}</button>
            </form>
            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
        </article>
    }
}

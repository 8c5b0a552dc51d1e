//! The SVG canvas: nodes, edges and handles; pan, zoom, marquee, multi-move and
//! connecting by drag. Pointer events become `wiring::Change`s dispatched on the editor.

use super::editor::{Editor, GRID, NODE_H, NODE_W, View, edge_curve, element_label};
use leptos::{ev, prelude::*};
use std::collections::{BTreeSet, HashMap};
use wasm_bindgen::JsCast;
use wiring::{
    Change, Element, Severity,
    catalog::{self, Family},
    connect::{self, ConnectOption},
    ids::{EdgeId, NodeId},
    model::{Edge, EdgeKind, EdgeType, Node, NodeKind, Point},
};

/// Below this zoom, nodes and edges are drawn without text, handles or badges.
const DETAIL_ZOOM: f64 = 0.4;

/// What a pointer drag is doing.
#[derive(Debug, Clone)]
enum Drag {
    Idle,
    Pan {
        sx: f64,
        sy: f64,
        view: View,
    },
    Move {
        ids: Vec<NodeId>,
        last: Point,
        moved: bool,
    },
    Marquee {
        sx: f64,
        sy: f64,
    },
    Connect {
        from: NodeId,
        handle: Handle,
    },
    /// Two fingers on a touch screen: zoom by their spread around their midpoint, and pan
    /// as the midpoint moves.
    Pinch {
        spread: f64,
        mid: (f64, f64),
        view: View,
    },
}

/// Where two touch points are apart and their midpoint.
fn spread_and_mid(a: (f64, f64), b: (f64, f64)) -> (f64, f64, f64) {
    (
        ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt().max(1.0),
        (a.0 + b.0) / 2.0,
        (a.1 + b.1) / 2.0,
    )
}

/// The handle a connection starts from decides (or narrows) the edge kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handle {
    /// Any kind that fits.
    Out,
    /// A function's OnSuccess.
    Success,
    /// A function's OnFailure (async or a stream mapping's).
    Failure,
}

impl Handle {
    /// The handle an edge of this type leaves its source from.
    pub(super) fn of(t: EdgeType) -> Handle {
        match t {
            EdgeType::OnSuccess => Handle::Success,
            EdgeType::OnFailure | EdgeType::MappingOnFailure => Handle::Failure,
            _ => Handle::Out,
        }
    }

    fn parse(s: &str) -> Option<Handle> {
        match s {
            "out" => Some(Handle::Out),
            "success" => Some(Handle::Success),
            "failure" => Some(Handle::Failure),
            _ => None,
        }
    }
}

/// The kinds a connection from `from`'s `handle` to `to` could take, allowed ones first.
pub fn candidates(
    g: &wiring::Graph,
    from: &NodeId,
    to: &NodeId,
    handle: Handle,
) -> Vec<ConnectOption> {
    connect::options(g, from, to)
        .into_iter()
        .filter(|o| match handle {
            Handle::Out => true,
            Handle::Success => o.kind.edge_type() == EdgeType::OnSuccess,
            Handle::Failure => matches!(
                o.kind.edge_type(),
                EdgeType::OnFailure | EdgeType::MappingOnFailure
            ),
        })
        .collect()
}

/// Adds the edge for `option`, announcing it like every other edit.
pub fn connect_with(editor: &Editor, from: &NodeId, to: &NodeId, option: &ConnectOption) -> bool {
    let id = editor.fresh_edge(&format!("{}-{}", from, edge_slug(option.kind.edge_type())));
    let edge = Edge {
        from: from.clone(),
        to: to.clone(),
        kind: option.kind.clone(),
    };
    let ok = editor.dispatch(Change::AddEdge {
        id: id.clone(),
        edge,
    });
    if ok {
        editor.select_only(Element::Edge(id));
    }
    ok
}

fn edge_slug(t: EdgeType) -> &'static str {
    match t {
        EdgeType::Trigger => "trigger",
        EdgeType::OnSuccess => "on-success",
        EdgeType::OnFailure => "on-failure",
        EdgeType::MappingOnFailure => "mapping-on-failure",
        EdgeType::DeadLetter => "dlq",
        EdgeType::Redrive => "redrive",
        EdgeType::Invoke => "invoke",
        EdgeType::Writes => "writes",
    }
}

fn event_element(ev: &web_sys::Event) -> Option<web_sys::Element> {
    ev.target()?.dyn_into::<web_sys::Element>().ok()
}

fn closest_attr(el: &web_sys::Element, attr: &str) -> Option<(web_sys::Element, String)> {
    let found = el.closest(&format!("[{attr}]")).ok()??;
    let v = found.get_attribute(attr)?;
    Some((found, v))
}

/// The node under a screen point, found through the DOM (pointer capture hides the target).
fn node_at(x: f64, y: f64) -> Option<NodeId> {
    let doc = web_sys::window()?.document()?;
    let el = doc.element_from_point(x as f32, y as f32)?;
    let (_, id) = closest_attr(&el, "data-node")?;
    NodeId::parse(&id).ok()
}

/// Per-element finding counts, for badges.
pub fn badge_counts(editor: Editor) -> Memo<HashMap<Element, (u32, u32)>> {
    Memo::new(move |_| {
        let mut m: HashMap<Element, (u32, u32)> = HashMap::new();
        editor.findings.with(|fs| {
            for f in fs {
                let e = m.entry(f.at.clone()).or_default();
                match f.severity {
                    Severity::Error => e.0 += 1,
                    Severity::Warning => e.1 += 1,
                    Severity::Info => {}
                }
            }
        });
        m
    })
}

/// The canvas.
#[component]
pub fn Canvas(editor: Editor) -> impl IntoView {
    let svg_ref = NodeRef::<leptos::svg::Svg>::new();
    let wrap_ref = NodeRef::<leptos::html::Div>::new();
    let drag = StoredValue::new(Drag::Idle);
    // Touch points on the canvas now, by pointer id: two of them make a pinch.
    let touches = StoredValue::new(Vec::<(i32, (f64, f64))>::new());
    let pointer = RwSignal::new(Point::default());
    let marquee = RwSignal::new(None::<(f64, f64, f64, f64)>);
    let hint = RwSignal::new(None::<(f64, f64, String, bool)>);
    let menu = RwSignal::new(None::<(f64, f64, NodeId, NodeId, Vec<ConnectOption>)>);
    let space = RwSignal::new(false);
    let badges = badge_counts(editor);
    // Level of detail: zoomed far out, labels are unreadable anyway, and drawing them for
    // thousands of nodes makes every pan frame repaint tens of thousands of SVG elements.
    let detail = Memo::new(move |_| editor.view.with(|v| v.k >= DETAIL_ZOOM));

    let node_ids = Memo::new(move |_| {
        editor
            .graph
            .with(|g| g.nodes.keys().cloned().collect::<Vec<_>>())
    });
    let edge_ids = Memo::new(move |_| {
        editor
            .graph
            .with(|g| g.edges.keys().cloned().collect::<Vec<_>>())
    });

    // Viewport culling at full detail: Chromium re-records the paint of the whole SVG on
    // every frame something in it moves, off-screen nodes included, so only what is on
    // screen (plus half a screen around it) is in the document. Selected nodes always are,
    // so a drag or a keyboard nudge never loses its element. Zoomed out, the low-detail
    // layer draws everything anyway and a node is only a bare focus target.
    // The area kept in the document, in world units, rounded out to half-screen tiles: a
    // pan changes it (and mounts the nodes coming into view) only when it crosses a tile
    // edge, not on every frame.
    let window_rect = Memo::new(move |_| {
        let View { x, y, k } = editor.view.get();
        let (w, h) = editor.canvas_size.get();
        let (tx, ty) = (w / 2.0 / k, h / 2.0 / k);
        let down = |v: f64, t: f64| (v / t).floor() * t;
        let up = |v: f64, t: f64| (v / t).ceil() * t;
        (
            down(-x / k - tx, tx),
            down(-y / k - ty, ty),
            up((w - x) / k + tx, tx),
            up((h - y) / k + ty, ty),
        )
    });
    let visible_nodes = Memo::new(move |_| {
        let ids = node_ids.get();
        if !detail.get() {
            return ids;
        }
        let (x0, y0, x1, y1) = window_rect.get();
        editor.selection.with(|sel| {
            ids.into_iter()
                .filter(|id| {
                    let p = editor.position(id).get();
                    (p.x + NODE_W >= x0 && p.x <= x1 && p.y + NODE_H >= y0 && p.y <= y1)
                        || sel.contains(&Element::Node(id.clone()))
                })
                .collect::<Vec<_>>()
        })
    });
    let visible_edges = Memo::new(move |_| {
        let ids = edge_ids.get();
        if !detail.get() {
            return ids;
        }
        let (x0, y0, x1, y1) = window_rect.get();
        let ends: Vec<(NodeId, NodeId)> = editor.graph.with(|g| {
            ids.iter()
                .filter_map(|id| g.edges.get(id).map(|e| (e.from.clone(), e.to.clone())))
                .collect()
        });
        ids.into_iter()
            .zip(ends)
            .filter(|(_, (from, to))| {
                let (a, b) = (editor.position(from).get(), editor.position(to).get());
                // The box spanned by both nodes: an edge crossing the screen counts too.
                a.x.max(b.x) + NODE_W >= x0
                    && a.x.min(b.x) <= x1
                    && a.y.max(b.y) + NODE_H >= y0
                    && a.y.min(b.y) <= y1
            })
            .map(|(id, _)| id)
            .collect::<Vec<_>>()
    });

    // Canvas size, for centring, fit and the minimap.
    let measure = move || {
        if let Some(w) = wrap_ref.get_untracked() {
            let r = w.get_bounding_client_rect();
            editor
                .canvas_size
                .set((r.width().max(200.0), r.height().max(200.0)));
        }
    };
    // Re-measure whenever the canvas box changes size (layout settling, side panels, window).
    Effect::new(move |_| {
        let Some(wrap) = wrap_ref.get() else { return };
        measure();
        let cb = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(measure);
        if let Ok(observer) = web_sys::ResizeObserver::new(cb.as_ref().unchecked_ref()) {
            observer.observe(&wrap);
            // The observer lives as long as the page; the closure must too.
            cb.forget();
            on_cleanup(move || observer.disconnect());
        }
    });
    let _resize = window_event_listener(ev::resize, move |_| measure());
    let _keydown = window_event_listener(ev::keydown, move |e| {
        // Space pans only while nothing else wants it: on a focused button or field it keeps
        // its own meaning (press, type), and elsewhere the page must not scroll instead.
        if e.key() == " " && !typing(&e) && focus_is_free() {
            e.prevent_default();
            space.set(true);
        }
    });
    let _keyup = window_event_listener(ev::keyup, move |e| {
        if e.key() == " " {
            space.set(false);
        }
    });

    let local = move |ev: &web_sys::MouseEvent| -> (f64, f64) {
        svg_ref
            .get_untracked()
            .map(|s| {
                let r = s.get_bounding_client_rect();
                (
                    ev.client_x() as f64 - r.left(),
                    ev.client_y() as f64 - r.top(),
                )
            })
            .unwrap_or_default()
    };
    let world = move |sx: f64, sy: f64| {
        let v = editor.view.get_untracked();
        Point {
            x: (sx - v.x) / v.k,
            y: (sy - v.y) / v.k,
        }
    };

    let on_down = move |ev: web_sys::PointerEvent| {
        if ev.button() != 0 {
            return;
        }
        menu.set(None);
        let (sx, sy) = local(&ev);
        if ev.pointer_type() == "touch" {
            touches.update_value(|t| {
                t.retain(|(id, _)| *id != ev.pointer_id());
                t.push((ev.pointer_id(), (sx, sy)));
            });
            if let [(_, a), (_, b), ..] = touches.get_value()[..] {
                // The second finger turns whatever the first began into a pinch.
                ev.prevent_default();
                marquee.set(None);
                if let Drag::Move {
                    ids, moved: true, ..
                } = drag.get_value()
                {
                    editor.commit_positions(&ids);
                }
                let (spread, mx, my) = spread_and_mid(a, b);
                drag.set_value(Drag::Pinch {
                    spread,
                    mid: (mx, my),
                    view: editor.view.get_untracked(),
                });
                if let Some(s) = svg_ref.get_untracked() {
                    let _ = s.set_pointer_capture(ev.pointer_id());
                }
                return;
            }
        }
        let target = event_element(&ev);
        let capture = || {
            if let Some(s) = svg_ref.get_untracked() {
                let _ = s.set_pointer_capture(ev.pointer_id());
            }
        };
        if space.get_untracked() {
            drag.set_value(Drag::Pan {
                sx,
                sy,
                view: editor.view.get_untracked(),
            });
            capture();
            return;
        }
        if let Some(t) = &target {
            if let Some((_, h)) = closest_attr(t, "data-handle")
                && let (Some(handle), Some((_, n))) =
                    (Handle::parse(&h), closest_attr(t, "data-node"))
                && let Ok(from) = NodeId::parse(&n)
                && editor.editable()
            {
                ev.prevent_default();
                pointer.set(world(sx, sy));
                drag.set_value(Drag::Connect { from, handle });
                capture();
                return;
            }
            if let Some((_, n)) = closest_attr(t, "data-node")
                && let Ok(id) = NodeId::parse(&n)
            {
                let el = Element::Node(id);
                if ev.shift_key() {
                    editor.selection.update(|s| {
                        if !s.remove(&el) {
                            s.insert(el);
                        }
                    });
                } else if !editor.selection.with_untracked(|s| s.contains(&el)) {
                    editor.select_only(el);
                }
                let ids = editor.selected_nodes();
                if editor.editable() && !ids.is_empty() {
                    drag.set_value(Drag::Move {
                        ids,
                        last: world(sx, sy),
                        moved: false,
                    });
                    capture();
                }
                return;
            }
            if let Some((_, e)) = closest_attr(t, "data-edge")
                && let Ok(id) = EdgeId::parse(&e)
            {
                let el = Element::Edge(id);
                if ev.shift_key() {
                    editor.selection.update(|s| {
                        if !s.remove(&el) {
                            s.insert(el);
                        }
                    });
                } else {
                    editor.select_only(el);
                }
                return;
            }
        }
        if ev.shift_key() {
            drag.set_value(Drag::Marquee { sx, sy });
            marquee.set(Some((sx, sy, sx, sy)));
        } else {
            editor.selection.set(BTreeSet::new());
            drag.set_value(Drag::Pan {
                sx,
                sy,
                view: editor.view.get_untracked(),
            });
        }
        capture();
    };

    let on_move = move |ev: web_sys::PointerEvent| {
        let (sx, sy) = local(&ev);
        if ev.pointer_type() == "touch" {
            touches.update_value(|t| {
                if let Some(p) = t.iter_mut().find(|(id, _)| *id == ev.pointer_id()) {
                    p.1 = (sx, sy);
                }
            });
        }
        match drag.get_value() {
            Drag::Idle => {}
            Drag::Pinch { spread, mid, view } => {
                let [(_, a), (_, b), ..] = touches.get_value()[..] else {
                    return;
                };
                let (now, mx, my) = spread_and_mid(a, b);
                let k = (view.k * now / spread).clamp(0.05, 3.0);
                let f = k / view.k;
                // The world point under the first midpoint stays under the current one.
                editor.touched.set_value(true);
                editor.view.set(View {
                    x: mx - (mid.0 - view.x) * f,
                    y: my - (mid.1 - view.y) * f,
                    k,
                });
            }
            Drag::Pan {
                sx: x0,
                sy: y0,
                view,
            } => {
                editor.touched.set_value(true);
                editor.view.set(View {
                    x: view.x + sx - x0,
                    y: view.y + sy - y0,
                    k: view.k,
                });
            }
            Drag::Move { ids, last, .. } => {
                let p = world(sx, sy);
                editor.nudge_live(&ids, p.x - last.x, p.y - last.y);
                drag.set_value(Drag::Move {
                    ids,
                    last: p,
                    moved: true,
                });
            }
            Drag::Marquee { sx: x0, sy: y0 } => marquee.set(Some((x0, y0, sx, sy))),
            Drag::Connect { from, handle } => {
                pointer.set(world(sx, sy));
                let over =
                    node_at(ev.client_x() as f64, ev.client_y() as f64).filter(|n| *n != from);
                hint.set(over.map(|to| {
                    let opts = editor
                        .graph
                        .with_untracked(|g| candidates(g, &from, &to, handle));
                    match opts.iter().find(|o| o.refused.is_none()) {
                        Some(o) if opts.iter().filter(|o| o.refused.is_none()).count() == 1 => {
                            (sx, sy, o.label.clone(), true)
                        }
                        Some(_) => (sx, sy, "Release to choose the kind".into(), true),
                        None => (
                            sx,
                            sy,
                            opts.first().and_then(|o| o.refused.as_ref()).map_or_else(
                                || "These two cannot be connected".into(),
                                |r| r.reason.clone(),
                            ),
                            false,
                        ),
                    }
                }));
            }
        }
    };

    let on_up = move |ev: web_sys::PointerEvent| {
        let (sx, sy) = local(&ev);
        if ev.pointer_type() == "touch" {
            touches.update_value(|t| t.retain(|(id, _)| *id != ev.pointer_id()));
            if matches!(drag.get_value(), Drag::Pinch { .. }) {
                // Lifting one finger ends the pinch; the other does not start a new gesture.
                drag.set_value(Drag::Idle);
                return;
            }
        }
        match drag.get_value() {
            Drag::Move {
                ids, moved: true, ..
            } => editor.commit_positions(&ids),
            Drag::Marquee { sx: x0, sy: y0 } => {
                let (a, b) = (world(x0.min(sx), y0.min(sy)), world(x0.max(sx), y0.max(sy)));
                let hits: BTreeSet<Element> = editor.graph.with_untracked(|g| {
                    g.layout
                        .iter()
                        .filter(|(_, p)| {
                            p.x + NODE_W >= a.x && p.x <= b.x && p.y + NODE_H >= a.y && p.y <= b.y
                        })
                        .map(|(id, _)| Element::Node(id.clone()))
                        .collect()
                });
                editor.selection.update(|s| s.extend(hits));
                marquee.set(None);
            }
            Drag::Connect { from, handle } => {
                hint.set(None);
                if let Some(to) =
                    node_at(ev.client_x() as f64, ev.client_y() as f64).filter(|n| *n != from)
                {
                    let opts = editor
                        .graph
                        .with_untracked(|g| candidates(g, &from, &to, handle));
                    let allowed: Vec<ConnectOption> = opts
                        .iter()
                        .filter(|o| o.refused.is_none())
                        .cloned()
                        .collect();
                    match allowed.len() {
                        0 => {
                            let reason = opts.first().and_then(|o| o.refused.as_ref()).map_or_else(
                                || "These two cannot be connected.".into(),
                                |r| r.reason.clone(),
                            );
                            editor.announcement.set(format!("Not connected: {reason}"));
                        }
                        1 => {
                            connect_with(&editor, &from, &to, &allowed[0]);
                        }
                        _ => menu.set(Some((sx, sy, from, to, allowed))),
                    }
                }
            }
            _ => {}
        }
        drag.set_value(Drag::Idle);
    };

    let on_wheel = move |ev: web_sys::WheelEvent| {
        ev.prevent_default();
        editor.touched.set_value(true);
        let (sx, sy) = local(&ev);
        let factor = (-ev.delta_y() * 0.0015).exp();
        editor.zoom_at(factor, sx, sy);
    };

    let on_drop = move |ev: web_sys::DragEvent| {
        ev.prevent_default();
        let Some(kind) = ev
            .data_transfer()
            .and_then(|d| d.get_data("application/x-eventloom-kind").ok())
        else {
            return;
        };
        let (sx, sy) = local(&ev);
        let p = world(sx, sy);
        add_node(
            &editor,
            &kind,
            Point {
                x: p.x - NODE_W / 2.0,
                y: p.y - NODE_H / 2.0,
            },
        );
    };

    let transform = move || {
        let v = editor.view.get();
        format!("translate({:.2},{:.2}) scale({:.4})", v.x, v.y, v.k)
    };
    let grid_size = move || GRID * editor.view.get().k;

    view! {
        <div class="canvas-wrap" node_ref=wrap_ref class:panning=move || space.get()>
            <svg
                node_ref=svg_ref
                class="canvas"

                role="application"
                aria-label="Wiring canvas. Tab moves between nodes, Enter selects, arrow keys move the selection, C connects, Delete removes."
                aria-roledescription="diagram"
                on:pointerdown=on_down
                on:pointermove=on_move
                on:pointerup=on_up
                on:pointercancel=on_up
                on:wheel=on_wheel
                on:dragover=move |ev: web_sys::DragEvent| ev.prevent_default()
                on:drop=on_drop
            >
                <defs>
                    <pattern
                        id="grid"
                        patternUnits="userSpaceOnUse"
                        width=grid_size
                        height=grid_size
                        x=move || editor.view.get().x
                        y=move || editor.view.get().y
                    >
                        <circle cx="1" cy="1" r="1" class="grid-dot"></circle>
                    </pattern>
                    {["trigger", "on-success", "on-failure", "dlq", "invoke", "writes"]
                        .into_iter()
                        .map(|k| {
                            view! {
                                <marker
                                    id=format!("arrow-{k}")
                                    viewBox="0 0 10 10"
                                    refX="9"
                                    refY="5"
                                    markerWidth="7"
                                    markerHeight="7"
                                    orient="auto-start-reverse"
                                >
                                    <path d="M 0 0 L 10 5 L 0 10 z" class=format!("arrowhead {k}")></path>
                                </marker>
                            }
                        })
                        .collect_view()}
                </defs>
                <rect class="grid" width="100%" height="100%" fill="url(#grid)"></rect>
                <g class="world" class:lod=move || !detail.get() transform=transform>
                    <Show when=move || !detail.get()>
                        <LowDetail editor=editor />
                    </Show>
                    <g class="edges">
                        <For each=move || visible_edges.get() key=|id| id.clone() let:id>
                            <EdgeView editor=editor id=id badges=badges detail=detail />
                        </For>
                    </g>
                    <g class="nodes">
                        <For each=move || visible_nodes.get() key=|id| id.clone() let:id>
                            <NodeView editor=editor id=id badges=badges detail=detail />
                        </For>
                    </g>
                    <ConnectLine editor=editor drag=drag pointer=pointer />
                </g>
                {move || {
                    marquee
                        .get()
                        .map(|(x0, y0, x1, y1)| {
                            view! {
                                <rect
                                    class="marquee"
                                    x=x0.min(x1)
                                    y=y0.min(y1)
                                    width=(x1 - x0).abs()
                                    height=(y1 - y0).abs()
                                ></rect>
                            }
                        })
                }}
            </svg>
            {move || {
                hint.get()
                    .map(|(x, y, text, ok)| {
                        view! {
                            <div
                                class="connect-hint"
                                class:refused=!ok
                                role="status"
                                style=format!("left:{}px;top:{}px", x + 14.0, y + 14.0)
                            >
                                {text}
                            </div>
                        }
                    })
            }}
            {move || {
                menu.get()
                    .map(|(x, y, from, to, options)| {
                        view! {
                            <div
                                class="kind-menu"
                                role="menu"
                                aria-label="Choose the kind of connection"
                                style=format!("left:{x}px;top:{y}px")
                            >
                                {options
                                    .into_iter()
                                    .map(|o| {
                                        let (from, to) = (from.clone(), to.clone());
                                        let label = o.label.clone();
                                        view! {
                                            <button
                                                role="menuitem"
                                                on:click=move |_| {
                                                    connect_with(&editor, &from, &to, &o);
                                                    menu.set(None);
                                                }
                                            >
                                                {label}
                                            </button>
                                        }
                                    })
                                    .collect_view()}
                                <button role="menuitem" class="cancel" on:click=move |_| menu.set(None)>
                                    "Cancel"
                                </button>
                            </div>
                        }
                    })
            }}
            <div class="zoom-controls" role="toolbar" aria-label="Zoom">
                <button
                    title="Zoom in"
                    aria-label="Zoom in"
                    on:click=move |_| {
                        let (w, h) = editor.canvas_size.get_untracked();
                        editor.zoom_at(1.25, w / 2.0, h / 2.0)
                    }
                >
                    "+"
                </button>
                <button
                    title="Zoom out"
                    aria-label="Zoom out"
                    on:click=move |_| {
                        let (w, h) = editor.canvas_size.get_untracked();
                        editor.zoom_at(0.8, w / 2.0, h / 2.0)
                    }
                >
                    "−"
                </button>
                <button title="Fit view (F)" aria-label="Fit view" on:click=move |_| editor.fit()>
                    "Fit"
                </button>
                <span class="zoom-level" aria-live="off">
                    {move || format!("{:.0}%", editor.view.get().k * 100.0)}
                </span>
            </div>
            <Minimap editor=editor />
        </div>
    }
}

/// Whether a key event happens in a text field (so canvas shortcuts stay out of the way).
pub fn typing(e: &web_sys::KeyboardEvent) -> bool {
    e.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|el| {
            matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                || el.closest("[contenteditable]").ok().flatten().is_some()
        })
}

/// Whether the keyboard focus is on the page itself or on the canvas, not on a control.
fn focus_is_free() -> bool {
    let Some(active) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.active_element())
    else {
        return true;
    };
    active.tag_name() == "BODY" || active.closest("svg.canvas").ok().flatten().is_some()
}

/// Places a new node of kind `key` (the catalog's JSON name) at `at`.
pub fn add_node(editor: &Editor, key: &str, at: Point) {
    let Some(entry) = catalog::entries().iter().find(|e| e.key == key) else {
        return;
    };
    let serial = editor
        .graph
        .with_untracked(|g| g.nodes.values().filter(|n| n.kind() == entry.kind).count() + 1);
    let node = catalog::new_node(entry.kind, serial);
    let id = editor.fresh_node(node.name());
    // Never drop a node exactly on another one: step down until the spot is free.
    let mut spot = Point {
        x: super::editor::snap(at.x),
        y: super::editor::snap(at.y),
    };
    while editor.graph.with_untracked(|g| {
        g.layout
            .values()
            .any(|p| (p.x - spot.x).abs() < NODE_W && (p.y - spot.y).abs() < NODE_H)
    }) {
        spot.y += NODE_H + GRID * 2.0;
    }
    let position = Some(spot);
    if editor.dispatch(Change::AddNode {
        id: id.clone(),
        node,
        position,
    }) {
        editor.select_only(Element::Node(id));
    }
}

#[component]
fn ConnectLine(editor: Editor, drag: StoredValue<Drag>, pointer: RwSignal<Point>) -> impl IntoView {
    move || {
        let p = pointer.get();
        let Drag::Connect { from, handle } = drag.get_value() else {
            return None;
        };
        let start = handle_point(editor.position(&from).get(), handle);
        let class = match handle {
            Handle::Success => "connect-line on-success",
            Handle::Failure => "connect-line on-failure",
            Handle::Out => "connect-line",
        };
        Some(view! { <path class=class d=edge_curve(start, p).0></path> })
    }
}

pub(super) fn handle_point(p: Point, h: Handle) -> Point {
    match h {
        Handle::Out => Point {
            x: p.x + NODE_W,
            y: p.y + NODE_H / 2.0,
        },
        Handle::Success => Point {
            x: p.x + NODE_W,
            y: p.y + 12.0,
        },
        Handle::Failure => Point {
            x: p.x + NODE_W,
            y: p.y + NODE_H - 12.0,
        },
    }
}

fn family_class(node: &Node) -> &'static str {
    match catalog::of(node).family {
        Family::Source => "node source",
        Family::Function => "node function",
        Family::Target => "node target",
    }
}

#[component]
fn NodeView(
    editor: Editor,
    id: NodeId,
    badges: Memo<HashMap<Element, (u32, u32)>>,
    detail: Memo<bool>,
) -> impl IntoView {
    let pos = editor.position(&id);
    let node = {
        let id = id.clone();
        Memo::new(move |_| editor.graph.with(|g| g.nodes.get(&id).cloned()))
    };
    let el = Element::Node(id.clone());
    let selected = {
        let el = el.clone();
        Memo::new(move |_| editor.selection.with(|s| s.contains(&el)))
    };
    let badge = {
        let el = el.clone();
        Memo::new(move |_| badges.with(|b| b.get(&el).copied().unwrap_or_default()))
    };
    let pins = {
        let el = el.clone();
        Memo::new(move |_| {
            editor
                .pins
                .with(|p| p.get(&el).copied().unwrap_or_default())
        })
    };
    let on_focus_key = {
        let el = el.clone();
        move |ev: web_sys::KeyboardEvent| {
            if ev.key() == "Enter" {
                ev.prevent_default();
                if ev.shift_key() {
                    let el = el.clone();
                    editor.selection.update(|s| {
                        if !s.remove(&el) {
                            s.insert(el);
                        }
                    });
                } else {
                    editor.select_only(el.clone());
                }
                let label = editor.graph.with_untracked(|g| element_label(g, &el));
                editor.announcement.set(format!("Selected {label}"));
            }
        }
    };
    let transform = move || {
        let p = pos.get();
        format!("translate({:.1},{:.1})", p.x, p.y)
    };
    let id_attr = id.to_string();
    move || {
        let n = node.get()?;
        let entry = catalog::of(&n);
        if !detail.get() {
            let label = format!("{} {}", entry.label, n.name());
            return Some(
                view! {
                    // Drawn by the low-detail layer; this is only the target for pointer and keyboard.
                    <g class=family_class(&n) class:selected=move || selected.get() class:low=true data-node=id_attr.clone() data-kind=entry.key transform=transform.clone()>
                        <rect class="focus-target" width=NODE_W height=NODE_H rx="10" tabindex="0" role="button" aria-label=label on:keydown=on_focus_key.clone()></rect>
                    </g>
                }
                .into_any(),
            );
        }
        let is_function = n.kind() == NodeKind::Function;
        let label = format!("{} {}", entry.label, n.name());
        let (errors, warnings) = badge.get();
        let aria = {
            let mut s = label.clone();
            if errors > 0 {
                s.push_str(&format!(", {errors} error(s)"));
            }
            if warnings > 0 {
                s.push_str(&format!(", {warnings} warning(s)"));
            }
            s
        };
        let name: String = if n.name().chars().count() > 17 {
            format!("{}…", n.name().chars().take(16).collect::<String>())
        } else {
            n.name().to_owned()
        };
        Some(view! {
            <g
                class=family_class(&n)
                class:selected=move || selected.get()
                data-node=id_attr.clone()
                data-kind=entry.key
                transform=transform.clone()
            >
                <rect class="box" width=NODE_W height=NODE_H rx="10"></rect>
                <rect class="icon" x="8" y="10" width="38" height="38" rx="8"></rect>
                <text class="icon-text" aria-hidden="true" x="27" y="34" text-anchor="middle">
                    {entry.icon}
                </text>
                <text class="name" aria-hidden="true" x="56" y="26">
                    {name}
                </text>
                <text class="kind" aria-hidden="true" x="56" y="44">
                    {entry.label}
                </text>
                // The focusable, labelled button holds no text of its own, so its name is
                // exactly its label; the drawing around it is decoration.
                <rect
                    class="focus-target"
                    width=NODE_W
                    height=NODE_H
                    rx="10"
                    tabindex="0"
                    role="button"
                    aria-label=aria
                    aria-pressed=move || selected.get().to_string()
                    on:keydown=on_focus_key.clone()
                ></rect>
                {move || (pins.get() > 0).then(|| view! { <CommentPin count=pins.get() x=4.0 y=-8.0 /> })}
                {(errors > 0).then(|| view! {
                    <g class="badge error" aria-hidden="true" transform=format!("translate({},-8)", NODE_W - 10.0)>
                        <circle r="10"></circle>
                        <text text-anchor="middle" y="4">{errors.to_string()}</text>
                    </g>
                })}
                {(errors == 0 && warnings > 0).then(|| view! {
                    <g class="badge warning" aria-hidden="true" transform=format!("translate({},-8)", NODE_W - 10.0)>
                        <circle r="10"></circle>
                        <text text-anchor="middle" y="4">{warnings.to_string()}</text>
                    </g>
                })}
                {if is_function {
                    view! {
                        <circle class="handle success" aria-hidden="true" data-handle="success" cx=NODE_W cy="12" r="6">
                            <title>"Drag to an OnSuccess destination"</title>
                        </circle>
                        <circle class="handle out" aria-hidden="true" data-handle="out" cx=NODE_W cy=NODE_H / 2.0 r="6">
                            <title>"Drag to connect (invoke, writes, dead-letter…)"</title>
                        </circle>
                        <circle class="handle failure" aria-hidden="true" data-handle="failure" cx=NODE_W cy=NODE_H - 12.0 r="6">
                            <title>"Drag to an OnFailure destination"</title>
                        </circle>
                    }
                        .into_any()
                } else {
                    view! {
                        <circle class="handle out" aria-hidden="true" data-handle="out" cx=NODE_W cy=NODE_H / 2.0 r="6">
                            <title>"Drag to a function to add a trigger"</title>
                        </circle>
                    }
                        .into_any()
                }}
            </g>
        }.into_any())
    }
}

pub(super) fn edge_class(kind: &EdgeKind) -> &'static str {
    match kind.edge_type() {
        EdgeType::Trigger => "trigger",
        EdgeType::OnSuccess => "on-success",
        EdgeType::OnFailure | EdgeType::MappingOnFailure => "on-failure",
        EdgeType::DeadLetter | EdgeType::Redrive => "dlq",
        EdgeType::Invoke => "invoke",
        EdgeType::Writes => "writes",
    }
}

#[component]
fn EdgeView(
    editor: Editor,
    id: EdgeId,
    badges: Memo<HashMap<Element, (u32, u32)>>,
    detail: Memo<bool>,
) -> impl IntoView {
    let edge = {
        let id = id.clone();
        Memo::new(move |_| editor.graph.with(|g| g.edges.get(&id).cloned()))
    };
    let el = Element::Edge(id.clone());
    let selected = {
        let el = el.clone();
        Memo::new(move |_| editor.selection.with(|s| s.contains(&el)))
    };
    let badge = {
        let el = el.clone();
        Memo::new(move |_| badges.with(|b| b.get(&el).copied().unwrap_or_default()))
    };
    let pins = {
        let el = el.clone();
        Memo::new(move |_| {
            editor
                .pins
                .with(|p| p.get(&el).copied().unwrap_or_default())
        })
    };
    // Edges take the keyboard like nodes: Tab reaches them, Enter selects (Shift adds), and
    // the canvas's keys then act on the selection (Delete, the inspector, …).
    let on_focus_key = {
        let el = el.clone();
        move |ev: web_sys::KeyboardEvent| {
            if ev.key() == "Enter" {
                ev.prevent_default();
                if ev.shift_key() {
                    let el = el.clone();
                    editor.selection.update(|s| {
                        if !s.remove(&el) {
                            s.insert(el);
                        }
                    });
                } else {
                    editor.select_only(el.clone());
                }
                let label = editor.graph.with_untracked(|g| element_label(g, &el));
                editor.announcement.set(format!("Selected {label}"));
            }
        }
    };
    let id_attr = id.to_string();
    move || {
        let e = edge.get()?;
        let (from, to) = (editor.position(&e.from), editor.position(&e.to));
        let low = !detail.get();
        if low {
            // The low-detail layer draws every edge as part of one path per kind.
            return None;
        }
        let handle = Handle::of(e.kind.edge_type());
        let ends = Memo::new(move |_| (handle_point(from.get(), handle), to.get()));
        let shape = Memo::new(move |_| {
            let (a, t) = ends.get();
            edge_curve(
                a,
                Point {
                    x: t.x - 2.0,
                    y: t.y + NODE_H / 2.0,
                },
            )
        });
        let d = move || shape.with(|(d, _)| d.clone());
        let mid = move || shape.with(|(_, m)| (m.x, m.y));
        let class = edge_class(&e.kind);
        let label = editor.graph.with_untracked(|g| element_label(g, &el));
        let (errors, warnings) = badge.get();
        Some(view! {
            <g class=format!("edge {class}") class:selected=move || selected.get() data-edge=id_attr.clone()>
                <title>{label.clone()}</title>
                <path class="hit" d=d tabindex="0" role="button" aria-label=label.clone()
                    aria-pressed=move || selected.get().to_string() on:keydown=on_focus_key.clone()></path>
                <path class="line" d=d marker-end=format!("url(#arrow-{class})")></path>
                {(!low).then(|| view! {
                    <text class="edge-label" aria-hidden="true" x=move || mid().0 y=move || mid().1 - 6.0 text-anchor="middle">
                        {e.kind.edge_type().label()}
                    </text>
                })}
                {(!low && errors + warnings > 0).then(|| view! {
                    <g
                        aria-hidden="true"
                        class={if errors > 0 { "badge error" } else { "badge warning" }}
                        transform=move || format!("translate({:.1},{:.1})", mid().0, mid().1 + 8.0)
                    >
                        <circle r="9"></circle>
                        <text text-anchor="middle" y="4">{(errors + warnings).to_string()}</text>
                    </g>
                })}
                {move || (pins.get() > 0).then(|| view! { <CommentPin count=pins.get() x=mid().0 + 14.0 y=mid().1 - 22.0 /> })}
            </g>
        })
    }
}

/// A comment pin: open threads on the element, drawn with it so it follows every move.
#[component]
pub fn CommentPin(count: u32, x: f64, y: f64) -> impl IntoView {
    view! {
        <g class="comment-pin" data-testid="comment-pin" transform=format!("translate({x:.1},{y:.1})")>
            <title>{format!("{count} open comment thread(s)")}</title>
            <path d="M0 0 h22 a4 4 0 0 1 4 4 v12 a4 4 0 0 1 -4 4 h-14 l-6 6 v-6 h-2 a4 4 0 0 1 -4 -4 v-12 a4 4 0 0 1 4 -4 z"></path>
            <text x="11" y="14" text-anchor="middle">{count.to_string()}</text>
        </g>
    }
}

/// Zoomed far out: every node box in three paths (one per family) and every edge in one
/// path per kind, instead of thousands of SVG elements, so pans and drags stay cheap.
#[component]
fn LowDetail(editor: Editor) -> impl IntoView {
    let ids = Memo::new(move |_| {
        editor.graph.with(|g| {
            let nodes: Vec<(NodeId, Family)> = g
                .nodes
                .iter()
                .map(|(id, n)| (id.clone(), catalog::of(n).family))
                .collect();
            let edges: Vec<(NodeId, NodeId, &'static str, Handle)> = g
                .edges
                .values()
                .map(|e| {
                    let h = Handle::of(e.kind.edge_type());
                    (e.from.clone(), e.to.clone(), edge_class(&e.kind), h)
                })
                .collect();
            (nodes, edges)
        })
    });
    // Two layers: the selection (which a drag moves) and everything else. A drag re-reads
    // only the selected nodes' positions, so the large still layer is not rebuilt, and
    // Chromium re-records the paint of a few shapes instead of every node in the graph.
    let paths = move |moving: bool| {
        let (nodes, edges) = ids.get();
        editor.selection.with(|sel| {
            let picked = |id: &NodeId| sel.contains(&Element::Node(id.clone()));
            let mut boxes: [String; 3] = Default::default();
            for (id, family) in nodes.iter().filter(|(id, _)| picked(id) == moving) {
                let p = editor.position(id).get();
                let i = match family {
                    Family::Source => 0,
                    Family::Function => 1,
                    Family::Target => 2,
                };
                boxes[i].push_str(&format!(
                    "M{:.0},{:.0}h{NODE_W}v{NODE_H}h-{NODE_W}z",
                    p.x, p.y
                ));
            }
            let mut lines: Vec<(&'static str, String)> = Vec::new();
            for (from, to, class, h) in edges
                .iter()
                .filter(|(from, to, ..)| (picked(from) || picked(to)) == moving)
            {
                let (a, t) = (
                    handle_point(editor.position(from).get(), *h),
                    editor.position(to).get(),
                );
                let d = format!(
                    "M{:.0},{:.0}L{:.0},{:.0}",
                    a.x,
                    a.y,
                    t.x,
                    t.y + NODE_H / 2.0
                );
                match lines.iter_mut().find(|(c, _)| c == class) {
                    Some((_, acc)) => acc.push_str(&d),
                    None => lines.push((class, d)),
                }
            }
            (boxes, lines)
        })
    };
    let layer = move |moving: bool| {
        move || {
            let ([sources, functions, targets], lines) = paths(moving);
            view! {
                <g>
                    {lines.into_iter().map(|(class, d)| view! { <path class=format!("low-edge {class}") d=d></path> }).collect_view()}
                    <path class="low-node source" d=sources></path>
                    <path class="low-node function" d=functions></path>
                    <path class="low-node target" d=targets></path>
                </g>
            }
        }
    };
    view! {
        <g class="low-detail" aria-hidden="true">
            {layer(false)}
            {layer(true)}
        </g>
    }
}

/// A small overview of the whole graph with the visible area; click to go there.
#[component]
fn Minimap(editor: Editor) -> impl IntoView {
    const W: f64 = 180.0;
    const H: f64 = 120.0;
    // Reads the committed layout, not live positions, so drags cost nothing here.
    let bounds = Memo::new(move |_| {
        editor.graph.with(|g| {
            let (mut x0, mut y0, mut x1, mut y1) = (0.0f64, 0.0f64, 1.0f64, 1.0f64);
            for (i, p) in g.layout.values().enumerate() {
                if i == 0 {
                    (x0, y0, x1, y1) = (p.x, p.y, p.x + NODE_W, p.y + NODE_H);
                }
                x0 = x0.min(p.x);
                y0 = y0.min(p.y);
                x1 = x1.max(p.x + NODE_W);
                y1 = y1.max(p.y + NODE_H);
            }
            (x0 - 40.0, y0 - 40.0, x1 + 40.0, y1 + 40.0)
        })
    });
    let scale = move || {
        let (x0, y0, x1, y1) = bounds.get();
        ((W / (x1 - x0)).min(H / (y1 - y0)), x0, y0)
    };
    let rects = move || {
        let (s, x0, y0) = scale();
        editor.graph.with(|g| {
            let mut d = String::new();
            for p in g.layout.values() {
                d.push_str(&format!(
                    "M{:.1},{:.1}h{:.1}v{:.1}h{:.1}z",
                    (p.x - x0) * s,
                    (p.y - y0) * s,
                    NODE_W * s,
                    NODE_H * s,
                    -NODE_W * s
                ));
            }
            d
        })
    };
    let viewport = move || {
        let (s, x0, y0) = scale();
        let v = editor.view.get();
        let (w, h) = editor.canvas_size.get();
        (
            (-v.x / v.k - x0) * s,
            (-v.y / v.k - y0) * s,
            w / v.k * s,
            h / v.k * s,
        )
    };
    let on_click = move |ev: web_sys::MouseEvent| {
        let (s, x0, y0) = scale();
        let (mx, my) = (ev.offset_x() as f64, ev.offset_y() as f64);
        editor.pan_to(Point {
            x: mx / s + x0,
            y: my / s + y0,
        });
    };
    view! {
        <svg class="minimap" width=W height=H role="img" aria-label="Overview of the whole graph" on:click=on_click>
            <path class="minimap-nodes" d=rects></path>
            <rect
                class="minimap-view"
                x=move || viewport().0
                y=move || viewport().1
                width=move || viewport().2.max(2.0)
                height=move || viewport().3.max(2.0)
            ></rect>
        </svg>
    }
}

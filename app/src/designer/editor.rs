//! The editor's state and its one reducer: every edit is a `wiring::Change` applied by
//! [`Editor::dispatch`], which records the inverse for undo, announces the edit, and
//! schedules the autosave. The canvas, inspector, palette and keyboard only produce changes.

use leptos::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use uuid::Uuid;
use wiring::{
    Change, Element, Finding, Graph,
    ids::{EdgeId, NodeId},
    model::Point,
};

/// Width and height of a node box on the canvas.
pub const NODE_W: f64 = 184.0;
/// Height of a node box.
pub const NODE_H: f64 = 58.0;
/// Grid the canvas snaps to.
pub const GRID: f64 = 20.0;

/// An edge's curve from `a` (a handle on its source's right side) to `b` (its target's left
/// side), as SVG path data, and the curve's midpoint, where its label goes. The canvas, the
/// review diff and the SVG export all draw edges with it.
pub fn edge_curve(a: Point, b: Point) -> (String, Point) {
    let (c1, c2) = if b.x - a.x >= 40.0 {
        let dx = ((b.x - a.x) / 2.0).max(40.0);
        ((a.x + dx, a.y), (b.x - dx, b.y))
    } else {
        // A target left of its source: with the forward rule's reach (half the distance) the
        // curve would swing that far past both nodes, off the screen for a long edge. A short
        // reach, bowed below both ends, draws a tight loop beside the nodes instead.
        let dx = ((a.x - b.x) / 4.0).clamp(60.0, 160.0);
        let bow = NODE_H + 30.0;
        ((a.x + dx, a.y + bow), (b.x - dx, b.y + bow))
    };
    let d = format!(
        "M{:.1},{:.1} C{:.1},{:.1} {:.1},{:.1} {:.1},{:.1}",
        a.x, a.y, c1.0, c1.1, c2.0, c2.1, b.x, b.y
    );
    // The point at t = 1/2 of the cubic.
    let mid = Point {
        x: (a.x + 3.0 * c1.0 + 3.0 * c2.0 + b.x) / 8.0,
        y: (a.y + 3.0 * c1.1 + 3.0 * c2.1 + b.y) / 8.0,
    };
    (d, mid)
}

/// Where the canvas looks: a translation and a zoom factor.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct View {
    /// Screen x of world 0.
    pub x: f64,
    /// Screen y of world 0.
    pub y: f64,
    /// Zoom.
    pub k: f64,
}

impl Default for View {
    fn default() -> Self {
        Self {
            x: 0.0,
            y: 0.0,
            k: 1.0,
        }
    }
}

/// Autosave's state, as the status bar shows it.
#[derive(Debug, Clone, PartialEq)]
pub enum SaveStatus {
    /// Everything is saved.
    Saved,
    /// Edits wait for the autosave.
    Unsaved,
    /// A save is in flight.
    Saving,
    /// The server could not be reached; retrying.
    Offline,
    /// Someone saved in between; the dialog offers the way out.
    Conflict,
    /// The server refused the save (e.g. the role cannot save).
    Refused(String),
    /// Read-only (a past version, or the benchmark page).
    ReadOnly,
}

/// What the editor is bound to.
#[derive(Debug, Clone, PartialEq)]
pub struct Binding {
    /// The draft, when editing one (none on the benchmark page).
    pub draft: Option<Uuid>,
    /// Whether edits are allowed.
    pub editable: bool,
}

/// A save conflict: the version saved in between, and the content we started from.
#[derive(Debug, Clone)]
pub struct ConflictState {
    /// The server's latest version.
    pub theirs: app_types::DraftVersion,
    /// Their graph.
    pub theirs_graph: Graph,
}

mod app_types {
    pub use crate::api::DraftVersion;
}

/// All of the designer's state. Cheap to copy: every field is an arena handle.
#[derive(Clone, Copy)]
pub struct Editor {
    /// The graph being edited.
    pub graph: RwSignal<Graph>,
    /// Live node positions; during a drag only these move, and the graph's layout
    /// changes once, when the drag ends.
    positions: StoredValue<HashMap<NodeId, ArcRwSignal<Point>>>,
    /// Selected nodes and edges.
    pub selection: RwSignal<BTreeSet<Element>>,
    /// Pan and zoom.
    pub view: RwSignal<View>,
    /// The validator's findings for the current graph.
    pub findings: Memo<Vec<Finding>>,
    undo: StoredValue<Vec<Change>>,
    redo: StoredValue<Vec<Change>>,
    /// Whether undo/redo have something to do (for buttons).
    pub history: RwSignal<(usize, usize)>,
    /// The last action, for the `aria-live` region.
    pub announcement: RwSignal<String>,
    /// Autosave status.
    pub status: RwSignal<SaveStatus>,
    /// The version the current edits start from.
    pub base_version: RwSignal<Option<Uuid>>,
    /// The content of that version (for three-way merges).
    pub base_graph: StoredValue<Graph>,
    /// Bumped on every edit, so a pending autosave knows whether it is still the latest.
    pub edit_seq: RwSignal<u64>,
    /// Set when a save answers 409.
    pub conflict: RwSignal<Option<ConflictState>>,
    /// Where the editor saves, and whether it may.
    pub binding: StoredValue<Binding>,
    /// The field the inspector should focus next (from the Problems panel).
    pub focus_field: RwSignal<Option<String>>,
    /// Canvas size in pixels (for centring and fit).
    pub canvas_size: RwSignal<(f64, f64)>,
    /// Whether the user has panned or zoomed (then resizes stop re-fitting the view).
    pub touched: StoredValue<bool>,
    /// Open comment threads per element; pins are drawn on the element, so they move with it.
    pub pins: RwSignal<BTreeMap<Element, u32>>,
}

impl Editor {
    /// An editor over `graph`.
    pub fn new(graph: Graph, binding: Binding, base_version: Option<Uuid>) -> Self {
        let editable = binding.editable;
        let base_graph = graph.clone();
        let graph = RwSignal::new(graph);
        let findings = Memo::new(move |_| graph.with(wiring::validate));
        let editor = Self {
            graph,
            positions: StoredValue::new(HashMap::new()),
            selection: RwSignal::new(BTreeSet::new()),
            view: RwSignal::new(View::default()),
            findings,
            undo: StoredValue::new(Vec::new()),
            redo: StoredValue::new(Vec::new()),
            history: RwSignal::new((0, 0)),
            announcement: RwSignal::new(String::new()),
            status: RwSignal::new(if editable {
                SaveStatus::Saved
            } else {
                SaveStatus::ReadOnly
            }),
            base_version: RwSignal::new(base_version),
            base_graph: StoredValue::new(base_graph),
            edit_seq: RwSignal::new(0),
            conflict: RwSignal::new(None),
            binding: StoredValue::new(binding),
            focus_field: RwSignal::new(None),
            canvas_size: RwSignal::new((1000.0, 700.0)),
            touched: StoredValue::new(false),
            pins: RwSignal::new(BTreeMap::new()),
        };
        editor.ensure_layout();
        editor
    }

    /// Whether edits are allowed.
    pub fn editable(&self) -> bool {
        self.binding.with_value(|b| b.editable)
    }

    /// Gives every node without a position one, in a grid, as a normal (undoable) move.
    fn ensure_layout(&self) {
        let missing: Vec<NodeId> = self.graph.with_untracked(|g| {
            g.nodes
                .keys()
                .filter(|id| !g.layout.contains_key(*id))
                .cloned()
                .collect()
        });
        if missing.is_empty() {
            self.sync_positions();
            return;
        }
        let placed = self.graph.with_untracked(wiring::layout::layered);
        let positions: BTreeMap<NodeId, Option<Point>> = missing
            .into_iter()
            .map(|id| (id.clone(), placed.get(&id).copied()))
            .collect();
        self.graph.update(|g| {
            let _ = wiring::apply(g, &Change::MoveNodes { positions });
        });
        self.sync_positions();
    }

    /// The live position signal of a node (created on first use). Reference-counted rather
    /// than owned by whichever view asked first, so it outlives that view's re-renders.
    pub fn position(&self, id: &NodeId) -> ArcRwSignal<Point> {
        if let Some(p) = self.positions.with_value(|m| m.get(id).cloned()) {
            return p;
        }
        let at = self
            .graph
            .with_untracked(|g| g.layout.get(id).copied())
            .unwrap_or_default();
        let signal = ArcRwSignal::new(at);
        self.positions.update_value(|m| {
            m.insert(id.clone(), signal.clone());
        });
        signal
    }

    /// Brings the live positions in line with the graph's layout (after undo, layout, paste…).
    fn sync_positions(&self) {
        let layout = self.graph.with_untracked(|g| g.layout.clone());
        self.positions.update_value(|m| {
            m.retain(|id, _| layout.contains_key(id));
        });
        for (id, p) in layout {
            let s = self.position(&id);
            if s.get_untracked() != p {
                s.set(p);
            }
        }
    }

    /// Applies an edit: records its inverse, announces it, schedules the autosave.
    /// Returns whether it applied.
    pub fn dispatch(&self, change: Change) -> bool {
        if !self.editable() {
            self.announcement.set("This view is read-only.".into());
            return false;
        }
        let described = self.graph.with_untracked(|g| change.describe(g));
        let mut result = None;
        self.graph
            .update(|g| result = Some(wiring::apply(g, &change)));
        match result {
            Some(Ok(inverse)) => {
                self.undo.update_value(|u| u.push(inverse));
                self.redo.update_value(Vec::clear);
                self.after_edit(described);
                true
            }
            Some(Err(e)) => {
                self.announcement.set(format!("Not applied: {e}"));
                false
            }
            None => false,
        }
    }

    fn after_edit(&self, described: String) {
        self.sync_positions();
        self.prune_selection();
        self.history.set((
            self.undo.with_value(Vec::len),
            self.redo.with_value(Vec::len),
        ));
        self.announcement.set(described);
        self.edit_seq.update(|n| *n += 1);
        if !matches!(
            self.status.get_untracked(),
            SaveStatus::Conflict | SaveStatus::ReadOnly
        ) {
            self.status.set(SaveStatus::Unsaved);
        }
    }

    fn prune_selection(&self) {
        let keep = |el: &Element| {
            self.graph.with_untracked(|g| match el {
                Element::Node(id) => g.nodes.contains_key(id),
                Element::Edge(id) => g.edges.contains_key(id),
                Element::Graph => true,
            })
        };
        if self
            .selection
            .with_untracked(|s| s.iter().any(|e| !keep(e)))
        {
            self.selection.update(|s| s.retain(|e| keep(e)));
        }
    }

    /// Undoes the last edit.
    pub fn undo(&self) {
        self.step(true);
    }

    /// Redoes the last undone edit.
    pub fn redo(&self) {
        self.step(false);
    }

    fn step(&self, undo: bool) {
        if !self.editable() {
            return;
        }
        let (from, to) = if undo {
            (self.undo, self.redo)
        } else {
            (self.redo, self.undo)
        };
        let Some(change) = from.try_update_value(Vec::pop).flatten() else {
            self.announcement.set(if undo {
                "Nothing to undo".into()
            } else {
                "Nothing to redo".into()
            });
            return;
        };
        let described = self.graph.with_untracked(|g| change.describe(g));
        let mut result = None;
        self.graph
            .update(|g| result = Some(wiring::apply(g, &change)));
        if let Some(Ok(inverse)) = result {
            to.update_value(|v| v.push(inverse));
            self.after_edit(format!(
                "{}: {described}",
                if undo { "Undone" } else { "Redone" }
            ));
        }
    }

    /// Moves the live position of the selected nodes by a screen-independent delta.
    pub fn nudge_live(&self, ids: &[NodeId], dx: f64, dy: f64) {
        for id in ids {
            let s = self.position(id);
            s.update(|p| {
                p.x += dx;
                p.y += dy;
            });
        }
    }

    /// Commits live positions of `ids` to the graph as one undoable move, snapped to the grid.
    pub fn commit_positions(&self, ids: &[NodeId]) {
        let positions: BTreeMap<NodeId, Option<Point>> = ids
            .iter()
            .map(|id| {
                let p = self.position(id).get_untracked();
                (
                    id.clone(),
                    Some(Point {
                        x: snap(p.x),
                        y: snap(p.y),
                    }),
                )
            })
            .collect();
        let changed = self.graph.with_untracked(|g| {
            positions
                .iter()
                .any(|(id, p)| g.layout.get(id).copied() != *p)
        });
        if changed {
            self.dispatch(Change::MoveNodes { positions });
        } else {
            self.sync_positions();
        }
    }

    /// The selected node ids.
    pub fn selected_nodes(&self) -> Vec<NodeId> {
        self.selection.with_untracked(|s| {
            s.iter()
                .filter_map(|e| match e {
                    Element::Node(id) => Some(id.clone()),
                    _ => None,
                })
                .collect()
        })
    }

    /// Selects exactly `el`.
    pub fn select_only(&self, el: Element) {
        self.selection.set(BTreeSet::from([el]));
    }

    /// The world point at the centre of the canvas.
    pub fn centre(&self) -> Point {
        let v = self.view.get_untracked();
        let (w, h) = self.canvas_size.get_untracked();
        Point {
            x: (w / 2.0 - v.x) / v.k,
            y: (h / 2.0 - v.y) / v.k,
        }
    }

    /// Pans so that world point `p` is in the middle of the canvas.
    pub fn pan_to(&self, p: Point) {
        self.touched.set_value(true);
        let (w, h) = self.canvas_size.get_untracked();
        self.view.update(|v| {
            v.x = w / 2.0 - p.x * v.k;
            v.y = h / 2.0 - p.y * v.k;
        });
    }

    /// Zooms and pans so every node is visible.
    pub fn fit(&self) {
        let layout = self.graph.with_untracked(|g| g.layout.clone());
        if layout.is_empty() {
            self.view.set(View::default());
            return;
        }
        let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for p in layout.values() {
            x0 = x0.min(p.x);
            y0 = y0.min(p.y);
            x1 = x1.max(p.x + NODE_W);
            y1 = y1.max(p.y + NODE_H);
        }
        let (w, h) = self.canvas_size.get_untracked();
        let k = ((w - 80.0) / (x1 - x0))
            .min((h - 80.0) / (y1 - y0))
            .clamp(0.05, 1.5);
        self.view.set(View {
            k,
            x: (w - (x1 - x0) * k) / 2.0 - x0 * k,
            y: (h - (y1 - y0) * k) / 2.0 - y0 * k,
        });
    }

    /// Zooms by `factor` around screen point (`sx`, `sy`).
    pub fn zoom_at(&self, factor: f64, sx: f64, sy: f64) {
        self.touched.set_value(true);
        self.view.update(|v| {
            let k = (v.k * factor).clamp(0.05, 3.0);
            let f = k / v.k;
            v.x = sx - (sx - v.x) * f;
            v.y = sy - (sy - v.y) * f;
            v.k = k;
        });
    }

    /// A node id not used yet, with a random tail: two people adding a function to the same
    /// draft at once must not both create `new-function-1`, or merging their edits would
    /// have to drop one of them.
    pub fn fresh_node(&self, base: &str) -> NodeId {
        let base = format!("{base}-{}", random_tail());
        self.graph.with_untracked(|g| g.fresh_node_id(&base))
    }

    /// An edge id not used yet, with a random tail (see [`Editor::fresh_node`]).
    pub fn fresh_edge(&self, base: &str) -> EdgeId {
        let base = format!("{base}-{}", random_tail());
        self.graph.with_untracked(|g| g.fresh_edge_id(&base))
    }

    /// Marks the current graph as saved as `version`.
    pub fn saved(&self, version: Uuid, content: Graph) {
        self.base_version.set(Some(version));
        self.base_graph.set_value(content);
    }
}

/// Rounds to the canvas grid.
pub fn snap(v: f64) -> f64 {
    (v / GRID).round() * GRID
}

/// A human label for an element, by its name in the graph.
pub fn element_label(g: &Graph, el: &Element) -> String {
    match el {
        Element::Node(id) => g.nodes.get(id).map_or_else(
            || id.to_string(),
            |n| format!("{} {}", wiring::catalog::of(n).label, n.name()),
        ),
        Element::Edge(id) => g.edges.get(id).map_or_else(
            || id.to_string(),
            |e| {
                let name = |n: &NodeId| {
                    g.nodes
                        .get(n)
                        .map_or_else(|| n.to_string(), |n| n.name().to_owned())
                };
                format!(
                    "{} {} → {}",
                    e.kind.edge_type().label(),
                    name(&e.from),
                    name(&e.to)
                )
            },
        ),
        Element::Graph => "draft".into(),
    }
}

/// Four random base-36 characters (about 1.7 million values) for new ids.
fn random_tail() -> String {
    let mut n = Uuid::new_v4().as_u128();
    (0..4)
        .map(|_| {
            let d = (n % 36) as u32;
            n /= 36;
            char::from_digit(d, 36).unwrap_or('0')
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The x of every point the path data names (start, controls, end).
    fn xs(d: &str) -> Vec<f64> {
        d.split([' ', 'M', 'C'])
            .filter(|p| !p.is_empty())
            .map(|p| p.split(',').next().unwrap().parse().unwrap())
            .collect()
    }

    #[test]
    fn a_forward_edge_leaves_and_enters_horizontally_with_its_label_halfway() {
        let (d, mid) = edge_curve(Point { x: 0.0, y: 100.0 }, Point { x: 400.0, y: 100.0 });
        assert_eq!(d, "M0.0,100.0 C200.0,100.0 200.0,100.0 400.0,100.0");
        assert_eq!((mid.x, mid.y), (200.0, 100.0));
    }

    #[test]
    fn a_long_backward_edge_loops_beside_its_nodes_instead_of_off_the_screen() {
        // The example's write-back edge: a function far right of the bucket it writes to.
        let (a, b) = (Point { x: 1200.0, y: 80.0 }, Point { x: 0.0, y: 140.0 });
        let (d, mid) = edge_curve(a, b);
        let xs = xs(&d);
        assert!(
            xs.iter().all(|&x| (-160.0..=1360.0).contains(&x)),
            "control points stay within 160 px of the nodes: {d}"
        );
        assert!(mid.y > 140.0, "the loop runs below both ends: {mid:?}");
    }
}

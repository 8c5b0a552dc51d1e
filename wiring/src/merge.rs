//! Three-way merge of drafts: what two people changed from the same base version, element
//! by element. Changes on one side only are taken; an element both changed differently is
//! a conflict that a person decides.

use crate::findings::Element;
use crate::model::{Graph, Point};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Which side to keep for a conflicting element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// The local edit.
    Mine,
    /// The version saved in between.
    Theirs,
}

/// An element both sides changed, differently.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conflict {
    /// The node or edge.
    pub element: Element,
    /// A short description of each side ("deleted", "changed").
    pub mine: String,
    /// The same for theirs.
    pub theirs: String,
}

/// A merge result: the merged graph (conflicts resolved as `Mine` until chosen otherwise).
#[derive(Debug, Clone, PartialEq)]
pub struct Merge {
    /// The merged graph.
    pub graph: Graph,
    /// Elements that need a decision.
    pub conflicts: Vec<Conflict>,
}

fn pick<'a, T: PartialEq>(
    base: Option<&'a T>,
    mine: Option<&'a T>,
    theirs: Option<&'a T>,
) -> (Option<&'a T>, bool) {
    if mine == theirs {
        (mine, false)
    } else if mine == base {
        (theirs, false)
    } else if theirs == base {
        (mine, false)
    } else {
        (mine, true)
    }
}

fn describe<T>(base: Option<&T>, side: Option<&T>) -> String {
    match (base, side) {
        (_, None) => "deleted".into(),
        (None, Some(_)) => "added".into(),
        (Some(_), Some(_)) => "changed".into(),
    }
}

/// Merges `mine` and `theirs`, both edited from `base`.
pub fn three_way(base: &Graph, mine: &Graph, theirs: &Graph) -> Merge {
    let mut graph = mine.clone();
    let mut conflicts = Vec::new();

    graph.account = pick(
        base.account.as_ref(),
        mine.account.as_ref(),
        theirs.account.as_ref(),
    )
    .0
    .cloned();
    graph.region = pick(
        base.region.as_ref(),
        mine.region.as_ref(),
        theirs.region.as_ref(),
    )
    .0
    .cloned();

    let ids: BTreeSet<_> = base
        .nodes
        .keys()
        .chain(mine.nodes.keys())
        .chain(theirs.nodes.keys())
        .cloned()
        .collect();
    graph.nodes.clear();
    for id in ids {
        let (b, m, t) = (
            base.nodes.get(&id),
            mine.nodes.get(&id),
            theirs.nodes.get(&id),
        );
        let (chosen, conflict) = pick(b, m, t);
        if conflict {
            conflicts.push(Conflict {
                element: Element::Node(id.clone()),
                mine: describe(b, m),
                theirs: describe(b, t),
            });
        }
        if let Some(n) = chosen {
            graph.nodes.insert(id, n.clone());
        }
    }

    let ids: BTreeSet<_> = base
        .edges
        .keys()
        .chain(mine.edges.keys())
        .chain(theirs.edges.keys())
        .cloned()
        .collect();
    graph.edges.clear();
    for id in ids {
        let (b, m, t) = (
            base.edges.get(&id),
            mine.edges.get(&id),
            theirs.edges.get(&id),
        );
        let (chosen, conflict) = pick(b, m, t);
        if conflict {
            conflicts.push(Conflict {
                element: Element::Edge(id.clone()),
                mine: describe(b, m),
                theirs: describe(b, t),
            });
        }
        if let Some(e) = chosen {
            if graph.nodes.contains_key(&e.from) && graph.nodes.contains_key(&e.to) {
                graph.edges.insert(id, e.clone());
            } else {
                // One side deleted a node the other side connected: the edge cannot stay.
                conflicts.push(Conflict {
                    element: Element::Edge(id.clone()),
                    mine: if m.is_some() {
                        "kept".into()
                    } else {
                        "deleted".into()
                    },
                    theirs: "its node was deleted".into(),
                });
            }
        }
    }

    // Positions never conflict: a moved node keeps the last mover's position, mine first.
    let ids: BTreeSet<_> = base
        .layout
        .keys()
        .chain(mine.layout.keys())
        .chain(theirs.layout.keys())
        .cloned()
        .collect();
    graph.layout = ids
        .into_iter()
        .filter(|id| graph.nodes.contains_key(id))
        .filter_map(|id| {
            let p: Option<&Point> = pick(
                base.layout.get(&id),
                mine.layout.get(&id),
                theirs.layout.get(&id),
            )
            .0;
            p.map(|p| (id, *p))
        })
        .collect();
    Merge { graph, conflicts }
}

impl Merge {
    /// Resolves the conflicting elements as chosen, starting from both sides.
    pub fn resolve(
        &self,
        mine: &Graph,
        theirs: &Graph,
        choices: &BTreeMap<Element, Side>,
    ) -> Graph {
        let mut g = self.graph.clone();
        for c in &self.conflicts {
            let side = choices.get(&c.element).copied().unwrap_or(Side::Mine);
            let src = if side == Side::Mine { mine } else { theirs };
            match &c.element {
                Element::Node(id) => match src.nodes.get(id) {
                    Some(n) => {
                        g.nodes.insert(id.clone(), n.clone());
                        if let Some(p) = src.layout.get(id) {
                            g.layout.entry(id.clone()).or_insert(*p);
                        }
                    }
                    None => {
                        g.nodes.remove(id);
                        g.layout.remove(id);
                    }
                },
                Element::Edge(id) => match src.edges.get(id) {
                    Some(e) => {
                        g.edges.insert(id.clone(), e.clone());
                    }
                    None => {
                        g.edges.remove(id);
                    }
                },
                Element::Graph => {}
            }
        }
        // A node removed by a choice takes its edges with it.
        let nodes = g.nodes.clone();
        g.edges
            .retain(|_, e| nodes.contains_key(&e.from) && nodes.contains_key(&e.to));
        g.layout.retain(|id, _| nodes.contains_key(id));
        g
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::*;

    #[test]
    fn edits_to_different_elements_both_survive() {
        let base = graph(&[func("a"), queue("q")], &[]);
        let mut mine = base.clone();
        mine.nodes.insert(nid("b"), func("b"));
        let mut theirs = base.clone();
        theirs.edges.insert(
            eid("e"),
            crate::model::Edge {
                from: nid("a"),
                to: nid("q"),
                kind: crate::model::EdgeKind::OnFailure,
            },
        );
        let m = three_way(&base, &mine, &theirs);
        assert!(m.conflicts.is_empty());
        assert!(m.graph.nodes.contains_key(&nid("b")));
        assert!(m.graph.edges.contains_key(&eid("e")));
    }

    #[test]
    fn the_same_element_changed_both_ways_is_a_conflict_resolved_by_choice() {
        let base = graph(&[func_with("a", |f| f.timeout = 3)], &[]);
        let mine = graph(&[func_with("a", |f| f.timeout = 10)], &[]);
        let theirs = graph(&[func_with("a", |f| f.timeout = 20)], &[]);
        let m = three_way(&base, &mine, &theirs);
        assert_eq!(m.conflicts.len(), 1);
        let choose_theirs = BTreeMap::from([(Element::Node(nid("a")), Side::Theirs)]);
        let g = m.resolve(&mine, &theirs, &choose_theirs);
        assert_eq!(g.function(&nid("a")).unwrap().timeout, 20);
        let g = m.resolve(&mine, &theirs, &BTreeMap::new());
        assert_eq!(g.function(&nid("a")).unwrap().timeout, 10);
    }

    #[test]
    fn an_edge_to_a_node_the_other_side_deleted_is_reported() {
        let base = graph(&[func("a"), queue("q")], &[]);
        let mut mine = base.clone();
        mine.edges.insert(
            eid("e"),
            crate::model::Edge {
                from: nid("a"),
                to: nid("q"),
                kind: crate::model::EdgeKind::OnFailure,
            },
        );
        let mut theirs = base.clone();
        theirs.nodes.remove(&nid("q"));
        let m = three_way(&base, &mine, &theirs);
        assert!(m.graph.check().is_ok());
        assert_eq!(m.conflicts.len(), 1);
    }
}

//! Auto-layout: a layered (Sugiyama-style) drawing, left to right — sources, functions,
//! destinations, next functions — with crossings reduced by barycenter sweeps.

use crate::ids::NodeId;
use crate::model::{EdgeKind, Graph, Node, NodeKind, Point};
use std::collections::BTreeMap;

/// Horizontal distance between layers.
pub const LAYER_GAP: f64 = 300.0;
/// Vertical distance between nodes in a layer.
pub const ROW_GAP: f64 = 130.0;

/// Positions for every node of `graph`, laid out in layers along the event flow.
pub fn layered(graph: &Graph) -> BTreeMap<NodeId, Point> {
    let ids: Vec<&NodeId> = graph.nodes.keys().collect();
    let n = ids.len();
    if n == 0 {
        return BTreeMap::new();
    }
    let index: BTreeMap<&NodeId, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let triggers: std::collections::BTreeSet<&NodeId> = graph
        .edges
        .values()
        .filter(|e| matches!(e.kind, EdgeKind::Trigger(_)))
        .map(|e| &e.from)
        .collect();
    let mut out_edges: Vec<Vec<usize>> = vec![Vec::new(); n];
    for e in graph.edges.values() {
        // Writing back into something that triggers functions flows "backwards": the
        // source belongs on the left, so the write must not push it right.
        if matches!(e.kind, EdgeKind::Writes { .. }) && triggers.contains(&e.to) {
            continue;
        }
        if let (Some(&a), Some(&b)) = (index.get(&e.from), index.get(&e.to))
            && a != b
        {
            out_edges[a].push(b);
        }
    }
    // Start the search where events start, so loops are cut at their far end.
    let mut indegree = vec![0usize; n];
    for outs in &out_edges {
        for &b in outs {
            indegree[b] += 1;
        }
    }
    let family = |v: usize| {
        graph
            .nodes
            .get(ids[v])
            .map(|node| crate::catalog::of(node).family)
    };
    let mut roots: Vec<usize> = (0..n).collect();
    roots.sort_by_key(|&v| {
        (
            indegree[v] != 0,
            family(v) != Some(crate::catalog::Family::Source),
            v,
        )
    });
    let acyclic = drop_back_edges(&out_edges, &roots);
    let rank = ranks(&acyclic, graph, &ids);

    let layers_count = rank.iter().copied().max().unwrap_or(0) + 1;
    let mut layers: Vec<Vec<usize>> = vec![Vec::new(); layers_count];
    for (v, &r) in rank.iter().enumerate() {
        layers[r].push(v);
    }
    let mut neighbours: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (a, outs) in acyclic.iter().enumerate() {
        for &b in outs {
            neighbours[a].push(b);
            neighbours[b].push(a);
        }
    }
    order_layers(&mut layers, &neighbours, n);

    let tallest = layers.iter().map(Vec::len).max().unwrap_or(1) as f64;
    let mut out = BTreeMap::new();
    for (r, layer) in layers.iter().enumerate() {
        // Centre short layers against the tallest one.
        let offset = (tallest - layer.len() as f64) * ROW_GAP / 2.0;
        for (i, &v) in layer.iter().enumerate() {
            out.insert(
                ids[v].clone(),
                Point {
                    x: 80.0 + r as f64 * LAYER_GAP,
                    y: 80.0 + offset + i as f64 * ROW_GAP,
                },
            );
        }
    }
    out
}

/// The edges without those that close a cycle (found by an iterative depth-first search).
fn drop_back_edges(out: &[Vec<usize>], roots: &[usize]) -> Vec<Vec<usize>> {
    const WHITE: u8 = 0;
    const GREY: u8 = 1;
    const BLACK: u8 = 2;
    let n = out.len();
    let mut colour = vec![WHITE; n];
    let mut kept: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &root in roots {
        if colour[root] != WHITE {
            continue;
        }
        let mut stack = vec![(root, 0usize)];
        colour[root] = GREY;
        while let Some(&mut (v, ref mut i)) = stack.last_mut() {
            if let Some(&w) = out[v].get(*i) {
                *i += 1;
                match colour[w] {
                    WHITE => {
                        kept[v].push(w);
                        colour[w] = GREY;
                        stack.push((w, 0));
                    }
                    BLACK => kept[v].push(w),
                    _ => {} // back edge: it closes a loop, so it does not decide layers.
                }
            } else {
                colour[v] = BLACK;
                stack.pop();
            }
        }
    }
    kept
}

/// Longest-path layering; nodes nothing points at start at their family's column.
fn ranks(out: &[Vec<usize>], graph: &Graph, ids: &[&NodeId]) -> Vec<usize> {
    let n = out.len();
    let mut indegree = vec![0usize; n];
    for outs in out {
        for &b in outs {
            indegree[b] += 1;
        }
    }
    let mut rank: Vec<usize> = (0..n)
        .map(|v| match graph.nodes.get(ids[v]).map(Node::kind) {
            // Without incoming edges, a function still sits right of the sources.
            Some(NodeKind::Function) if indegree[v] == 0 => 1,
            _ => 0,
        })
        .collect();
    let mut queue: std::collections::VecDeque<usize> =
        (0..n).filter(|&v| indegree[v] == 0).collect();
    while let Some(v) = queue.pop_front() {
        for &w in &out[v] {
            rank[w] = rank[w].max(rank[v] + 1);
            indegree[w] -= 1;
            if indegree[w] == 0 {
                queue.push_back(w);
            }
        }
    }
    rank
}

/// Barycenter sweeps: each node moves to the mean position of its neighbours in the
/// other layers, alternately left-to-right and right-to-left.
fn order_layers(layers: &mut [Vec<usize>], neighbours: &[Vec<usize>], n: usize) {
    let mut pos = vec![0f64; n];
    let reindex = |layers: &[Vec<usize>], pos: &mut Vec<f64>| {
        for layer in layers {
            for (i, &v) in layer.iter().enumerate() {
                pos[v] = i as f64;
            }
        }
    };
    reindex(layers, &mut pos);
    for sweep in 0..8 {
        let order: Vec<usize> = if sweep % 2 == 0 {
            (1..layers.len()).collect()
        } else {
            (0..layers.len().saturating_sub(1)).rev().collect()
        };
        for r in order {
            let mut keyed: Vec<(f64, usize)> = layers[r]
                .iter()
                .map(|&v| {
                    let ns = &neighbours[v];
                    let key = if ns.is_empty() {
                        pos[v]
                    } else {
                        ns.iter().map(|&w| pos[w]).sum::<f64>() / ns.len() as f64
                    };
                    (key, v)
                })
                .collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            layers[r] = keyed.into_iter().map(|(_, v)| v).collect();
            for (i, &v) in layers[r].iter().enumerate() {
                pos[v] = i as f64;
            }
        }
    }
}

/// Counts pairs of edges whose straight segments cross, for tests and benchmarks.
pub fn crossings(graph: &Graph, layout: &BTreeMap<NodeId, Point>) -> usize {
    let segs: Vec<(Point, Point)> = graph
        .edges
        .values()
        .filter_map(|e| Some((*layout.get(&e.from)?, *layout.get(&e.to)?)))
        .collect();
    let mut count = 0;
    for i in 0..segs.len() {
        for j in i + 1..segs.len() {
            if cross(segs[i], segs[j]) {
                count += 1;
            }
        }
    }
    count
}

fn cross((a, b): (Point, Point), (c, d): (Point, Point)) -> bool {
    let orient =
        |p: Point, q: Point, r: Point| (q.x - p.x) * (r.y - p.y) - (q.y - p.y) * (r.x - p.x);
    let shares = |p: Point| p == c || p == d;
    if shares(a) || shares(b) {
        return false;
    }
    let (o1, o2, o3, o4) = (
        orient(a, b, c),
        orient(a, b, d),
        orient(c, d, a),
        orient(c, d, b),
    );
    o1 * o2 < 0.0 && o3 * o4 < 0.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::*;

    #[test]
    fn the_example_reads_left_to_right_without_crossings() {
        let g = crate::examples::thumbnail();
        let l = layered(&g);
        let x = |id: &str| l[&nid(id)].x;
        assert!(x("uploads") < x("thumbnail"));
        assert!(x("thumbnail") < x("failures"));
        assert!(x("failures") < x("retry"));
        assert_eq!(crossings(&g, &l), 0);
    }

    #[test]
    fn every_node_gets_a_distinct_position() {
        let g = crate::examples::generated(200);
        let l = layered(&g);
        assert_eq!(l.len(), g.node_count());
        let mut seen = std::collections::BTreeSet::new();
        for p in l.values() {
            assert!(seen.insert((p.x as i64, p.y as i64)), "overlap at {p:?}");
        }
    }

    #[test]
    fn a_loop_still_lays_out() {
        let g = graph(
            &[queue("jobs"), func("f")],
            &[
                ("t", "jobs", "f", trigger()),
                (
                    "w",
                    "f",
                    "jobs",
                    crate::model::EdgeKind::Writes {
                        key_prefix: None,
                        key_suffix: None,
                    },
                ),
            ],
        );
        let l = layered(&g);
        assert!(l[&nid("jobs")].x < l[&nid("f")].x);
    }

    #[test]
    fn crossings_are_reduced_on_a_twisted_bipartite_graph() {
        let g = graph(
            &[
                topic("a"),
                topic("b"),
                topic("c"),
                func("x"),
                func("y"),
                func("z"),
            ],
            &[
                ("1", "a", "z", trigger()),
                ("2", "b", "y", trigger()),
                ("3", "c", "x", trigger()),
            ],
        );
        assert_eq!(crossings(&g, &layered(&g)), 0);
    }
}

//! Loop detection: strongly connected components of the event-flow graph, found with an
//! iterative Tarjan pass (linear, and safe on deep graphs), reported once per loop.

use super::{Validator, s3_filters_overlap};
use crate::findings::{Code, Element, Finding, Severity};
use crate::model::{EdgeKind, Node, NodeKind, RecursiveLoop};
use rustc_hash::{FxHashMap as FastMap, FxHashSet as FastSet};

/// Services AWS's recursive loop detection follows.
const AWS_DETECTS: [NodeKind; 4] = [
    NodeKind::Function,
    NodeKind::SqsQueue,
    NodeKind::SnsTopic,
    NodeKind::S3Bucket,
];

pub(super) fn find(v: &Validator<'_>) -> Vec<Finding> {
    let g = v.g;
    let n = v.info.len();
    let mut pairs: Vec<(u32, u32)> = Vec::with_capacity(v.edges.len());

    for r in &v.edges {
        let (a, b) = (r.from, r.to);
        let flows = match (&r.edge.kind, v.info[b].node) {
            // A write reaches the bucket's consumers only through notifications that match it.
            (
                EdgeKind::Writes {
                    key_prefix,
                    key_suffix,
                },
                Node::S3Bucket(_),
            ) => v.outgoing_at(b).iter().any(|(_, t)| {
                t.kind.trigger().is_some_and(|tr| {
                    s3_filters_overlap(
                        key_prefix.as_deref(),
                        key_suffix.as_deref(),
                        tr.prefix.as_deref(),
                        tr.suffix.as_deref(),
                    )
                })
            }),
            _ => true,
        };
        if flows {
            pairs.push((a as u32, b as u32));
        }
    }
    // Events put on a bus reach the rules on that bus (same account and region).
    let key = |i: usize, bus: &str| {
        let node = v.info[i].node;
        (
            bus.to_owned(),
            g.account_cow(node).map(|a| a.to_string()),
            g.region_ref(node).map(|r| r.to_string()),
        )
    };
    let mut rules_by_bus: FastMap<(String, Option<String>, Option<String>), Vec<usize>> =
        FastMap::default();
    for (i, info) in v.info.iter().enumerate() {
        if let Node::EventRule(r) = info.node {
            rules_by_bus
                .entry(key(i, r.bus.as_str()))
                .or_default()
                .push(i);
        }
    }
    if !rules_by_bus.is_empty() {
        for (i, info) in v.info.iter().enumerate() {
            if let Node::EventBus(b) = info.node
                && let Some(rules) = rules_by_bus.get(&key(i, b.name.as_str()))
            {
                pairs.extend(rules.iter().map(|&r| (i as u32, r as u32)));
            }
        }
    }

    let adj = Adj::new(n, &pairs);
    let mut out = Vec::new();
    let Some(on_cycle_paths) = cyclic_part(&adj, &pairs) else {
        return out;
    };
    tarjan(&adj, &on_cycle_paths, |comp| {
        let is_loop = comp.len() > 1 || adj.of(comp[0]).contains(&(comp[0] as u32));
        if !is_loop {
            return;
        }
        let in_comp: FastSet<usize> = comp.iter().copied().collect();
        // Report at the function with the smallest id, so the finding is stable across runs.
        let Some(&start) = comp
            .iter()
            .filter(|&&i| matches!(v.info[i].node, Node::Function(_)))
            .min()
        else {
            return;
        };
        let cycle = shortest_cycle(&adj, &in_comp, start);
        let names: Vec<&str> = cycle.iter().map(|&i| v.info[i].node.name()).collect();
        let kinds: Vec<NodeKind> = comp.iter().map(|&i| v.info[i].node.kind()).collect();
        let allowed: Vec<&str> = comp
            .iter()
            .filter_map(|&i| match v.info[i].node {
                Node::Function(f) if f.recursive_loop == RecursiveLoop::Allow => {
                    Some(f.name.as_str())
                }
                _ => None,
            })
            .collect();
        let detected = kinds.iter().all(|k| AWS_DETECTS.contains(k));
        let path = names.join(" → ");
        let (severity, tail) = if !allowed.is_empty() {
            (
                Severity::Error,
                format!(
                    " RecursiveLoop is Allow on {}, so AWS will not stop it.",
                    allowed.join(", ")
                ),
            )
        } else if detected {
            (
                Severity::Warning,
                " AWS's recursive loop detection (SQS, SNS, S3, Lambda) stops it after about 16 invocations; make sure the loop ends on its own.".to_owned(),
            )
        } else {
            let mut outside: Vec<&str> = kinds
                .iter()
                .filter(|k| !AWS_DETECTS.contains(k))
                .map(|k| crate::catalog::entry(*k).label)
                .collect();
            outside.sort_unstable();
            outside.dedup();
            (
                Severity::Error,
                format!(
                    " AWS's loop detection does not follow {}, so nothing stops this loop.",
                    outside.join(", ")
                ),
            )
        };
        out.push(
            Finding::new(
                Code::EventLoop,
                Element::Node(v.info[start].id.clone()),
                format!("Events can loop: {path}.{tail}"),
            )
            .severity(severity)
            .field("recursive_loop"),
        );
    });
    out
}

/// The event-flow graph's adjacency lists, all in two vectors (compressed rows) rather than
/// one allocation per node.
struct Adj {
    at: Vec<u32>,
    to: Vec<u32>,
}

impl Adj {
    /// From `(from, to)` pairs; each node's targets keep the pairs' order.
    fn new(n: usize, pairs: &[(u32, u32)]) -> Self {
        let mut at = vec![0u32; n + 1];
        for &(a, _) in pairs {
            at[a as usize + 1] += 1;
        }
        for i in 0..n {
            at[i + 1] += at[i];
        }
        let mut fill = at.clone();
        let mut to = vec![0u32; pairs.len()];
        for &(a, b) in pairs {
            to[fill[a as usize] as usize] = b;
            fill[a as usize] += 1;
        }
        Self { at, to }
    }

    fn len(&self) -> usize {
        self.at.len() - 1
    }

    fn of(&self, v: usize) -> &[u32] {
        &self.to[self.at[v] as usize..self.at[v + 1] as usize]
    }
}

/// Which nodes are left after repeatedly removing those with no incoming edge (Kahn's
/// topological sort), or `None` when that removes them all: the graph has no cycle, the
/// usual case, and Tarjan's pass is not needed. Every cycle lies among the nodes left.
fn cyclic_part(adj: &Adj, pairs: &[(u32, u32)]) -> Option<Vec<bool>> {
    let n = adj.len();
    let mut indegree = vec![0u32; n];
    for &(_, b) in pairs {
        indegree[b as usize] += 1;
    }
    let mut ready: Vec<usize> = (0..n).filter(|&v| indegree[v] == 0).collect();
    let mut removed = 0;
    while let Some(v) = ready.pop() {
        removed += 1;
        for &w in adj.of(v) {
            let d = &mut indegree[w as usize];
            *d -= 1;
            if *d == 0 {
                ready.push(w as usize);
            }
        }
    }
    (removed < n).then(|| indegree.iter().map(|&d| d > 0).collect())
}

/// Strongly connected components among the nodes `keep` marks, iteratively (no recursion
/// depth limit); `each` sees every component once.
fn tarjan(adj: &Adj, keep: &[bool], mut each: impl FnMut(&[usize])) {
    const UNSEEN: usize = usize::MAX;
    let n = adj.len();
    let mut index = vec![UNSEEN; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack: Vec<usize> = Vec::new();
    let mut next = 0;
    let mut work: Vec<(usize, usize)> = Vec::new();
    for root in 0..n {
        if index[root] != UNSEEN || !keep[root] {
            continue;
        }
        work.push((root, 0));
        while let Some(&mut (v, ref mut child)) = work.last_mut() {
            if *child == 0 && index[v] == UNSEEN {
                index[v] = next;
                low[v] = next;
                next += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if let Some(&w) = adj.of(v).get(*child) {
                let w = w as usize;
                *child += 1;
                if !keep[w] {
                    continue;
                }
                if index[w] == UNSEEN {
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                // The component is the stack down to `v`, listed top first.
                let Some(from) = stack.iter().rposition(|&w| w == v) else {
                    continue;
                };
                for &w in &stack[from..] {
                    on_stack[w] = false;
                }
                stack[from..].reverse();
                each(&stack[from..]);
                stack.truncate(from);
            }
        }
    }
}

/// The shortest path from `start` back to itself inside one component (BFS).
fn shortest_cycle(adj: &Adj, comp: &FastSet<usize>, start: usize) -> Vec<usize> {
    let mut prev: FastMap<usize, usize> = FastMap::default();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(v) = queue.pop_front() {
        for &w in adj.of(v) {
            let w = w as usize;
            if !comp.contains(&w) {
                continue;
            }
            if w == start {
                let mut path = vec![start];
                let mut cur = v;
                while cur != start {
                    path.push(cur);
                    cur = prev[&cur];
                }
                path.push(start);
                let end = path.len() - 1;
                path[1..end].reverse();
                return path;
            }
            if let std::collections::hash_map::Entry::Vacant(e) = prev.entry(w) {
                e.insert(v);
                queue.push_back(w);
            }
        }
    }
    vec![start, start]
}

#[cfg(test)]
mod tests {
    use super::{Adj, cyclic_part, tarjan};

    fn components(adj: &Adj) -> Vec<Vec<usize>> {
        let mut out = Vec::new();
        tarjan(adj, &vec![true; adj.len()], |c| {
            let mut c = c.to_vec();
            c.sort();
            out.push(c);
        });
        out.sort();
        out
    }

    #[test]
    fn tarjan_finds_cycles_and_singletons() {
        let adj = Adj::new(4, &[(0, 1), (1, 2), (2, 0), (3, 0)]);
        assert_eq!(components(&adj), vec![vec![0, 1, 2], vec![3]]);
    }

    #[test]
    fn tarjan_finds_two_loops_sharing_no_node_and_a_self_loop() {
        let adj = Adj::new(6, &[(0, 1), (1, 0), (2, 3), (3, 4), (4, 2), (5, 5), (1, 2)]);
        assert_eq!(components(&adj), vec![vec![0, 1], vec![2, 3, 4], vec![5]]);
    }

    #[test]
    fn only_nodes_on_or_after_a_cycle_are_left_for_tarjan() {
        let acyclic = [(0, 1), (1, 2), (0, 2)];
        assert_eq!(cyclic_part(&Adj::new(3, &acyclic), &acyclic), None);
        // 0 → 1 ⇄ 2 → 3: 0 leads into the loop but is not on it.
        let looped = [(0, 1), (1, 2), (2, 1), (2, 3)];
        assert_eq!(
            cyclic_part(&Adj::new(4, &looped), &looped),
            Some(vec![false, true, true, true])
        );
    }

    #[test]
    fn tarjan_survives_a_very_long_chain() {
        let n = 200_000u32;
        let pairs: Vec<(u32, u32)> = (0..n - 1).map(|i| (i, i + 1)).collect();
        assert_eq!(components(&Adj::new(n as usize, &pairs)).len(), n as usize);
    }
}

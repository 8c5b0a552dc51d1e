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
    let mut adj: Vec<Vec<usize>> = vec![Vec::new(); n];

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
            ) => v.info[b].outgoing.iter().any(|(_, t)| {
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
            adj[a].push(b);
        }
    }
    // Events put on a bus reach the rules on that bus (same account and region).
    let key = |i: usize, bus: &str| {
        let node = v.info[i].node;
        (
            bus.to_owned(),
            v.info[i].account.as_ref().map(|a| a.to_string()),
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
                adj[i].extend(rules.iter().copied());
            }
        }
    }

    let mut out = Vec::new();
    for comp in tarjan(&adj) {
        let is_loop = comp.len() > 1 || adj[comp[0]].contains(&comp[0]);
        if !is_loop {
            continue;
        }
        let in_comp: FastSet<usize> = comp.iter().copied().collect();
        // Report at the function with the smallest id, so the finding is stable across runs.
        let Some(&start) = comp
            .iter()
            .filter(|&&i| matches!(v.info[i].node, Node::Function(_)))
            .min()
        else {
            continue;
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
    }
    out
}

/// Strongly connected components, iteratively (no recursion depth limit).
fn tarjan(adj: &[Vec<usize>]) -> Vec<Vec<usize>> {
    const UNSEEN: usize = usize::MAX;
    let n = adj.len();
    let mut index = vec![UNSEEN; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut out = Vec::new();
    let mut next = 0;
    let mut work: Vec<(usize, usize)> = Vec::new();
    for root in 0..n {
        if index[root] != UNSEEN {
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
            if let Some(&w) = adj[v].get(*child) {
                *child += 1;
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
                let mut comp = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    comp.push(w);
                    if w == v {
                        break;
                    }
                }
                out.push(comp);
            }
        }
    }
    out
}

/// The shortest path from `start` back to itself inside one component (BFS).
fn shortest_cycle(adj: &[Vec<usize>], comp: &FastSet<usize>, start: usize) -> Vec<usize> {
    let mut prev: FastMap<usize, usize> = FastMap::default();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(v) = queue.pop_front() {
        for &w in &adj[v] {
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
    use super::tarjan;

    #[test]
    fn tarjan_finds_cycles_and_singletons() {
        let adj = vec![vec![1], vec![2], vec![0], vec![0]];
        let mut comps: Vec<Vec<usize>> = tarjan(&adj)
            .into_iter()
            .map(|mut c| {
                c.sort();
                c
            })
            .collect();
        comps.sort();
        assert_eq!(comps, vec![vec![0, 1, 2], vec![3]]);
    }

    #[test]
    fn tarjan_survives_a_very_long_chain() {
        let n = 200_000;
        let adj: Vec<Vec<usize>> = (0..n)
            .map(|i| if i + 1 < n { vec![i + 1] } else { vec![] })
            .collect();
        assert_eq!(tarjan(&adj).len(), n);
    }
}

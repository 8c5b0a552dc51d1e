//! Diff: version A against version B, as changes in AWS terms for reviewers, and as
//! added / removed / changed per element for the canvas overlay. Layout is ignored.

use crate::catalog;
use crate::ids::{EdgeId, NodeId};
use crate::model::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// How an element changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Only in B.
    Added,
    /// Only in A.
    Removed,
    /// In both, different.
    Changed,
}

/// One change, in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The element it concerns (in B, or in A when removed).
    pub element: crate::findings::Element,
    /// What happened to it.
    pub status: Status,
    /// E.g. "OnFailure of process-order: orders-dlq → alerts-topic".
    pub text: String,
    /// Whether it changes who may do what (policies, role grants, trust).
    pub security: bool,
}

/// The difference between two graphs.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Diff {
    /// Every change, security-relevant ones first.
    pub entries: Vec<Entry>,
    /// Per node, for colouring the canvas.
    pub nodes: BTreeMap<NodeId, Status>,
    /// Per edge, for colouring the canvas.
    pub edges: BTreeMap<EdgeId, Status>,
}

impl Diff {
    /// Whether nothing meaningful changed.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Compares `a` (before) with `b` (after).
pub fn diff(a: &Graph, b: &Graph) -> Diff {
    let mut d = Diff::default();
    let name_in = |g: &Graph, id: &NodeId| {
        g.nodes
            .get(id)
            .map_or_else(|| id.to_string(), |n| n.name().to_owned())
    };

    if a.account != b.account {
        push_graph(
            &mut d,
            format!("default account {} → {}", opt(&a.account), opt(&b.account)),
        );
    }
    if a.region != b.region {
        push_graph(
            &mut d,
            format!("default region {} → {}", opt(&a.region), opt(&b.region)),
        );
    }

    for (id, nb) in &b.nodes {
        match a.nodes.get(id) {
            None => {
                d.nodes.insert(id.clone(), Status::Added);
                let grants = node_changes(&without_grants(nb), nb);
                d.entries.push(Entry {
                    element: crate::findings::Element::Node(id.clone()),
                    status: Status::Added,
                    text: format!("added {} {}", catalog::of(nb).label, nb.name()),
                    security: !grants.is_empty() || grants_access(nb),
                });
                // What the new node grants, line by line, as a reviewer must read it.
                for (text, security) in grants {
                    d.entries.push(Entry {
                        element: crate::findings::Element::Node(id.clone()),
                        status: Status::Added,
                        text,
                        security,
                    });
                }
            }
            Some(na) if na != nb => {
                d.nodes.insert(id.clone(), Status::Changed);
                for (text, security) in node_changes(na, nb) {
                    d.entries.push(Entry {
                        element: crate::findings::Element::Node(id.clone()),
                        status: Status::Changed,
                        text,
                        security,
                    });
                }
            }
            Some(_) => {}
        }
    }
    for (id, na) in &a.nodes {
        if !b.nodes.contains_key(id) {
            d.nodes.insert(id.clone(), Status::Removed);
            let grants = node_changes(na, &without_grants(na));
            d.entries.push(Entry {
                element: crate::findings::Element::Node(id.clone()),
                status: Status::Removed,
                text: format!("removed {} {}", catalog::of(na).label, na.name()),
                security: !grants.is_empty() || grants_access(na),
            });
            for (text, security) in grants {
                d.entries.push(Entry {
                    element: crate::findings::Element::Node(id.clone()),
                    status: Status::Removed,
                    text,
                    security,
                });
            }
        }
    }

    // Edges: by id, and a removed edge paired with an added one of the same single-valued
    // kind from the same function reads as a retarget ("OnFailure of f: a → b").
    let removed: Vec<(&EdgeId, &Edge)> = a
        .edges
        .iter()
        .filter(|(id, _)| !b.edges.contains_key(*id))
        .collect();
    let added: Vec<(&EdgeId, &Edge)> = b
        .edges
        .iter()
        .filter(|(id, _)| !a.edges.contains_key(*id))
        .collect();
    let mut paired: BTreeSet<&EdgeId> = BTreeSet::new();
    for (bid, be) in &added {
        let single = matches!(
            be.kind.edge_type(),
            EdgeType::OnSuccess | EdgeType::OnFailure | EdgeType::DeadLetter
        );
        let partner = single
            .then(|| {
                removed.iter().find(|(aid, ae)| {
                    !paired.contains(aid)
                        && ae.from == be.from
                        && ae.kind.edge_type() == be.kind.edge_type()
                })
            })
            .flatten();
        if let Some((aid, ae)) = partner {
            paired.insert(aid);
            paired.insert(bid);
            d.edges.insert((*bid).clone(), Status::Changed);
            d.edges.insert((*aid).clone(), Status::Removed);
            d.entries.push(Entry {
                element: crate::findings::Element::Edge((*bid).clone()),
                status: Status::Changed,
                text: format!(
                    "{} of {}: {} → {}",
                    be.kind.edge_type().label(),
                    name_in(b, &be.from),
                    name_in(a, &ae.to),
                    name_in(b, &be.to)
                ),
                security: false,
            });
        }
    }
    for (id, e) in &added {
        if paired.contains(id) {
            continue;
        }
        d.edges.insert((*id).clone(), Status::Added);
        d.entries.push(Entry {
            element: crate::findings::Element::Edge((*id).clone()),
            status: Status::Added,
            text: format!(
                "added {} {} → {}",
                e.kind.edge_type().label(),
                name_in(b, &e.from),
                name_in(b, &e.to)
            ),
            security: false,
        });
    }
    for (id, e) in &removed {
        if paired.contains(id) {
            continue;
        }
        d.edges.insert((*id).clone(), Status::Removed);
        d.entries.push(Entry {
            element: crate::findings::Element::Edge((*id).clone()),
            status: Status::Removed,
            text: format!(
                "removed {} {} → {}",
                e.kind.edge_type().label(),
                name_in(a, &e.from),
                name_in(a, &e.to)
            ),
            security: false,
        });
    }
    for (id, eb) in &b.edges {
        let Some(ea) = a.edges.get(id) else { continue };
        if ea == eb {
            continue;
        }
        d.edges.insert(id.clone(), Status::Changed);
        let label = format!(
            "{} {} → {}",
            eb.kind.edge_type().label(),
            name_in(b, &eb.from),
            name_in(b, &eb.to)
        );
        let mut parts = Vec::new();
        if ea.from != eb.from || ea.to != eb.to {
            parts.push(format!(
                "now {} → {} (was {} → {})",
                name_in(b, &eb.from),
                name_in(b, &eb.to),
                name_in(a, &ea.from),
                name_in(a, &ea.to)
            ));
        }
        parts.extend(edge_kind_changes(&ea.kind, &eb.kind));
        d.entries.push(Entry {
            element: crate::findings::Element::Edge(id.clone()),
            status: Status::Changed,
            text: format!("{label}: {}", parts.join("; ")),
            security: false,
        });
    }

    // Security-relevant first, then in element order; stable within.
    d.entries.sort_by(|x, y| {
        y.security
            .cmp(&x.security)
            .then_with(|| x.element.cmp(&y.element))
    });
    d
}

/// Which findings a change introduced and which it resolved.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct FindingsDelta {
    /// In the later version only.
    pub introduced: Vec<crate::findings::Finding>,
    /// In the earlier version only.
    pub resolved: Vec<crate::findings::Finding>,
}

/// Compares two versions' findings by code and element. The message is not part of the
/// key: a renamed function keeps its finding, with new words, and that is no change.
pub fn findings_delta(
    before: &[crate::findings::Finding],
    after: &[crate::findings::Finding],
) -> FindingsDelta {
    use crate::findings::{Code, Element};
    let key = |f: &crate::findings::Finding| -> (Code, Element) { (f.code, f.at.clone()) };
    let was: BTreeSet<_> = before.iter().map(key).collect();
    let now: BTreeSet<_> = after.iter().map(key).collect();
    FindingsDelta {
        introduced: after
            .iter()
            .filter(|f| !was.contains(&key(f)))
            .cloned()
            .collect(),
        resolved: before
            .iter()
            .filter(|f| !now.contains(&key(f)))
            .cloned()
            .collect(),
    }
}

fn push_graph(d: &mut Diff, text: String) {
    d.entries.push(Entry {
        element: crate::findings::Element::Graph,
        status: Status::Changed,
        text,
        security: false,
    });
}

fn opt<T: std::fmt::Display>(v: &Option<T>) -> String {
    v.as_ref()
        .map_or_else(|| "none".to_owned(), |v| v.to_string())
}

fn change<T: PartialEq + std::fmt::Debug>(
    out: &mut Vec<String>,
    label: &str,
    a: &T,
    b: &T,
    show: impl Fn(&T) -> String,
) {
    if a != b {
        out.push(format!("{label} {} → {}", show(a), show(b)));
    }
}

fn opt_num<T: std::fmt::Display>(v: &Option<T>) -> String {
    v.as_ref()
        .map_or_else(|| "default".to_owned(), |v| v.to_string())
}

/// Wording for a node's changes: `(text, security-relevant)`.
/// `n` with nothing it grants: no statements, no role grants, no URL. Diffing
/// against it lists what an added (or removed) node grants, in the same words as a change.
fn without_grants(n: &Node) -> Node {
    let mut bare = n.clone();
    if let Some(role) = bare.role_mut() {
        role.grants.clear();
    }
    if let Node::Function(f) = &mut bare {
        f.policy.clear();
        f.url = None;
    }
    bare
}

/// Whether the node itself is an access decision: an outside caller, or a route that invokes
/// with a credentials role.
fn grants_access(n: &Node) -> bool {
    matches!(n, Node::ExternalPrincipal(_))
        || matches!(n, Node::HttpApiRoute(r) if r.credentials_role.is_some())
}

fn node_changes(a: &Node, b: &Node) -> Vec<(String, bool)> {
    let who = b.name().to_owned();
    let mut out: Vec<(String, bool)> = Vec::new();
    let mut plain = Vec::new();
    if a.name() != b.name() {
        plain.push(format!("renamed {} → {}", a.name(), b.name()));
    }
    // An external caller's account is its principal's, reported once as the caller change.
    let derived_account = matches!(
        (a, b),
        (Node::ExternalPrincipal(pa), Node::ExternalPrincipal(pb)) if pa.principal != pb.principal
    );
    if !derived_account {
        change(
            &mut plain,
            "account",
            &a.own_account(),
            &b.own_account(),
            opt,
        );
    }
    change(
        &mut plain,
        "region",
        &a.region().cloned(),
        &b.region().cloned(),
        opt,
    );
    match (a, b) {
        (Node::Function(fa), Node::Function(fb)) => {
            change(&mut plain, "timeout", &fa.timeout, &fb.timeout, |v| {
                format!("{v} s")
            });
            change(&mut plain, "qualifier", &fa.qualifier, &fb.qualifier, opt);
            change(
                &mut plain,
                "MaximumRetryAttempts",
                &fa.async_invoke.maximum_retry_attempts,
                &fb.async_invoke.maximum_retry_attempts,
                opt_num,
            );
            change(
                &mut plain,
                "MaximumEventAgeInSeconds",
                &fa.async_invoke.maximum_event_age,
                &fb.async_invoke.maximum_event_age,
                opt_num,
            );
            change(
                &mut plain,
                "recursive loop",
                &fa.recursive_loop,
                &fb.recursive_loop,
                |v| format!("{v:?}"),
            );
            if fa.packaging != fb.packaging {
                plain.push("packaging changed".into());
            }
            if fa.url != fb.url {
                out.push((
                    format!(
                        "function URL of {who}: {} → {}",
                        fa.url.as_ref().map_or("none", |u| u.auth_type.as_str()),
                        fb.url.as_ref().map_or("none", |u| u.auth_type.as_str())
                    ),
                    true,
                ));
            }
            out.extend(
                statement_changes(&who, &fa.policy, &fb.policy)
                    .into_iter()
                    .map(|t| (t, true)),
            );
            out.extend(
                role_changes(&who, &fa.role, &fb.role)
                    .into_iter()
                    .map(|t| (t, true)),
            );
        }
        (Node::SqsQueue(qa), Node::SqsQueue(qb)) => {
            change(
                &mut plain,
                "VisibilityTimeout",
                &qa.visibility_timeout,
                &qb.visibility_timeout,
                |v| v.map_or("default".into(), |s| format!("{s} s")),
            );
        }
        (Node::StateMachine(sa), Node::StateMachine(sb)) => out.extend(
            role_changes(&who, &sa.role, &sb.role)
                .into_iter()
                .map(|t| (t, true)),
        ),
        (Node::Schedule(sa), Node::Schedule(sb)) => {
            change(
                &mut plain,
                "schedule",
                &sa.expression,
                &sb.expression,
                |v| v.clone(),
            );
            out.extend(
                role_changes(&who, &sa.role, &sb.role)
                    .into_iter()
                    .map(|t| (t, true)),
            );
        }
        (Node::HttpApiRoute(ra), Node::HttpApiRoute(rb)) => {
            change(&mut plain, "route", &ra.route_key, &rb.route_key, |v| {
                v.clone()
            });
            change(&mut plain, "stage", &ra.stage, &rb.stage, |v| v.clone());
            if ra.credentials_role != rb.credentials_role {
                out.push((
                    format!(
                        "credentials role of {who}: {} → {}",
                        opt(&ra.credentials_role),
                        opt(&rb.credentials_role)
                    ),
                    true,
                ));
            }
        }
        (Node::EventRule(ra), Node::EventRule(rb)) => {
            change(&mut plain, "bus", &ra.bus, &rb.bus, |v| v.to_string());
            if ra.trigger != rb.trigger {
                plain.push("pattern or schedule changed".into());
            }
        }
        (Node::ExternalPrincipal(pa), Node::ExternalPrincipal(pb)) => {
            if pa.principal != pb.principal {
                out.push((
                    format!("caller {who}: {} → {}", pa.principal, pb.principal),
                    true,
                ));
            }
        }
        _ => {
            if a != b && plain.is_empty() {
                plain.push("settings changed".into());
            }
        }
    }
    if !plain.is_empty() {
        out.push((format!("{who}: {}", plain.join("; ")), false));
    }
    out
}

fn statement_changes(who: &str, a: &[Statement], b: &[Statement]) -> Vec<String> {
    let mut out = Vec::new();
    for sb in b {
        match a.iter().find(|s| s.sid == sb.sid) {
            None => out.push(format!(
                "statement {} added to {who}: {} may {}{}",
                sb.sid,
                sb.principal,
                sb.action,
                sb.source_arn
                    .as_ref()
                    .map_or(String::new(), |s| format!(" from {s}"))
            )),
            Some(sa) if sa != sb => {
                let mut parts = Vec::new();
                change(&mut parts, "Principal", &sa.principal, &sb.principal, |v| {
                    v.to_string()
                });
                change(&mut parts, "Action", &sa.action, &sb.action, |v| {
                    v.to_string()
                });
                for (label, x, y) in [
                    (
                        "SourceArn",
                        sa.source_arn.as_ref().map(|v| v.to_string()),
                        sb.source_arn.as_ref().map(|v| v.to_string()),
                    ),
                    (
                        "SourceAccount",
                        sa.source_account.as_ref().map(|v| v.to_string()),
                        sb.source_account.as_ref().map(|v| v.to_string()),
                    ),
                    (
                        "PrincipalOrgID",
                        sa.principal_org_id.clone(),
                        sb.principal_org_id.clone(),
                    ),
                    (
                        "FunctionUrlAuthType",
                        sa.function_url_auth_type.map(|v| v.as_str().to_owned()),
                        sb.function_url_auth_type.map(|v| v.as_str().to_owned()),
                    ),
                    (
                        "InvokedViaFunctionUrl",
                        sa.invoked_via_function_url.map(|v| v.to_string()),
                        sb.invoked_via_function_url.map(|v| v.to_string()),
                    ),
                ] {
                    match (x, y) {
                        (Some(_), None) => parts.push(format!("{label} removed")),
                        (None, Some(v)) => parts.push(format!("{label} {v} added")),
                        (Some(x), Some(y)) if x != y => parts.push(format!("{label} {x} → {y}")),
                        _ => {}
                    }
                }
                out.push(format!("statement {}: {}", sb.sid, parts.join("; ")));
            }
            Some(_) => {}
        }
    }
    for sa in a {
        if !b.iter().any(|s| s.sid == sa.sid) {
            out.push(format!("statement {} removed from {who}", sa.sid));
        }
    }
    out
}

fn role_changes(who: &str, a: &Role, b: &Role) -> Vec<String> {
    let mut out = Vec::new();
    if a.name != b.name {
        out.push(format!("role of {who}: {} → {}", a.name, b.name));
    }
    // Each action on each resource, and whether Eventloom manages it: a managed grant is
    // written into Eventloom's inline policy on apply, so turning management on or off
    // changes what the role holds in AWS even when the pair itself stays.
    let actions = |r: &Role| -> BTreeMap<String, bool> {
        let mut pairs = BTreeMap::new();
        for g in &r.grants {
            for act in &g.actions {
                for res in &g.resources {
                    *pairs.entry(format!("{act} on {res}")).or_insert(false) |= g.managed;
                }
            }
        }
        pairs
    };
    let (ga, gb) = (actions(a), actions(b));
    for added in gb.keys().filter(|k| !ga.contains_key(*k)) {
        out.push(format!("role {} of {who} granted {added}", b.name));
    }
    for removed in ga.keys().filter(|k| !gb.contains_key(*k)) {
        out.push(format!(
            "role {} of {who} no longer granted {removed}",
            b.name
        ));
    }
    for (pair, &now) in &gb {
        match ga.get(pair) {
            Some(&was) if was != now && now => out.push(format!(
                "role {} of {who}: {pair} now managed by Eventloom (apply writes it into Eventloom's inline policy)",
                b.name
            )),
            Some(&was) if was != now => out.push(format!(
                "role {} of {who}: {pair} no longer managed by Eventloom (apply removes it from Eventloom's inline policy)",
                b.name
            )),
            _ => {}
        }
    }
    for t in b.trusts.difference(&a.trusts) {
        out.push(format!("role {} of {who} now trusts {t}", b.name));
    }
    for t in a.trusts.difference(&b.trusts) {
        out.push(format!("role {} of {who} no longer trusts {t}", b.name));
    }
    out
}

fn edge_kind_changes(a: &EdgeKind, b: &EdgeKind) -> Vec<String> {
    let mut out = Vec::new();
    match (a, b) {
        (EdgeKind::Trigger(ta), EdgeKind::Trigger(tb)) => {
            change(&mut out, "Events", &ta.events, &tb.events, |v| {
                if v.is_empty() {
                    "none".into()
                } else {
                    v.join(", ")
                }
            });
            change(&mut out, "prefix", &ta.prefix, &tb.prefix, opt);
            change(&mut out, "suffix", &ta.suffix, &tb.suffix, opt);
            change(
                &mut out,
                "BatchSize",
                &ta.batch_size,
                &tb.batch_size,
                opt_num,
            );
            change(
                &mut out,
                "MaximumBatchingWindowInSeconds",
                &ta.batching_window,
                &tb.batching_window,
                opt_num,
            );
            change(
                &mut out,
                "StartingPosition",
                &ta.starting_position,
                &tb.starting_position,
                |v| v.map_or("none".into(), |p| p.as_str().to_owned()),
            );
            change(
                &mut out,
                "StartingPositionTimestamp",
                &ta.starting_position_timestamp,
                &tb.starting_position_timestamp,
                |v| v.map_or("none".into(), |s| s.to_string()),
            );
            change(&mut out, "filters", &ta.filters, &tb.filters, |v| {
                format!("{} pattern(s)", v.len())
            });
            change(
                &mut out,
                "MaximumRetryAttempts",
                &ta.maximum_retry_attempts,
                &tb.maximum_retry_attempts,
                opt_num,
            );
            change(
                &mut out,
                "MaximumRecordAgeInSeconds",
                &ta.maximum_record_age,
                &tb.maximum_record_age,
                opt_num,
            );
            change(
                &mut out,
                "BisectBatchOnFunctionError",
                &ta.bisect_batch_on_function_error,
                &tb.bisect_batch_on_function_error,
                opt_num,
            );
            change(
                &mut out,
                "FilterPolicy",
                &ta.filter_policy,
                &tb.filter_policy,
                |v| {
                    if v.is_some() {
                        "set".into()
                    } else {
                        "none".into()
                    }
                },
            );
            change(
                &mut out,
                "Cognito trigger",
                &ta.cognito_trigger,
                &tb.cognito_trigger,
                |v| v.map_or("none".into(), |c| c.as_str().to_owned()),
            );
            change(
                &mut out,
                "CloudFront event",
                &ta.cloudfront_event,
                &tb.cloudfront_event,
                |v| format!("{v:?}"),
            );
            change(
                &mut out,
                "InvocationType",
                &ta.invocation_type,
                &tb.invocation_type,
                |v| format!("{v:?}"),
            );
        }
        (
            EdgeKind::Redrive {
                max_receive_count: x,
            },
            EdgeKind::Redrive {
                max_receive_count: y,
            },
        ) => {
            change(&mut out, "maxReceiveCount", x, y, |v| v.to_string());
        }
        (EdgeKind::Invoke { invocation_type: x }, EdgeKind::Invoke { invocation_type: y }) => {
            change(&mut out, "InvocationType", x, y, |v| format!("{v:?}"));
        }
        (
            EdgeKind::Writes {
                key_prefix: pa,
                key_suffix: sa,
            },
            EdgeKind::Writes {
                key_prefix: pb,
                key_suffix: sb,
            },
        ) => {
            change(&mut out, "key prefix", pa, pb, opt);
            change(&mut out, "key suffix", sa, sb, opt);
        }
        (EdgeKind::MappingOnFailure { mapping: x }, EdgeKind::MappingOnFailure { mapping: y }) => {
            change(&mut out, "mapping", x, y, |v| v.to_string());
        }
        _ if a.edge_type() != b.edge_type() => out.push(format!(
            "kind {} → {}",
            a.edge_type().label(),
            b.edge_type().label()
        )),
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::*;

    fn texts(d: &Diff) -> Vec<&str> {
        d.entries.iter().map(|e| e.text.as_str()).collect()
    }

    #[test]
    fn a_retargeted_on_failure_reads_as_old_arrow_new() {
        let a = graph(
            &[
                func("process-order"),
                queue("orders-dlq"),
                topic("alerts-topic"),
            ],
            &[("f1", "process-order", "orders-dlq", EdgeKind::OnFailure)],
        );
        let b = graph(
            &[
                func("process-order"),
                queue("orders-dlq"),
                topic("alerts-topic"),
            ],
            &[("f2", "process-order", "alerts-topic", EdgeKind::OnFailure)],
        );
        let d = diff(&a, &b);
        assert_eq!(
            texts(&d),
            ["OnFailure of process-order: orders-dlq → alerts-topic"]
        );
        assert_eq!(d.edges[&eid("f2")], Status::Changed);
        assert_eq!(d.edges[&eid("f1")], Status::Removed);
    }

    #[test]
    fn retry_attempts_read_as_before_and_after() {
        let a = graph(
            &[func_with("f", |f| {
                f.async_invoke.maximum_retry_attempts = Some(2)
            })],
            &[],
        );
        let b = graph(
            &[func_with("f", |f| {
                f.async_invoke.maximum_retry_attempts = Some(0)
            })],
            &[],
        );
        assert_eq!(texts(&diff(&a, &b)), ["f: MaximumRetryAttempts 2 → 0"]);
    }

    #[test]
    fn a_dropped_source_account_is_security_relevant_and_listed_first() {
        let with = stmt(
            "AllowS3Invoke",
            "s3.amazonaws.com",
            Some("arn:aws:s3:::up"),
            Some(ACCOUNT),
        );
        let mut without = with.clone();
        without.source_account = None;
        let a = graph(
            &[func_with("f", |f| {
                f.policy.push(with);
                f.timeout = 3;
            })],
            &[],
        );
        let b = graph(
            &[func_with("f", |f| {
                f.policy.push(without);
                f.timeout = 10;
            })],
            &[],
        );
        let d = diff(&a, &b);
        assert_eq!(
            texts(&d),
            [
                "statement AllowS3Invoke: SourceAccount removed",
                "f: timeout 3 s → 10 s"
            ]
        );
        assert!(d.entries[0].security);
        assert!(!d.entries[1].security);
    }

    #[test]
    fn role_grants_are_security_relevant() {
        let a = graph(&[func("f")], &[]);
        let b = graph(
            &[func_with("f", |f| {
                f.role.grants.push(grant(
                    &["sqs:SendMessage"],
                    &["arn:aws:sqs:us-east-1:123456789012:q"],
                ))
            })],
            &[],
        );
        let d = diff(&a, &b);
        assert_eq!(
            texts(&d),
            ["role f-role of f granted sqs:SendMessage on arn:aws:sqs:us-east-1:123456789012:q"]
        );
        assert!(d.entries[0].security);
    }

    #[test]
    fn added_and_removed_nodes_and_edges_are_named() {
        let a = graph(
            &[func("f"), queue("old")],
            &[(
                "w",
                "f",
                "old",
                EdgeKind::Writes {
                    key_prefix: None,
                    key_suffix: None,
                },
            )],
        );
        let b = graph(&[func("f"), bucket("new-bucket")], &[]);
        let d = diff(&a, &b);
        assert!(texts(&d).contains(&"added S3 bucket new-bucket"));
        assert!(texts(&d).contains(&"removed SQS queue old"));
        assert!(texts(&d).contains(&"removed writes f → old"));
        assert_eq!(d.nodes[&nid("new-bucket")], Status::Added);
    }

    #[test]
    fn trigger_settings_changes_are_listed_by_aws_name() {
        let a = graph(
            &[queue("q"), func("f")],
            &[("t", "q", "f", trigger_with(|t| t.batch_size = Some(10)))],
        );
        let b = graph(
            &[queue("q"), func("f")],
            &[(
                "t",
                "q",
                "f",
                trigger_with(|t| {
                    t.batch_size = Some(100);
                    t.batching_window = Some(5);
                }),
            )],
        );
        assert_eq!(
            texts(&diff(&a, &b)),
            ["trigger q → f: BatchSize 10 → 100; MaximumBatchingWindowInSeconds default → 5"]
        );
    }

    #[test]
    fn moving_nodes_is_not_a_change() {
        let a = graph(&[func("f")], &[]);
        let mut b = a.clone();
        b.layout.insert(nid("f"), Point { x: 10.0, y: 20.0 });
        assert!(diff(&a, &b).is_empty());
    }

    #[test]
    fn a_new_statement_reads_as_who_may_do_what_from_where() {
        let a = graph(&[func("f")], &[]);
        let b = graph(
            &[func_with("f", |f| {
                f.policy.push(stmt(
                    "AllowSns",
                    "sns.amazonaws.com",
                    Some("arn:aws:sns:us-east-1:123456789012:t"),
                    None,
                ))
            })],
            &[],
        );
        let d = diff(&a, &b);
        assert_eq!(
            texts(&d),
            [
                "statement AllowSns added to f: sns.amazonaws.com may lambda:InvokeFunction from arn:aws:sns:us-east-1:123456789012:t"
            ]
        );
        assert!(d.entries[0].security);
        assert_eq!(texts(&diff(&b, &a)), ["statement AllowSns removed from f"]);
    }

    #[test]
    fn a_changed_source_arn_names_old_and_new() {
        let s = |arn: &str| stmt("AllowS3", "s3.amazonaws.com", Some(arn), Some(ACCOUNT));
        let a = graph(
            &[func_with("f", |f| f.policy.push(s("arn:aws:s3:::a")))],
            &[],
        );
        let b = graph(
            &[func_with("f", |f| f.policy.push(s("arn:aws:s3:::b")))],
            &[],
        );
        assert_eq!(
            texts(&diff(&a, &b)),
            ["statement AllowS3: SourceArn arn:aws:s3:::a → arn:aws:s3:::b"]
        );
    }

    #[test]
    fn a_function_url_made_public_is_security_relevant() {
        let a = graph(&[func("f")], &[]);
        let b = graph(
            &[func_with("f", |f| {
                f.url = Some(FunctionUrl {
                    auth_type: UrlAuthType::None,
                })
            })],
            &[],
        );
        let d = diff(&a, &b);
        assert_eq!(texts(&d), ["function URL of f: none → NONE"]);
        assert!(d.entries[0].security);
    }

    #[test]
    fn trust_and_role_name_changes_are_security_relevant() {
        let a = graph(&[func("f")], &[]);
        let b = graph(
            &[func_with("f", |f| {
                f.role.trusts.insert("edgelambda.amazonaws.com".into());
            })],
            &[],
        );
        let d = diff(&a, &b);
        assert_eq!(
            texts(&d),
            ["role f-role of f now trusts edgelambda.amazonaws.com"]
        );
        assert!(d.entries.iter().all(|e| e.security));
        assert_eq!(
            texts(&diff(&b, &a)),
            ["role f-role of f no longer trusts edgelambda.amazonaws.com"]
        );
    }

    #[test]
    fn removed_role_grants_say_no_longer_granted() {
        let g = |with: bool| {
            graph(
                &[func_with("f", |f| {
                    if with {
                        f.role.grants.push(grant(&["sqs:SendMessage"], &["*"]));
                    }
                })],
                &[],
            )
        };
        assert_eq!(
            texts(&diff(&g(true), &g(false))),
            ["role f-role of f no longer granted sqs:SendMessage on *"]
        );
    }

    #[test]
    fn a_grant_turned_managed_is_a_security_relevant_change() {
        let g = |managed: bool| {
            graph(
                &[func_with("f", |f| {
                    let mut x = grant(&["sqs:SendMessage"], &["*"]);
                    x.managed = managed;
                    f.role.grants.push(x);
                })],
                &[],
            )
        };
        let d = diff(&g(false), &g(true));
        assert_eq!(
            texts(&d),
            [
                "role f-role of f: sqs:SendMessage on * now managed by Eventloom (apply writes it into Eventloom's inline policy)"
            ]
        );
        assert!(d.entries.iter().all(|e| e.security));
        assert_eq!(
            texts(&diff(&g(true), &g(false))),
            [
                "role f-role of f: sqs:SendMessage on * no longer managed by Eventloom (apply removes it from Eventloom's inline policy)"
            ]
        );
    }

    #[test]
    fn an_added_function_lists_what_it_grants_and_a_removed_one_what_it_took_away() {
        let a = graph(&[], &[]);
        let b = graph(
            &[func_with("f", |f| {
                f.role.grants.push(grant(&["sqs:SendMessage"], &["*"]));
                f.url = Some(FunctionUrl {
                    auth_type: UrlAuthType::None,
                });
            })],
            &[],
        );
        let d = diff(&a, &b);
        assert_eq!(
            texts(&d),
            [
                "added Lambda function f",
                "function URL of f: none → NONE",
                "role f-role of f granted sqs:SendMessage on *",
            ]
        );
        assert!(d.entries.iter().all(|e| e.security));
        assert_eq!(
            texts(&diff(&b, &a)),
            [
                "removed Lambda function f",
                "function URL of f: NONE → none",
                "role f-role of f no longer granted sqs:SendMessage on *",
            ]
        );
    }

    /// `before` and `after` differ only by `edit` on node `id`.
    fn edited(nodes: &[Node], id: &str, edit: impl FnOnce(&mut Node)) -> Vec<String> {
        let a = graph(nodes, &[]);
        let mut b = a.clone();
        if let Some(n) = b.nodes.get_mut(&nid(id)) {
            edit(n);
        }
        texts(&diff(&a, &b))
            .into_iter()
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn function_settings_read_in_aws_terms() {
        let f = || func("f");
        let on = |e: fn(&mut Function)| {
            edited(&[f()], "f", move |n| {
                if let Node::Function(x) = n {
                    e(x)
                }
            })
        };
        assert_eq!(
            on(|x| x.qualifier = crate::ids::Qualifier::parse("live").ok()),
            ["f: qualifier none → live"]
        );
        assert_eq!(
            on(|x| x.async_invoke.maximum_event_age = Some(3600)),
            ["f: MaximumEventAgeInSeconds default → 3600"]
        );
        assert_eq!(
            on(|x| x.recursive_loop = RecursiveLoop::Allow),
            ["f: recursive loop Terminate → Allow"]
        );
        assert_eq!(
            on(|x| x.packaging.container_image = true),
            ["f: packaging changed"]
        );
        assert_eq!(
            on(|x| x.account = crate::ids::AccountId::parse(OTHER_ACCOUNT).ok()),
            [format!("f: account none → {OTHER_ACCOUNT}")]
        );
        assert_eq!(
            on(|x| x.region = crate::ids::Region::parse("eu-west-1").ok()),
            ["f: region none → eu-west-1"]
        );
    }

    #[test]
    fn invoker_roles_schedules_rules_and_routes_read_in_aws_terms() {
        let grant_sm = edited(&[state_machine("flow")], "flow", |n| {
            if let Node::StateMachine(s) = n {
                s.role
                    .grants
                    .push(grant(&["lambda:InvokeFunction"], &["*"]));
            }
        });
        assert_eq!(
            grant_sm,
            ["role flow-role of flow granted lambda:InvokeFunction on *"]
        );

        let sched = Node::Schedule(Schedule {
            name: crate::ids::ResourceName::parse("nightly").unwrap(),
            account: None,
            region: None,
            group: crate::ids::ResourceName::parse("default").unwrap(),
            expression: "rate(1 hour)".into(),
            role: Role::new(crate::ids::RoleName::parse("nightly-role").unwrap()),
        });
        assert_eq!(
            edited(&[sched], "nightly", |n| {
                if let Node::Schedule(s) = n {
                    s.expression = "cron(0 3 * * ? *)".into();
                }
            }),
            ["nightly: schedule rate(1 hour) → cron(0 3 * * ? *)"]
        );

        assert_eq!(
            edited(&[rule("orders")], "orders", |n| {
                if let Node::EventRule(r) = n {
                    r.bus = crate::ids::ResourceName::parse("payments").unwrap();
                    r.trigger = RuleTrigger::Pattern(r#"{"source":["app.payments"]}"#.into());
                }
            }),
            ["orders: bus default → payments; pattern or schedule changed"]
        );

        let route = edited(&[api_route("abc123")], "abc123", |n| {
            if let Node::HttpApiRoute(r) = n {
                r.route_key = "POST /orders".into();
                r.stage = "prod".into();
            }
        });
        assert_eq!(
            route,
            ["abc123: route GET /orders → POST /orders; stage $default → prod"]
        );
        let role = edited(&[api_route("abc123")], "abc123", |n| {
            if let Node::HttpApiRoute(r) = n {
                r.credentials_role =
                    Some(crate::ids::Arn::parse("arn:aws:iam::123456789012:role/apigw").unwrap());
            }
        });
        assert_eq!(
            role,
            ["credentials role of abc123: none → arn:aws:iam::123456789012:role/apigw"]
        );
    }

    #[test]
    fn a_change_without_its_own_wording_still_shows() {
        let bucket = || {
            Node::LogGroup(LogGroup {
                name: crate::ids::ResourceName::parse("app-logs").unwrap(),
                account: None,
                region: None,
            })
        };
        let a = graph(&[bucket()], &[]);
        let mut b = a.clone();
        if let Some(Node::LogGroup(l)) = b.nodes.get_mut(&nid("app-logs")) {
            l.region = crate::ids::Region::parse("eu-west-1").ok();
        }
        assert_eq!(texts(&diff(&a, &b)), ["app-logs: region none → eu-west-1"]);
    }

    #[test]
    fn queue_visibility_and_renames_read_with_units() {
        let a = graph(&[queue_with_visibility("q", 30)], &[]);
        let b = graph(&[queue_with_visibility("q", 180)], &[]);
        assert_eq!(texts(&diff(&a, &b)), ["q: VisibilityTimeout 30 s → 180 s"]);
        let before = graph(&[func("f")], &[]);
        let mut c = before.clone();
        if let Some(Node::Function(f)) = c.nodes.get_mut(&nid("f")) {
            f.name = crate::ids::FunctionName::parse("g").unwrap();
        }
        let d = diff(&before, &c);
        assert_eq!(texts(&d), ["g: renamed f → g"]);
        assert_eq!(d.nodes[&nid("f")], Status::Changed);
    }

    #[test]
    fn redrive_and_invoke_settings_read_by_aws_name() {
        let a = graph(
            &[queue("q"), queue("dlq")],
            &[(
                "r",
                "q",
                "dlq",
                EdgeKind::Redrive {
                    max_receive_count: 3,
                },
            )],
        );
        let b = graph(
            &[queue("q"), queue("dlq")],
            &[(
                "r",
                "q",
                "dlq",
                EdgeKind::Redrive {
                    max_receive_count: 5,
                },
            )],
        );
        assert_eq!(
            texts(&diff(&a, &b)),
            ["redrive (DLQ) q → dlq: maxReceiveCount 3 → 5"]
        );
    }

    #[test]
    fn an_added_edge_names_both_ends() {
        let a = graph(&[queue("q"), func("f")], &[]);
        let b = graph(&[queue("q"), func("f")], &[("t", "q", "f", trigger())]);
        let d = diff(&a, &b);
        assert_eq!(texts(&d), ["added trigger q → f"]);
        assert_eq!(d.edges[&eid("t")], Status::Added);
        assert_eq!(texts(&diff(&b, &a)), ["removed trigger q → f"]);
    }

    #[test]
    fn s3_event_filters_read_old_and_new() {
        let a = graph(
            &[bucket("bkt"), func("f")],
            &[("t", "bkt", "f", s3_trigger())],
        );
        let b = graph(
            &[bucket("bkt"), func("f")],
            &[(
                "t",
                "bkt",
                "f",
                match s3_trigger() {
                    EdgeKind::Trigger(mut t) => {
                        t.prefix = Some("uploads/".into());
                        EdgeKind::Trigger(t)
                    }
                    other => other,
                },
            )],
        );
        assert_eq!(
            texts(&diff(&a, &b)),
            ["trigger bkt → f: prefix none → uploads/"]
        );
    }

    #[test]
    fn an_external_callers_principal_change_is_security_relevant() {
        let a = graph(&[external("partner", "210987654321")], &[]);
        let b = graph(&[external("partner", "111122223333")], &[]);
        let d = diff(&a, &b);
        assert_eq!(texts(&d), ["caller partner: 210987654321 → 111122223333"]);
        assert!(d.entries[0].security);
    }

    #[test]
    fn a_route_credentials_role_change_is_security_relevant() {
        let a = graph(&[api_route("r")], &[]);
        let mut b = a.clone();
        if let Some(Node::HttpApiRoute(r)) = b.nodes.get_mut(&nid("r")) {
            r.route_key = "POST /orders".into();
        }
        assert_eq!(
            texts(&diff(&a, &b)),
            ["r: route GET /orders → POST /orders"]
        );
    }

    #[test]
    fn default_account_and_region_changes_are_graph_level() {
        let a = graph(&[], &[]);
        let mut b = a.clone();
        b.region = Some(crate::ids::Region::parse("eu-west-1").unwrap());
        let d = diff(&a, &b);
        assert_eq!(d.entries[0].element, crate::findings::Element::Graph);
        assert!(
            d.entries[0].text.starts_with("default region "),
            "{}",
            d.entries[0].text
        );
        assert!(
            d.entries[0].text.ends_with("→ eu-west-1"),
            "{}",
            d.entries[0].text
        );
    }

    #[test]
    fn findings_delta_keys_on_code_and_element() {
        let bad = graph(
            &[bucket("uploads"), func("f")],
            &[("t", "uploads", "f", s3_trigger())],
        );
        let before = crate::validate(&bad);
        let mut good = bad.clone();
        for fix in before.iter().filter_map(|f| f.fix.clone()) {
            for c in fix.changes {
                let _ = crate::apply(&mut good, &c);
            }
        }
        let after = crate::validate(&good);
        let delta = findings_delta(&before, &after);
        assert!(
            delta
                .resolved
                .iter()
                .any(|f| f.code == crate::Code::MissingInvokePermission),
            "{delta:#?}"
        );
        assert!(delta.introduced.is_empty(), "{delta:#?}");
        let back = findings_delta(&after, &before);
        assert_eq!(back.introduced.len(), delta.resolved.len());
    }
}

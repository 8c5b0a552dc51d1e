//! Property tests over generated graphs: validation never panics, JSON round-trips,
//! every change has an exact inverse, plans converge, and plans never remove what
//! Eventloom does not own.

use proptest::prelude::*;
use std::collections::BTreeMap;
use wiring::change::{Change, apply};
use wiring::ids::*;
use wiring::model::*;
use wiring::plan::*;
use wiring::{Graph, OWNED_PREFIX, can_connect, plan, validate};

const ACCOUNT: &str = "123456789012";
const OTHER: &str = "210987654321";

/// A compact description of a graph; `build` turns it into a real one.
#[derive(Debug, Clone)]
struct Spec {
    nodes: Vec<(u8, bool, bool, Option<u16>)>,
    edges: Vec<(u8, u8, u8, u8)>,
    statements: Vec<(u8, u8, u8, bool, bool)>,
    grants: Vec<(u8, u8, u8, bool)>,
    layout: Vec<(u8, i16, i16)>,
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        prop::collection::vec(
            (
                any::<u8>(),
                any::<bool>(),
                any::<bool>(),
                prop::option::of(0u16..2000),
            ),
            1..14,
        ),
        prop::collection::vec((any::<u8>(), any::<u8>(), any::<u8>(), any::<u8>()), 0..40),
        prop::collection::vec(
            (
                any::<u8>(),
                any::<u8>(),
                any::<u8>(),
                any::<bool>(),
                any::<bool>(),
            ),
            0..10,
        ),
        prop::collection::vec(
            (any::<u8>(), any::<u8>(), any::<u8>(), any::<bool>()),
            0..10,
        ),
        prop::collection::vec((any::<u8>(), any::<i16>(), any::<i16>()), 0..8),
    )
        .prop_map(|(nodes, edges, statements, grants, layout)| Spec {
            nodes,
            edges,
            statements,
            grants,
            layout,
        })
}

fn rn(s: &str) -> ResourceName {
    ResourceName::parse(s).unwrap()
}

fn make_node(i: usize, kind: u8, other_account: bool, fifo: bool, vis: Option<u16>) -> Node {
    let account = other_account.then(|| AccountId::parse(OTHER).unwrap());
    let role = |n: &str| Role::new(RoleName::parse(n).unwrap());
    match kind % 12 {
        0..=2 => {
            let mut f = Function::new(FunctionName::parse(&format!("fn-{i}")).unwrap());
            f.account = account;
            f.timeout = 1 + u32::from(vis.unwrap_or(3)) % 900;
            if fifo {
                f.url = Some(FunctionUrl {
                    auth_type: UrlAuthType::None,
                });
            }
            Node::Function(f)
        }
        3 => Node::S3Bucket(S3Bucket {
            name: BucketName::parse(&format!("bucket-{i}")).unwrap(),
            account,
            region: None,
        }),
        4 => Node::SqsQueue(SqsQueue {
            name: QueueName::parse(&if fifo {
                format!("queue-{i}.fifo")
            } else {
                format!("queue-{i}")
            })
            .unwrap(),
            account,
            region: None,
            visibility_timeout: vis.map(u32::from),
        }),
        5 => Node::SnsTopic(SnsTopic {
            name: TopicName::parse(&if fifo {
                format!("topic-{i}.fifo")
            } else {
                format!("topic-{i}")
            })
            .unwrap(),
            account,
            region: None,
        }),
        6 => Node::KinesisStream(KinesisStream {
            name: rn(&format!("stream-{i}")),
            account,
            region: None,
        }),
        7 => Node::EventRule(EventRule {
            name: rn(&format!("rule-{i}")),
            account,
            region: None,
            bus: rn("default"),
            trigger: RuleTrigger::Schedule("rate(5 minutes)".into()),
        }),
        8 => Node::EventBus(EventBus {
            name: rn("default"),
            account,
            region: None,
        }),
        9 => Node::UserPool(UserPool {
            name: rn(&format!("us-east-1_pool{i}")),
            account,
            region: None,
        }),
        10 => Node::StateMachine(StateMachine {
            name: rn(&format!("flow-{i}")),
            account,
            region: None,
            role: role(&format!("flow-{i}-role")),
        }),
        _ => Node::ExternalPrincipal(ExternalPrincipal {
            name: rn(&format!("caller-{i}")),
            account: None,
            region: None,
            principal: Principal::parse(if other_account { OTHER } else { ACCOUNT }).unwrap(),
        }),
    }
}

fn make_edge(g: &Graph, edges: &[EdgeId], kind: u8, variant: u8) -> EdgeKind {
    match kind % 8 {
        0 | 1 => {
            let mut t = Trigger::default();
            match variant % 5 {
                0 => t.events = vec!["s3:ObjectCreated:*".into()],
                1 => {
                    t.batch_size = Some(u32::from(variant));
                    t.batching_window = Some(u32::from(variant % 3));
                }
                2 => t.starting_position = Some(StartingPosition::Latest),
                3 => {
                    t.cognito_trigger =
                        Some(CognitoTrigger::ALL[usize::from(variant) % CognitoTrigger::ALL.len()])
                }
                _ => t.prefix = Some(format!("p{}/", variant % 3)),
            }
            EdgeKind::Trigger(t)
        }
        2 => EdgeKind::OnSuccess,
        3 => EdgeKind::OnFailure,
        4 => match edges.get(usize::from(variant) % edges.len().max(1)) {
            Some(m) => EdgeKind::MappingOnFailure { mapping: m.clone() },
            None => EdgeKind::DeadLetter,
        },
        5 => EdgeKind::Redrive {
            max_receive_count: u32::from(variant),
        },
        6 => EdgeKind::Invoke {
            invocation_type: if variant.is_multiple_of(2) {
                InvocationType::Event
            } else {
                InvocationType::RequestResponse
            },
        },
        _ => {
            let _ = g;
            EdgeKind::Writes {
                key_prefix: variant
                    .is_multiple_of(2)
                    .then(|| format!("p{}/", variant % 3)),
                key_suffix: None,
            }
        }
    }
}

/// Builds the graph; with `only_allowed`, edges `can_connect` refuses are left out, as the designer would.
fn build(s: &Spec, only_allowed: bool) -> Graph {
    let mut g = Graph::new(
        AccountId::parse(ACCOUNT).ok(),
        Region::parse("us-east-1").ok(),
    );
    let ids: Vec<NodeId> = (0..s.nodes.len())
        .map(|i| NodeId::parse(&format!("n{i}")).unwrap())
        .collect();
    for (i, (kind, other, fifo, vis)) in s.nodes.iter().enumerate() {
        g.nodes
            .insert(ids[i].clone(), make_node(i, *kind, *other, *fifo, *vis));
    }
    let mut edge_ids = Vec::new();
    for (i, (from, to, kind, variant)) in s.edges.iter().enumerate() {
        let from = ids[usize::from(*from) % ids.len()].clone();
        let to = ids[usize::from(*to) % ids.len()].clone();
        let kind = make_edge(&g, &edge_ids, *kind, *variant);
        if only_allowed && can_connect(&g, &from, &to, &kind).is_err() {
            continue;
        }
        let id = EdgeId::parse(&format!("e{i}")).unwrap();
        g.edges.insert(id.clone(), Edge { from, to, kind });
        edge_ids.push(id);
    }
    let functions: Vec<NodeId> = g
        .nodes
        .iter()
        .filter(|(_, n)| n.kind() == NodeKind::Function)
        .map(|(id, _)| id.clone())
        .collect();
    let arns: Vec<String> = g
        .nodes
        .keys()
        .filter_map(|id| g.arn_of(id).ok())
        .map(|a| a.to_string())
        .collect();
    if !functions.is_empty() {
        for (i, (f, principal, source, with_account, owned)) in s.statements.iter().enumerate() {
            let fid = &functions[usize::from(*f) % functions.len()];
            let principal = [
                "s3.amazonaws.com",
                "sns.amazonaws.com",
                "events.amazonaws.com",
                "*",
                OTHER,
            ][usize::from(*principal) % 5];
            let st = Statement {
                sid: StatementId::parse(&format!(
                    "{}s{i}",
                    if *owned { OWNED_PREFIX } else { "Manual" }
                ))
                .unwrap(),
                principal: Principal::parse(principal).unwrap(),
                action: IamAction::parse("lambda:InvokeFunction").unwrap(),
                source_arn: arns
                    .get(usize::from(*source) % arns.len().max(1))
                    .map(|a| ArnPattern::parse(a).unwrap()),
                source_account: with_account.then(|| AccountId::parse(ACCOUNT).unwrap()),
                principal_org_id: None,
                function_url_auth_type: None,
                invoked_via_function_url: None,
            };
            g.function_mut(fid).unwrap().policy.push(st);
        }
        for (f, action, resource, managed) in &s.grants {
            let fid = &functions[usize::from(*f) % functions.len()];
            let action = [
                "sqs:*",
                "sns:Publish",
                "lambda:InvokeFunction",
                "s3:PutObject",
                "*",
            ][usize::from(*action) % 5];
            let resource = arns
                .get(usize::from(*resource) % arns.len().max(1))
                .cloned()
                .unwrap_or_else(|| "*".into());
            g.function_mut(fid).unwrap().role.grants.push(RoleGrant {
                actions: [IamAction::parse(action).unwrap()].into(),
                resources: [ArnPattern::parse(&resource).unwrap()].into(),
                managed: *managed,
            });
        }
    }
    for (n, x, y) in &s.layout {
        let id = ids[usize::from(*n) % ids.len()].clone();
        g.layout.insert(
            id,
            Point {
                x: f64::from(*x) / 2.0,
                y: f64::from(*y) / 2.0,
            },
        );
    }
    g
}

/// Live state with foreign and stale owned things around the graph's resources.
fn observed(g: &Graph, seed: &[u8]) -> Observed {
    let mut o = Observed::default();
    let pick = |i: usize| seed.get(i).copied().unwrap_or(0);
    for (k, (id, node)) in g.nodes.iter().enumerate() {
        let Ok(arn) = g.arn_of(id) else { continue };
        let arn = arn.to_string();
        let b = pick(k);
        match node {
            Node::Function(_) => {
                let mut f = LiveFunction::default();
                if b & 1 != 0 {
                    f.policy.push(Statement {
                        sid: StatementId::parse("ForeignStatement").unwrap(),
                        principal: Principal::parse("sns.amazonaws.com").unwrap(),
                        action: IamAction::parse("lambda:InvokeFunction").unwrap(),
                        source_arn: Some(
                            ArnPattern::parse("arn:aws:sns:us-east-1:123456789012:foreign")
                                .unwrap(),
                        ),
                        source_account: None,
                        principal_org_id: None,
                        function_url_auth_type: None,
                        invoked_via_function_url: None,
                    });
                }
                if b & 2 != 0 {
                    f.policy.push(Statement {
                        sid: StatementId::parse("eventloom-stale").unwrap(),
                        principal: Principal::parse("s3.amazonaws.com").unwrap(),
                        action: IamAction::parse("lambda:InvokeFunction").unwrap(),
                        source_arn: Some(ArnPattern::parse("arn:aws:s3:::gone").unwrap()),
                        source_account: None,
                        principal_org_id: None,
                        function_url_auth_type: None,
                        invoked_via_function_url: None,
                    });
                }
                if b & 4 != 0 {
                    f.mappings.push(LiveMapping {
                        uuid: format!("foreign-{k}"),
                        source_arn: "arn:aws:sqs:us-east-1:123456789012:foreign".into(),
                        settings: MappingSettings::default(),
                        owner: None,
                    });
                }
                if b & 8 != 0 {
                    f.mappings.push(LiveMapping {
                        uuid: format!("stale-{k}"),
                        source_arn: "arn:aws:sqs:us-east-1:123456789012:stale".into(),
                        settings: MappingSettings::default(),
                        owner: Some("old-edge".into()),
                    });
                }
                if b & 16 != 0 {
                    f.invoke_config = Some(InvokeConfig {
                        on_success: Some("arn:aws:sns:us-east-1:123456789012:foreign".into()),
                        ..Default::default()
                    });
                }
                o.functions.insert(arn, f);
            }
            Node::S3Bucket(bk) => {
                let mut live = LiveBucket::default();
                if b & 1 != 0 {
                    live.lambda.push(LambdaNotification {
                        id: "foreign-notification".into(),
                        function_arn: "arn:aws:lambda:us-east-1:123456789012:function:foreign"
                            .into(),
                        events: vec!["s3:ObjectRemoved:*".into()],
                        prefix: None,
                        suffix: None,
                    });
                }
                if b & 2 != 0 {
                    live.lambda.push(LambdaNotification {
                        id: "eventloom-stale".into(),
                        function_arn: "arn:aws:lambda:us-east-1:123456789012:function:gone".into(),
                        events: vec!["s3:ObjectCreated:*".into()],
                        prefix: None,
                        suffix: None,
                    });
                }
                o.buckets.insert(bk.name.to_string(), live);
            }
            Node::EventRule(_) => {
                let mut targets = Vec::new();
                if b & 1 != 0 {
                    targets.push(LiveTarget {
                        id: "foreign".into(),
                        arn: "arn:aws:lambda:us-east-1:123456789012:function:foreign".into(),
                    });
                }
                if b & 2 != 0 {
                    targets.push(LiveTarget {
                        id: "eventloom-stale".into(),
                        arn: "arn:aws:lambda:us-east-1:123456789012:function:gone".into(),
                    });
                }
                o.rules.insert(arn, targets);
            }
            Node::UserPool(_) if b & 1 != 0 => {
                o.user_pools.insert(
                    arn,
                    BTreeMap::from([(
                        CognitoTrigger::CustomMessage,
                        "arn:aws:lambda:us-east-1:123456789012:function:foreign".into(),
                    )]),
                );
            }
            Node::SqsQueue(_) => {
                o.queues.insert(
                    arn,
                    LiveQueue {
                        url: None,
                        visibility_timeout: 30,
                        redrive: None,
                    },
                );
            }
            _ => {}
        }
    }
    o
}

fn change_for(g: &Graph, op: u8, a: u8, b: u8) -> Change {
    let ids: Vec<&NodeId> = g.nodes.keys().collect();
    let eids: Vec<&EdgeId> = g.edges.keys().collect();
    let node = |i: u8| {
        ids.get(usize::from(i) % ids.len().max(1))
            .map(|id| (*id).clone())
    };
    let edge = |i: u8| {
        eids.get(usize::from(i) % eids.len().max(1))
            .map(|id| (*id).clone())
    };
    let fallback = || Change::Batch { changes: vec![] };
    match op % 11 {
        0 => Change::AddNode {
            id: g.fresh_node_id(&format!("new{a}")),
            node: make_node(usize::from(a) + 100, b, false, false, None),
            position: a.is_multiple_of(2).then_some(Point {
                x: f64::from(a),
                y: f64::from(b),
            }),
        },
        1 => node(a).map_or_else(fallback, |id| Change::RemoveNode { id }),
        2 => Change::MoveNodes {
            positions: ids
                .iter()
                .take(usize::from(a % 4))
                .map(|id| {
                    (
                        (*id).clone(),
                        (!b.is_multiple_of(3)).then_some(Point {
                            x: f64::from(b),
                            y: -f64::from(a),
                        }),
                    )
                })
                .collect(),
        },
        3 => match (node(a), node(b)) {
            (Some(from), Some(to)) => Change::AddEdge {
                id: g.fresh_edge_id("new-edge"),
                edge: Edge {
                    from,
                    to,
                    kind: make_edge(g, &[], a, b),
                },
            },
            _ => fallback(),
        },
        4 => edge(a).map_or_else(fallback, |id| Change::RemoveEdge { id }),
        5 => node(a).map_or_else(fallback, |id| Change::PutStatement {
            node: id,
            statement: Statement {
                sid: StatementId::parse(&format!("eventloom-x{}", b % 4)).unwrap(),
                principal: Principal::parse("s3.amazonaws.com").unwrap(),
                action: IamAction::parse("lambda:InvokeFunction").unwrap(),
                source_arn: None,
                source_account: None,
                principal_org_id: None,
                function_url_auth_type: None,
                invoked_via_function_url: None,
            },
            index: b.is_multiple_of(2).then_some(usize::from(b % 3)),
        }),
        6 => node(a).map_or_else(fallback, |id| {
            let sid = match g.function(&id) {
                Some(f) if !f.policy.is_empty() => {
                    f.policy[usize::from(b) % f.policy.len()].sid.clone()
                }
                _ => StatementId::parse("none").unwrap(),
            };
            Change::RemoveStatement { node: id, sid }
        }),
        7 => node(a).map_or_else(fallback, |id| Change::AddRoleGrant {
            node: id,
            grant: RoleGrant {
                actions: [IamAction::parse("sqs:SendMessage").unwrap()].into(),
                resources: [ArnPattern::parse("*").unwrap()].into(),
                managed: b.is_multiple_of(2),
            },
            index: None,
        }),
        8 => node(a).map_or_else(fallback, |id| Change::SetVisibilityTimeout {
            node: id,
            seconds: b.is_multiple_of(2).then_some(u32::from(b)),
        }),
        9 => node(a).map_or_else(fallback, |id| Change::ReplaceNode {
            id: id.clone(),
            node: g.nodes[&id].clone(),
        }),
        _ => Change::Batch {
            changes: vec![change_for(g, a % 10, b, a), change_for(g, b % 10, a, b)],
        },
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn validate_never_panics_on_arbitrary_graphs(s in spec()) {
        let g = build(&s, false);
        let findings = validate(&g);
        for f in &findings {
            prop_assert!(!f.message.is_empty());
        }
        let ids: Vec<&NodeId> = g.nodes.keys().collect();
        for a in &ids {
            for b in &ids {
                let _ = wiring::connect::options(&g, a, b);
            }
        }
    }

    #[test]
    fn json_round_trips_losslessly(s in spec()) {
        let g = build(&s, false);
        let back = Graph::from_json(&g.to_json()).expect("own output parses");
        prop_assert_eq!(back, g);
    }

    #[test]
    fn every_change_is_undone_exactly_by_its_inverse(s in spec(), ops in prop::collection::vec((any::<u8>(), any::<u8>(), any::<u8>()), 1..20)) {
        let mut g = build(&s, false);
        for (op, a, b) in ops {
            let c = change_for(&g, op, a, b);
            let before = g.clone();
            match apply(&mut g, &c) {
                Ok(inverse) => {
                    let after = g.clone();
                    apply(&mut g, &inverse).expect("an inverse applies");
                    prop_assert_eq!(&g, &before);
                    // Redo, as the editor does, and carry on from there.
                    apply(&mut g, &c).expect("a change applies again after its undo");
                    prop_assert_eq!(&g, &after);
                }
                Err(_) => prop_assert_eq!(&g, &before, "a failed change leaves the graph as it was"),
            }
            prop_assert!(g.check().is_ok(), "changes keep edges pointing at nodes");
        }
    }

    #[test]
    fn planning_again_after_applying_a_plan_changes_nothing(s in spec(), seed in prop::collection::vec(any::<u8>(), 16)) {
        let g = build(&s, true);
        let o = observed(&g, &seed);
        let first = plan(&g, &o);
        let after = simulate(&o, &first);
        let second = plan(&g, &after);
        prop_assert!(second.is_empty(), "second plan: {:#?}", second.steps);
    }

    #[test]
    fn plans_never_remove_what_eventloom_does_not_own(s in spec(), seed in prop::collection::vec(any::<u8>(), 16)) {
        let g = build(&s, true);
        let o = observed(&g, &seed);
        let p = plan(&g, &o);
        let graph_arns: std::collections::BTreeSet<String> = g.nodes.keys().filter_map(|id| g.arn_of(id).ok()).map(|a| a.to_string()).collect();
        for step in &p.steps {
            match &step.action {
                // Ours, or named in the draft (and then replaced with the draft's content).
                Action::RemovePermission { sid, function_arn } => prop_assert!(
                    sid.is_owned()
                        || g.nodes.iter().any(|(id, n)| matches!(n, wiring::Node::Function(f)
                            if f.statement(sid).is_some()
                                && g.arn_of(id).map(|a| a.to_string()).as_deref() == Ok(function_arn.as_str()))),
                    "removed {sid}"
                ),
                Action::RemoveTargets { target_id, .. } => prop_assert!(target_id.starts_with(OWNED_PREFIX)),
                Action::DeleteEventSourceMapping { uuid, function_arn, .. } => {
                    let live = &o.functions[function_arn];
                    prop_assert!(live.mappings.iter().any(|m| &m.uuid == uuid && m.owner.is_some()));
                }
                Action::DeleteRolePolicy { policy_name, .. } => prop_assert_eq!(policy_name, wiring::policy::MANAGED_ROLE_POLICY),
                Action::PutBucketNotification { bucket, lambda, .. } => {
                    for n in o.buckets.get(bucket).map(|b| b.lambda.clone()).unwrap_or_default() {
                        if !n.id.starts_with(OWNED_PREFIX) {
                            prop_assert!(lambda.contains(&n), "dropped foreign notification {}", n.id);
                        }
                    }
                }
                Action::UpdateUserPoolLambdaConfig { pool_arn, config } => {
                    for (slot, fa) in o.user_pools.get(pool_arn).cloned().unwrap_or_default() {
                        if !graph_arns.contains(&fa) {
                            prop_assert_eq!(config.get(&slot), Some(&fa), "overwrote a foreign trigger");
                        }
                    }
                }
                Action::PutFunctionEventInvokeConfig { function_arn, config } => {
                    if let Some(live) = o.functions.get(function_arn).and_then(|f| f.invoke_config.clone())
                        && let Some(foreign) = live.on_success.filter(|a| !graph_arns.contains(a)) {
                            let replaced = g.edges.values().any(|e| e.kind == EdgeKind::OnSuccess && g.arn_of(&e.from).map(|a| a.to_string()).as_deref() == Ok(function_arn.as_str()));
                            prop_assert!(replaced || config.on_success.as_deref() == Some(foreign.as_str()));

                    }
                }
                _ => {}
            }
        }
    }
}

//! Connection rules: which edges AWS can wire between two nodes, and why not when it cannot.
//!
//! The canvas calls [`can_connect`] while the user drags and shows the refusal's reason at
//! the cursor; the validator runs the same rules over every saved edge.

use crate::catalog::{self, Invocation};
use crate::findings::Code;
use crate::ids::{EdgeId, NodeId};
use crate::model::{
    CloudFrontEvent, CognitoTrigger, Edge, EdgeKind, EdgeType, Graph, InvocationType, Node,
    NodeKind, StartingPosition, Trigger,
};
use serde::{Deserialize, Serialize};

/// Why a connection is refused, in words a person understands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{reason}")]
pub struct Refusal {
    /// The finding code the validator reports for an edge like this.
    pub code: Code,
    /// The reason, e.g. "FIFO queues cannot be async destinations: Lambda drops the record".
    pub reason: String,
}

fn refuse<T>(code: Code, reason: impl Into<String>) -> Result<T, Refusal> {
    Err(Refusal {
        code,
        reason: reason.into(),
    })
}

/// Whether an edge of `kind` may go from `from` to `to` in `graph`.
pub fn can_connect(
    graph: &Graph,
    from: &NodeId,
    to: &NodeId,
    kind: &EdgeKind,
) -> Result<(), Refusal> {
    let (Some(src), Some(dst)) = (graph.nodes.get(from), graph.nodes.get(to)) else {
        return refuse(
            Code::EdgeNotAllowed,
            "Both ends of a connection must be nodes in this draft",
        );
    };
    let siblings: Vec<(&EdgeId, &Edge)> = graph
        .edges
        .iter()
        .filter(|(_, e)| &e.from == from)
        .collect();
    check(graph, None, (from, src), (to, dst), kind, &siblings)
}

/// The same rules for an edge already in the graph. Of two conflicting edges, only the later
/// one (by id) is refused, so a conflict is reported once.
/// `siblings` are the edges leaving `edge.from`, which the validator has indexed already.
pub(crate) fn check_edge(
    graph: &Graph,
    id: &EdgeId,
    edge: &Edge,
    (src, dst): (&Node, &Node),
    siblings: &[(&EdgeId, &Edge)],
) -> Result<(), Refusal> {
    check(
        graph,
        Some(id),
        (&edge.from, src),
        (&edge.to, dst),
        &edge.kind,
        siblings,
    )
}

fn check(
    graph: &Graph,
    this: Option<&EdgeId>,
    (from, src): (&NodeId, &Node),
    (to, dst): (&NodeId, &Node),
    kind: &EdgeKind,
    siblings: &[(&EdgeId, &Edge)],
) -> Result<(), Refusal> {
    let (se, de) = (catalog::of(src), catalog::of(dst));
    // Conflicts are among edges leaving the same node; only earlier ones count for an
    // existing edge, so a conflict is reported once.
    let earlier = siblings
        .iter()
        .filter(|(id, _)| this.is_none_or(|t| *id < t));
    let others = |t: EdgeType| {
        earlier
            .clone()
            .filter(move |(_, e)| e.kind.edge_type() == t)
    };
    match kind {
        EdgeKind::Trigger(_) => {
            if de.kind != NodeKind::Function {
                return refuse(
                    Code::EdgeNotAllowed,
                    format!(
                        "Triggers go into a function; {} is a {}",
                        dst.name(),
                        de.label
                    ),
                );
            }
            if src.kind() == NodeKind::Function {
                return refuse(
                    Code::EdgeNotAllowed,
                    "A function calls another function with an invoke edge, or through a destination, not a trigger",
                );
            }
            if se.invocation.is_none() {
                return refuse(
                    Code::EdgeNotAllowed,
                    format!(
                        "{}s do not invoke functions; connect an EventBridge rule on the bus instead",
                        se.label
                    ),
                );
            }
            if let Node::SnsTopic(t) = src
                && t.name.is_fifo()
            {
                return refuse(
                    Code::EdgeNotAllowed,
                    "FIFO topics accept only SQS subscribers; subscribe a FIFO queue and let the function poll it",
                );
            }
            let twice = others(EdgeType::Trigger).any(|(_, e)| &e.to == to);
            // Cognito and S3 can call one function for several slots or filters.
            if twice && !matches!(src.kind(), NodeKind::UserPool | NodeKind::S3Bucket) {
                return refuse(
                    Code::EdgeNotAllowed,
                    format!("{} already triggers {}", src.name(), dst.name()),
                );
            }
            Ok(())
        }
        EdgeKind::OnSuccess | EdgeKind::OnFailure => {
            let t = kind.edge_type();
            require_function(src, t)?;
            let allowed = if t == EdgeType::OnSuccess {
                de.on_success_target
            } else {
                de.on_failure_target
            };
            if !allowed {
                return if dst.kind() == NodeKind::S3Bucket {
                    refuse(
                        Code::DestinationTypeNotAllowed,
                        "S3 buckets can only be OnFailure destinations of asynchronous invocations",
                    )
                } else {
                    refuse(
                        Code::DestinationTypeNotAllowed,
                        format!(
                            "A {} cannot be an async {} destination; use a standard SQS queue, a standard SNS topic, a function or an EventBridge bus{}",
                            de.label,
                            t.label(),
                            if t == EdgeType::OnFailure {
                                " (or an S3 bucket)"
                            } else {
                                ""
                            }
                        ),
                    )
                };
            }
            fifo_check(dst, "async destinations")?;
            if let Some((_, e)) = others(t).next() {
                let current = graph
                    .nodes
                    .get(&e.to)
                    .map_or("another target", |n| n.name());
                return refuse(
                    Code::DuplicateDestination,
                    format!(
                        "{} already has an {} destination ({current}); remove it first",
                        src.name(),
                        t.label()
                    ),
                );
            }
            Ok(())
        }
        EdgeKind::MappingOnFailure { mapping } => {
            require_function(src, EdgeType::MappingOnFailure)?;
            let Some(m) = graph.edges.get(mapping) else {
                return refuse(
                    Code::EdgeNotAllowed,
                    format!("There is no trigger '{mapping}' for this destination to belong to"),
                );
            };
            if !matches!(m.kind, EdgeKind::Trigger(_)) || &m.to != from {
                return refuse(
                    Code::EdgeNotAllowed,
                    format!(
                        "A mapping OnFailure destination belongs to a trigger into {}",
                        src.name()
                    ),
                );
            }
            let source_kind = graph.nodes.get(&m.from).map(Node::kind);
            match source_kind {
                Some(NodeKind::KinesisStream | NodeKind::DynamoDbStream | NodeKind::KafkaTopic) => {
                }
                Some(NodeKind::SqsQueue) => {
                    return refuse(
                        Code::EdgeNotAllowed,
                        "SQS event source mappings have no OnFailure destination: failed messages return to the queue; give the queue a redrive policy (DLQ) instead",
                    );
                }
                _ => {
                    return refuse(
                        Code::EdgeNotAllowed,
                        "Only Kinesis, DynamoDB Streams and Kafka mappings have an OnFailure destination",
                    );
                }
            }
            let kafka_target = dst.kind() == NodeKind::KafkaTopic;
            if kafka_target && source_kind != Some(NodeKind::KafkaTopic) {
                return refuse(
                    Code::DestinationTypeNotAllowed,
                    "A Kafka topic can be the OnFailure destination of a Kafka mapping only",
                );
            }
            if !de.mapping_failure_target && !kafka_target {
                return refuse(
                    Code::DestinationTypeNotAllowed,
                    format!(
                        "A mapping's OnFailure destination must be an SQS queue, SNS topic or S3 bucket, not a {}",
                        de.label
                    ),
                );
            }
            fifo_check(dst, "mapping OnFailure destinations")?;
            // Every destination of this mapping leaves the mapping's function, `from`.
            let taken = others(EdgeType::MappingOnFailure)
                .any(|(_, e)| matches!(&e.kind, EdgeKind::MappingOnFailure { mapping: m } if m == mapping));
            if taken {
                return refuse(
                    Code::DuplicateDestination,
                    "This mapping already has an OnFailure destination",
                );
            }
            Ok(())
        }
        EdgeKind::DeadLetter => {
            require_function(src, EdgeType::DeadLetter)?;
            if !de.dead_letter_target {
                return refuse(
                    Code::DestinationTypeNotAllowed,
                    format!(
                        "A dead-letter queue must be a standard SQS queue or SNS topic, not a {}",
                        de.label
                    ),
                );
            }
            fifo_check(dst, "dead-letter targets")?;
            if others(EdgeType::DeadLetter).next().is_some() {
                return refuse(
                    Code::DuplicateDestination,
                    format!("{} already has a dead-letter queue", src.name()),
                );
            }
            Ok(())
        }
        EdgeKind::Redrive { .. } => {
            let (Node::SqsQueue(a), Node::SqsQueue(b)) = (src, dst) else {
                return refuse(
                    Code::EdgeNotAllowed,
                    "A redrive policy moves messages from one SQS queue to another",
                );
            };
            if from == to {
                return refuse(
                    Code::EdgeNotAllowed,
                    "A queue cannot be its own dead-letter queue",
                );
            }
            if a.name.is_fifo() != b.name.is_fifo() {
                return refuse(
                    Code::EdgeNotAllowed,
                    "A FIFO queue's dead-letter queue must be FIFO, and a standard queue's must be standard",
                );
            }
            if graph.account_of(src) != graph.account_of(dst)
                || graph.region_of(src) != graph.region_of(dst)
            {
                return refuse(
                    Code::EdgeNotAllowed,
                    "A dead-letter queue must be in the same account and region as its queue",
                );
            }
            if others(EdgeType::Redrive).next().is_some() {
                return refuse(
                    Code::DuplicateDestination,
                    format!("{} already has a redrive policy", src.name()),
                );
            }
            Ok(())
        }
        EdgeKind::Invoke { .. } => {
            require_function(src, EdgeType::Invoke)?;
            if dst.kind() != NodeKind::Function {
                return refuse(
                    Code::EdgeNotAllowed,
                    "An invoke edge goes from a function to a function",
                );
            }
            Ok(())
        }
        EdgeKind::Writes { .. } => {
            require_function(src, EdgeType::Writes)?;
            if dst.kind() == NodeKind::Function {
                return refuse(
                    Code::EdgeNotAllowed,
                    "To call another function, use an invoke edge",
                );
            }
            if de.write_actions.is_empty() {
                return refuse(
                    Code::EdgeNotAllowed,
                    format!("A function does not write to a {}", de.label),
                );
            }
            Ok(())
        }
    }
}

fn require_function(node: &Node, t: EdgeType) -> Result<(), Refusal> {
    if node.kind() == NodeKind::Function {
        Ok(())
    } else {
        refuse(
            Code::EdgeNotAllowed,
            format!("A {} starts at a function", t.label()),
        )
    }
}

fn fifo_check(dst: &Node, context: &str) -> Result<(), Refusal> {
    if dst.is_fifo() {
        let what = if dst.kind() == NodeKind::SqsQueue {
            "FIFO queues"
        } else {
            "FIFO topics"
        };
        return refuse(
            Code::FifoDestination,
            format!("{what} cannot be {context}: Lambda drops the record"),
        );
    }
    Ok(())
}

/// One way to connect two nodes, for the canvas's kind menu.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConnectOption {
    /// The edge kind, with default settings.
    pub kind: EdgeKind,
    /// The menu label.
    pub label: String,
    /// Why it is not possible, when it is not.
    pub refused: Option<Refusal>,
}

/// Every edge kind that could join `from` to `to`, allowed first; used when the handle
/// alone does not decide the kind.
pub fn options(graph: &Graph, from: &NodeId, to: &NodeId) -> Vec<ConnectOption> {
    let (Some(src), Some(dst)) = (graph.nodes.get(from), graph.nodes.get(to)) else {
        return Vec::new();
    };
    let mut kinds: Vec<(EdgeKind, String)> = Vec::new();
    if dst.kind() == NodeKind::Function && src.kind() != NodeKind::Function {
        kinds.push((
            EdgeKind::Trigger(default_trigger(graph, from)),
            "Trigger".into(),
        ));
    }
    if src.kind() == NodeKind::Function {
        kinds.push((EdgeKind::OnSuccess, "OnSuccess destination".into()));
        kinds.push((EdgeKind::OnFailure, "OnFailure destination".into()));
        for (mid, m) in graph
            .edges
            .iter()
            .filter(|(_, e)| &e.to == from && matches!(e.kind, EdgeKind::Trigger(_)))
        {
            if let Some(s) = graph.nodes.get(&m.from)
                && matches!(
                    s.kind(),
                    NodeKind::KinesisStream | NodeKind::DynamoDbStream | NodeKind::KafkaTopic
                )
            {
                kinds.push((
                    EdgeKind::MappingOnFailure {
                        mapping: mid.clone(),
                    },
                    format!("OnFailure of the {} mapping", s.name()),
                ));
            }
        }
        kinds.push((EdgeKind::DeadLetter, "Dead-letter queue (legacy)".into()));
        if dst.kind() == NodeKind::Function {
            kinds.push((
                EdgeKind::Invoke {
                    invocation_type: InvocationType::RequestResponse,
                },
                "Invokes (SDK)".into(),
            ));
        } else {
            kinds.push((
                EdgeKind::Writes {
                    key_prefix: None,
                    key_suffix: None,
                },
                "Writes to (SDK)".into(),
            ));
        }
    }
    if src.kind() == NodeKind::SqsQueue && dst.kind() == NodeKind::SqsQueue {
        kinds.push((
            EdgeKind::Redrive {
                max_receive_count: 5,
            },
            "Redrive (dead-letter queue)".into(),
        ));
    }
    let mut out: Vec<ConnectOption> = kinds
        .into_iter()
        .map(|(kind, label)| {
            let refused = can_connect(graph, from, to, &kind).err();
            ConnectOption {
                kind,
                label,
                refused,
            }
        })
        .collect();
    out.sort_by_key(|o| o.refused.is_some());
    out
}

/// Sensible trigger settings for a new trigger from node `from`.
pub fn default_trigger(graph: &Graph, from: &NodeId) -> Trigger {
    let mut t = Trigger::default();
    let Some(src) = graph.nodes.get(from) else {
        return t;
    };
    match src.kind() {
        NodeKind::S3Bucket => t.events = vec!["s3:ObjectCreated:*".into()],
        NodeKind::SqsQueue => t.batch_size = Some(10),
        NodeKind::KinesisStream | NodeKind::DynamoDbStream | NodeKind::KafkaTopic => {
            t.batch_size = Some(100);
            t.starting_position = Some(StartingPosition::Latest);
        }
        NodeKind::UserPool => {
            // The first slot no other trigger of this pool uses.
            let taken: Vec<CognitoTrigger> = graph
                .edges
                .values()
                .filter(|e| &e.from == from)
                .filter_map(|e| e.kind.trigger().and_then(|t| t.cognito_trigger))
                .collect();
            t.cognito_trigger = CognitoTrigger::ALL
                .into_iter()
                .find(|c| !taken.contains(c))
                .or(Some(CognitoTrigger::PreSignUp));
        }
        NodeKind::Distribution => t.cloudfront_event = Some(CloudFrontEvent::OriginRequest),
        NodeKind::SesRule => t.invocation_type = Some(InvocationType::Event),
        NodeKind::ExternalPrincipal => t.invocation_type = Some(InvocationType::RequestResponse),
        _ => {}
    }
    t
}

/// How a trigger from `src` (with settings `t`) invokes: push sync/async, poll, role-based, edge.
pub fn trigger_invocation(src: &Node, t: Option<&Trigger>) -> Option<Invocation> {
    let inv = catalog::of(src).invocation?;
    Some(match inv {
        Invocation::PerEdge => match t.and_then(|t| t.invocation_type) {
            Some(InvocationType::Event) => Invocation::Async,
            Some(InvocationType::RequestResponse) => Invocation::Sync,
            // SES defaults to Event; a direct caller defaults to RequestResponse.
            None if src.kind() == NodeKind::SesRule => Invocation::Async,
            None => Invocation::Sync,
        },
        other => other,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::*;

    #[test]
    fn fifo_queues_cannot_be_async_destinations_because_lambda_drops_the_record() {
        let g = graph(&[func("fn"), queue("jobs.fifo")], &[]);
        let err = can_connect(&g, &nid("fn"), &nid("jobs.fifo"), &EdgeKind::OnFailure).unwrap_err();
        assert_eq!(err.code, Code::FifoDestination);
        assert_eq!(
            err.reason,
            "FIFO queues cannot be async destinations: Lambda drops the record"
        );
    }

    #[test]
    fn s3_is_an_on_failure_destination_but_never_on_success() {
        let g = graph(&[func("fn"), bucket("archive")], &[]);
        assert!(can_connect(&g, &nid("fn"), &nid("archive"), &EdgeKind::OnFailure).is_ok());
        let err = can_connect(&g, &nid("fn"), &nid("archive"), &EdgeKind::OnSuccess).unwrap_err();
        assert_eq!(err.code, Code::DestinationTypeNotAllowed);
        assert!(err.reason.contains("only be OnFailure"));
    }

    #[test]
    fn a_function_has_one_on_success_destination() {
        let g = graph(
            &[func("fn"), queue("a"), queue("b")],
            &[("e1", "fn", "a", EdgeKind::OnSuccess)],
        );
        let err = can_connect(&g, &nid("fn"), &nid("b"), &EdgeKind::OnSuccess).unwrap_err();
        assert_eq!(err.code, Code::DuplicateDestination);
        assert!(err.reason.contains("(a)"), "{}", err.reason);
    }

    #[test]
    fn sqs_mappings_have_no_on_failure_destination() {
        let g = graph(
            &[queue("in"), func("fn"), queue("dlq")],
            &[("t", "in", "fn", trigger())],
        );
        let kind = EdgeKind::MappingOnFailure { mapping: eid("t") };
        let err = can_connect(&g, &nid("fn"), &nid("dlq"), &kind).unwrap_err();
        assert!(err.reason.contains("redrive policy"), "{}", err.reason);
    }

    #[test]
    fn kinesis_mappings_may_send_failures_to_sqs() {
        let g = graph(
            &[stream("orders"), func("fn"), queue("dlq")],
            &[("t", "orders", "fn", trigger())],
        );
        let kind = EdgeKind::MappingOnFailure { mapping: eid("t") };
        assert!(can_connect(&g, &nid("fn"), &nid("dlq"), &kind).is_ok());
    }

    #[test]
    fn fifo_topics_cannot_trigger_functions() {
        let g = graph(&[topic("events.fifo"), func("fn")], &[]);
        let err = can_connect(&g, &nid("events.fifo"), &nid("fn"), &trigger()).unwrap_err();
        assert!(err.reason.contains("only SQS subscribers"));
    }

    #[test]
    fn triggers_only_go_into_functions() {
        let g = graph(&[bucket("uploads"), queue("q")], &[]);
        assert!(can_connect(&g, &nid("uploads"), &nid("q"), &trigger()).is_err());
    }

    #[test]
    fn redrive_needs_matching_queue_types() {
        let g = graph(&[queue("a.fifo"), queue("b")], &[]);
        let err = can_connect(
            &g,
            &nid("a.fifo"),
            &nid("b"),
            &EdgeKind::Redrive {
                max_receive_count: 3,
            },
        )
        .unwrap_err();
        assert!(err.reason.contains("must be FIFO"));
    }

    #[test]
    fn options_list_allowed_kinds_first() {
        let g = graph(&[func("fn"), bucket("archive")], &[]);
        let opts = options(&g, &nid("fn"), &nid("archive"));
        let first_refused = opts.iter().position(|o| o.refused.is_some()).unwrap();
        assert!(
            opts[..first_refused]
                .iter()
                .any(|o| o.kind == EdgeKind::OnFailure)
        );
        assert!(opts[first_refused..].iter().all(|o| o.refused.is_some()));
    }
}

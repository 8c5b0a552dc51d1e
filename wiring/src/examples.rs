//! Example graphs: the starter draft new users open, and generated graphs of any size for
//! benchmarks and the canvas stress page.

use crate::ids::*;
use crate::model::*;

/// The account the examples (and the sandbox emulator) use.
pub const EXAMPLE_ACCOUNT: &str = "123456789012";
/// The region the examples use.
pub const EXAMPLE_REGION: &str = "us-east-1";

fn node_id(s: &str) -> NodeId {
    NodeId::from_trusted(s)
}

fn edge_id(s: &str) -> EdgeId {
    EdgeId::from_trusted(s)
}

fn pattern(s: &str) -> ArnPattern {
    ArnPattern(s.into())
}

fn actions(list: &[&str]) -> Set<IamAction> {
    list.iter().map(|a| IamAction::known(a)).collect()
}

fn unmanaged(acts: &[&str], resources: &[&str]) -> RoleGrant {
    RoleGrant {
        actions: actions(acts),
        resources: resources.iter().map(|r| pattern(r)).collect(),
        managed: false,
    }
}

/// "S3 upload → thumbnail function → OnFailure SQS → retry function", with the gaps a
/// first-time user should see and fix: the thumbnail role cannot write thumbnails
/// (s3:PutObject), the tutorial-style S3 statement lacks SourceAccount, and the failure
/// queue's visibility timeout is shorter than the retry function's timeout.
pub fn thumbnail() -> Graph {
    let acct = EXAMPLE_ACCOUNT;
    let region = EXAMPLE_REGION;
    let bucket = "eventloom-demo-uploads";
    let queue_arn = format!("arn:aws:sqs:{region}:{acct}:thumbnail-failures");
    let mut g = Graph::new(Some(AccountId(acct.into())), Some(Region(region.into())));

    g.nodes.insert(
        node_id("uploads"),
        Node::S3Bucket(S3Bucket {
            name: BucketName(bucket.into()),
            account: None,
            region: None,
        }),
    );
    let mut thumb = Function::new(FunctionName("thumbnail".into()));
    thumb.timeout = 60;
    thumb.role.grants = vec![
        unmanaged(
            &["s3:GetObject"],
            &[&format!("arn:aws:s3:::{bucket}/incoming/*")],
        ),
        unmanaged(&["sqs:SendMessage"], &[&queue_arn]),
    ];
    thumb.policy = vec![Statement {
        sid: StatementId("AllowS3Invoke".into()),
        principal: Principal::Service("s3.amazonaws.com".into()),
        action: IamAction::known("lambda:InvokeFunction"),
        source_arn: Some(pattern(&format!("arn:aws:s3:::{bucket}"))),
        source_account: None,
        principal_org_id: None,
        function_url_auth_type: None,
        invoked_via_function_url: None,
    }];
    thumb.async_invoke.maximum_retry_attempts = Some(1);
    g.nodes.insert(node_id("thumbnail"), Node::Function(thumb));
    g.nodes.insert(
        node_id("failures"),
        Node::SqsQueue(SqsQueue {
            name: QueueName("thumbnail-failures".into()),
            account: None,
            region: None,
            visibility_timeout: Some(30),
        }),
    );
    let mut retry = Function::new(FunctionName("retry-thumbnail".into()));
    retry.timeout = 60;
    retry.role.grants = vec![
        unmanaged(
            &[
                "sqs:ReceiveMessage",
                "sqs:DeleteMessage",
                "sqs:GetQueueAttributes",
            ],
            &[&queue_arn],
        ),
        unmanaged(
            &["s3:GetObject", "s3:PutObject"],
            &[&format!("arn:aws:s3:::{bucket}/*")],
        ),
    ];
    g.nodes.insert(node_id("retry"), Node::Function(retry));

    let edges = [
        (
            "upload-trigger",
            "uploads",
            "thumbnail",
            EdgeKind::Trigger(Trigger {
                events: vec!["s3:ObjectCreated:*".into()],
                prefix: Some("incoming/".into()),
                ..Trigger::default()
            }),
        ),
        (
            "thumbnail-writes",
            "thumbnail",
            "uploads",
            EdgeKind::Writes {
                key_prefix: Some("thumbnails/".into()),
                key_suffix: None,
            },
        ),
        (
            "thumbnail-on-failure",
            "thumbnail",
            "failures",
            EdgeKind::OnFailure,
        ),
        (
            "failures-trigger",
            "failures",
            "retry",
            EdgeKind::Trigger(Trigger {
                batch_size: Some(5),
                ..Trigger::default()
            }),
        ),
        (
            "retry-writes",
            "retry",
            "uploads",
            EdgeKind::Writes {
                key_prefix: Some("thumbnails/".into()),
                key_suffix: None,
            },
        ),
    ];
    for (id, from, to, kind) in edges {
        g.edges.insert(
            edge_id(id),
            Edge {
                from: node_id(from),
                to: node_id(to),
                kind,
            },
        );
    }
    for (id, x, y) in [
        ("uploads", 80.0, 200.0),
        ("thumbnail", 360.0, 120.0),
        ("failures", 640.0, 200.0),
        ("retry", 920.0, 280.0),
    ] {
        g.layout.insert(node_id(id), Point { x, y });
    }
    g
}

/// A graph of about `n` nodes in repeating units of bucket → function → OnFailure queue →
/// polling function (which writes back under another prefix). About one unit in ten lacks
/// its S3 statement, so validation has real work and real findings.
pub fn generated(n: usize) -> Graph {
    let acct = EXAMPLE_ACCOUNT;
    let region = EXAMPLE_REGION;
    let mut g = Graph::new(Some(AccountId(acct.into())), Some(Region(region.into())));
    let units = n.div_ceil(4).max(1);
    let cols = (units as f64).sqrt().ceil() as usize;
    for i in 0..units {
        let bucket = format!("gen-uploads-{i}");
        let queue = format!("gen-failures-{i}");
        let queue_arn = format!("arn:aws:sqs:{region}:{acct}:{queue}");
        let (b, f, q, r) = (
            format!("b{i}"),
            format!("f{i}"),
            format!("q{i}"),
            format!("r{i}"),
        );

        g.nodes.insert(
            node_id(&b),
            Node::S3Bucket(S3Bucket {
                name: BucketName(bucket.as_str().into()),
                account: None,
                region: None,
            }),
        );
        let mut func = Function::new(FunctionName(format!("gen-process-{i}").into()));
        func.timeout = 30;
        func.role.grants = vec![unmanaged(&["sqs:SendMessage"], &[&queue_arn])];
        if i % 10 != 0 {
            func.policy.push(Statement {
                sid: StatementId(format!("eventloom-s3-{bucket}").into()),
                principal: Principal::Service("s3.amazonaws.com".into()),
                action: IamAction::known("lambda:InvokeFunction"),
                source_arn: Some(pattern(&format!("arn:aws:s3:::{bucket}"))),
                source_account: Some(AccountId(acct.into())),
                principal_org_id: None,
                function_url_auth_type: None,
                invoked_via_function_url: None,
            });
        }
        g.nodes.insert(node_id(&f), Node::Function(func));
        g.nodes.insert(
            node_id(&q),
            Node::SqsQueue(SqsQueue {
                name: QueueName(queue.into()),
                account: None,
                region: None,
                visibility_timeout: Some(300),
            }),
        );
        let mut retry = Function::new(FunctionName(format!("gen-retry-{i}").into()));
        retry.timeout = 30;
        retry.role.grants = vec![
            unmanaged(
                &[
                    "sqs:ReceiveMessage",
                    "sqs:DeleteMessage",
                    "sqs:GetQueueAttributes",
                ],
                &[&queue_arn],
            ),
            unmanaged(&["s3:PutObject"], &[&format!("arn:aws:s3:::{bucket}/*")]),
        ];
        g.nodes.insert(node_id(&r), Node::Function(retry));

        g.edges.insert(
            edge_id(&format!("t{i}")),
            Edge {
                from: node_id(&b),
                to: node_id(&f),
                kind: EdgeKind::Trigger(Trigger {
                    events: vec!["s3:ObjectCreated:*".into()],
                    prefix: Some("in/".into()),
                    ..Trigger::default()
                }),
            },
        );
        g.edges.insert(
            edge_id(&format!("d{i}")),
            Edge {
                from: node_id(&f),
                to: node_id(&q),
                kind: EdgeKind::OnFailure,
            },
        );
        g.edges.insert(
            edge_id(&format!("m{i}")),
            Edge {
                from: node_id(&q),
                to: node_id(&r),
                kind: EdgeKind::Trigger(Trigger {
                    batch_size: Some(10),
                    ..Trigger::default()
                }),
            },
        );
        g.edges.insert(
            edge_id(&format!("w{i}")),
            Edge {
                from: node_id(&r),
                to: node_id(&b),
                kind: EdgeKind::Writes {
                    key_prefix: Some("out/".into()),
                    key_suffix: None,
                },
            },
        );

        let (cx, cy) = ((i % cols) as f64 * 900.0, (i / cols) as f64 * 220.0);
        for (k, id) in [&b, &f, &q, &r].into_iter().enumerate() {
            g.layout.insert(
                node_id(id),
                Point {
                    x: cx + k as f64 * 210.0,
                    y: cy + if k % 2 == 0 { 0.0 } else { 90.0 },
                },
            );
        }
    }
    g
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::Code;

    #[test]
    fn the_example_round_trips_through_json() {
        let g = thumbnail();
        assert_eq!(Graph::from_json(&g.to_json()).unwrap(), g);
    }

    #[test]
    fn the_example_shows_exactly_its_three_deliberate_gaps() {
        let findings = crate::validate(&thumbnail());
        let codes: Vec<Code> = findings.iter().map(|f| f.code).collect();
        assert_eq!(
            codes,
            [
                Code::VisibilityBelowTimeout,
                Code::MissingWriteRoleAction,
                Code::MissingSourceAccount
            ],
            "{findings:#?}"
        );
    }

    #[test]
    fn fixing_every_finding_leaves_the_example_clean() {
        let mut g = thumbnail();
        for f in crate::validate(&g) {
            let fix = f.fix.expect("every example gap has a fix");
            crate::change::apply_all(&mut g, &fix.changes).unwrap();
        }
        let left: Vec<Code> = crate::validate(&g).iter().map(|f| f.code).collect();
        assert!(left.is_empty(), "{left:?}");
    }

    #[test]
    fn generated_graphs_have_the_size_asked_for() {
        assert_eq!(generated(1000).node_count(), 1000);
        assert_eq!(generated(10).node_count(), 12);
    }
}

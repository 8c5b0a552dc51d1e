//! Test helpers: small graphs built in one line, in the draft's default account and region.
#![allow(dead_code, missing_docs)]

use crate::ids::*;
use crate::model::*;

pub const ACCOUNT: &str = "123456789012";
pub const OTHER_ACCOUNT: &str = "210987654321";
pub const REGION: &str = "us-east-1";

pub fn nid(s: &str) -> NodeId {
    NodeId::parse(s).unwrap()
}

pub fn eid(s: &str) -> EdgeId {
    EdgeId::parse(s).unwrap()
}

pub fn arn(s: &str) -> Arn {
    Arn::parse(s).unwrap()
}

/// A graph in ACCOUNT/REGION; node ids are the node names.
pub fn graph(nodes: &[Node], edges: &[(&str, &str, &str, EdgeKind)]) -> Graph {
    let mut g = Graph::new(AccountId::parse(ACCOUNT).ok(), Region::parse(REGION).ok());
    for n in nodes {
        g.nodes.insert(nid(n.name()), n.clone());
    }
    for (id, from, to, kind) in edges {
        g.edges.insert(
            eid(id),
            Edge {
                from: nid(from),
                to: nid(to),
                kind: kind.clone(),
            },
        );
    }
    g
}

pub fn func(name: &str) -> Node {
    Node::Function(Function::new(FunctionName::parse(name).unwrap()))
}

pub fn func_with(name: &str, f: impl FnOnce(&mut Function)) -> Node {
    let mut func = Function::new(FunctionName::parse(name).unwrap());
    f(&mut func);
    Node::Function(func)
}

pub fn queue(name: &str) -> Node {
    Node::SqsQueue(SqsQueue {
        name: QueueName::parse(name).unwrap(),
        account: None,
        region: None,
        visibility_timeout: None,
    })
}

pub fn queue_with_visibility(name: &str, seconds: u32) -> Node {
    Node::SqsQueue(SqsQueue {
        name: QueueName::parse(name).unwrap(),
        account: None,
        region: None,
        visibility_timeout: Some(seconds),
    })
}

pub fn bucket(name: &str) -> Node {
    Node::S3Bucket(S3Bucket {
        name: BucketName::parse(name).unwrap(),
        account: None,
        region: None,
    })
}

pub fn topic(name: &str) -> Node {
    Node::SnsTopic(SnsTopic {
        name: TopicName::parse(name).unwrap(),
        account: None,
        region: None,
    })
}

pub fn stream(name: &str) -> Node {
    Node::KinesisStream(KinesisStream {
        name: ResourceName::parse(name).unwrap(),
        account: None,
        region: None,
    })
}

pub fn bus(name: &str) -> Node {
    Node::EventBus(EventBus {
        name: ResourceName::parse(name).unwrap(),
        account: None,
        region: None,
    })
}

pub fn rule(name: &str) -> Node {
    Node::EventRule(EventRule {
        name: ResourceName::parse(name).unwrap(),
        account: None,
        region: None,
        bus: ResourceName::parse("default").unwrap(),
        trigger: RuleTrigger::Pattern(r#"{"source":["app.orders"]}"#.into()),
    })
}

pub fn state_machine(name: &str) -> Node {
    Node::StateMachine(StateMachine {
        name: ResourceName::parse(name).unwrap(),
        account: None,
        region: None,
        role: Role {
            name: RoleName::parse(&format!("{name}-role")).unwrap(),
            trusts: ["states.amazonaws.com".to_owned()].into(),
            grants: vec![],
        },
    })
}

pub fn api_route(name: &str) -> Node {
    Node::HttpApiRoute(HttpApiRoute {
        name: ResourceName::parse(name).unwrap(),
        account: None,
        region: None,
        stage: "$default".into(),
        route_key: "GET /orders".into(),
        credentials_role: None,
    })
}

pub fn external(name: &str, principal: &str) -> Node {
    Node::ExternalPrincipal(ExternalPrincipal {
        name: ResourceName::parse(name).unwrap(),
        account: None,
        region: None,
        principal: Principal::parse(principal).unwrap(),
    })
}

pub fn trigger() -> EdgeKind {
    EdgeKind::Trigger(Trigger::default())
}

pub fn trigger_with(f: impl FnOnce(&mut Trigger)) -> EdgeKind {
    let mut t = Trigger::default();
    f(&mut t);
    EdgeKind::Trigger(t)
}

pub fn s3_trigger() -> EdgeKind {
    trigger_with(|t| t.events = vec!["s3:ObjectCreated:*".into()])
}

pub fn stmt(
    sid: &str,
    principal: &str,
    source_arn: Option<&str>,
    source_account: Option<&str>,
) -> Statement {
    Statement {
        sid: StatementId::parse(sid).unwrap(),
        principal: Principal::parse(principal).unwrap(),
        action: IamAction::parse("lambda:InvokeFunction").unwrap(),
        source_arn: source_arn.map(|a| ArnPattern::parse(a).unwrap()),
        source_account: source_account.map(|a| AccountId::parse(a).unwrap()),
        principal_org_id: None,
        function_url_auth_type: None,
        invoked_via_function_url: None,
    }
}

pub fn grant(actions: &[&str], resources: &[&str]) -> RoleGrant {
    RoleGrant {
        actions: actions
            .iter()
            .map(|a| IamAction::parse(a).unwrap())
            .collect(),
        resources: resources
            .iter()
            .map(|r| ArnPattern::parse(r).unwrap())
            .collect(),
        managed: false,
    }
}

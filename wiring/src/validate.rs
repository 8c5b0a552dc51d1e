//! The validator: every missing grant, unsafe statement and setting AWS will reject, each
//! with its fix. Runs in the browser on every edit and on the server on every save, so it
//! is linear in the size of the graph.

mod loops;

use crate::catalog::{self, Invocation, action_resource};
use crate::change::Change;
use crate::connect::{self, trigger_invocation};
use crate::findings::{Code, Element, Finding, Fix, Severity};
use crate::ids::{AccountId, EdgeId, NodeId, StatementId, wildcard_match};
use crate::model::*;
use crate::policy::{
    self, POLICY_LIMIT, add_permission_cli, put_role_policy_cli, remove_permission_cli, shell_quote,
};
use rustc_hash::FxHashMap as HashMap;
use std::borrow::Cow;
use std::collections::BTreeSet;

/// Validates `graph` and returns its findings, errors first.
pub fn validate(graph: &Graph) -> Vec<Finding> {
    let arns = Arns::new(graph);
    let mut v = Validator::new(graph, &arns);
    v.run();
    let mut out = v.out;
    out.sort_by(|a, b| (a.severity, &a.at, a.code).cmp(&(b.severity, &b.at, b.code)));
    out
}

/// The edits "Fix all grants" makes: every grant fix (statement, role action, trust) among
/// `findings`, in their order. The designer applies them as one undoable step.
pub fn grant_changes(findings: &[Finding]) -> Vec<Change> {
    findings
        .iter()
        .filter_map(|f| f.fix.as_ref())
        .filter(|x| x.grant)
        .flat_map(|x| x.changes.iter().cloned())
        .collect()
}

/// Adds every grant the validator asks for, validating again until none is missing (a
/// fixed trigger can expose the next grant behind it). Returns how many edits applied.
pub fn fix_all_grants(graph: &mut Graph) -> usize {
    let mut applied = 0;
    // Each pass only adds grants, so a handful of passes reaches the fixpoint; the bound
    // keeps a fix that never satisfies its own finding from looping.
    for _ in 0..5 {
        let changes = grant_changes(&validate(graph));
        if changes.is_empty() {
            break;
        }
        // Two fixes can add the same grant; the second is refused and changes nothing.
        applied += changes
            .iter()
            .filter(|c| crate::change::apply(graph, c).is_ok())
            .count();
    }
    applied
}

/// Every node's ARN (in node order), written into one buffer: one allocation per
/// validation instead of one per node, on every edit.
struct Arns {
    text: String,
    spans: Vec<Result<(u32, u32), Missing>>,
}

impl Arns {
    fn new(g: &Graph) -> Self {
        let mut text = String::with_capacity(g.nodes.len() * 56);
        let spans = g
            .nodes
            .values()
            .map(|node| {
                let start = text.len();
                match node.write_arn(
                    &mut text,
                    g.account_cow(node).as_deref(),
                    g.region_ref(node),
                ) {
                    Ok(()) => Ok((start as u32, text.len() as u32)),
                    Err(m) => {
                        text.truncate(start);
                        Err(m)
                    }
                }
            })
            .collect();
        Self { text, spans }
    }

    fn get(&self, i: usize) -> Result<&str, Missing> {
        self.spans[i].map(|(a, b)| &self.text[a as usize..b as usize])
    }
}

/// What the validator knows about one node, computed once.
pub(crate) struct Info<'g> {
    pub(crate) id: &'g NodeId,
    pub(crate) node: &'g Node,
    arn: Result<&'g str, Missing>,
    /// This node's edges are `incoming[in_at..in_end]` and `outgoing[out_at..out_end]` of
    /// the validator's adjacency lists (one list each for the whole graph, not two
    /// allocations per node).
    in_at: u32,
    in_end: u32,
    out_at: u32,
    out_end: u32,
    reported_missing: bool,
}

/// An edge with its endpoints resolved to positions in `Validator::info`, so the rules
/// for one edge do not look its nodes up again and again.
#[derive(Clone, Copy)]
pub(crate) struct EdgeRef<'g> {
    pub(crate) id: &'g EdgeId,
    pub(crate) edge: &'g Edge,
    pub(crate) from: usize,
    pub(crate) to: usize,
}

pub(crate) struct Validator<'g> {
    pub(crate) g: &'g Graph,
    pub(crate) edges: Vec<EdgeRef<'g>>,
    /// Node id to its position in `info` (which is in id order).
    pub(crate) index: HashMap<&'g NodeId, usize>,
    pub(crate) info: Vec<Info<'g>>,
    incoming: Vec<(&'g EdgeId, &'g Edge)>,
    outgoing: Vec<(&'g EdgeId, &'g Edge)>,
    /// The target's position of each `outgoing` edge.
    outgoing_to: Vec<u32>,
    out: Vec<Finding>,
}

/// Who a statement must name: a service (the common case, compared without allocating) or
/// an exact principal.
enum Wanted {
    Service(&'static str),
    Exact(Principal),
}

impl Wanted {
    /// Whether a statement naming `p` lets the wanted caller in. A statement naming a
    /// whole account (its id, or its `:root` ARN) covers every role in that account.
    fn is(&self, p: &Principal) -> bool {
        match (self, p) {
            (Wanted::Service(a), Principal::Service(b)) => *a == b.as_str(),
            (Wanted::Exact(a), b) if a == b => true,
            (Wanted::Exact(Principal::Arn(role)), Principal::Account(acct)) => {
                role.account() == acct.as_str()
            }
            (Wanted::Exact(Principal::Arn(role)), Principal::Arn(root)) => {
                root.resource() == "root"
                    && root.service() == "iam"
                    && !role.account().is_empty()
                    && root.account() == role.account()
            }
            _ => false,
        }
    }

    fn principal(&self) -> Principal {
        match self {
            Wanted::Service(s) => Principal::service(s),
            Wanted::Exact(p) => p.clone(),
        }
    }
}

/// A statement a source needs on a function.
struct Needed<'a> {
    principal: Wanted,
    source_arn: Option<&'a str>,
    source_account: Option<AccountId>,
}

impl<'g> Validator<'g> {
    fn new(g: &'g Graph, arns: &'g Arns) -> Self {
        let mut index: HashMap<&NodeId, usize> =
            HashMap::with_capacity_and_hasher(g.nodes.len(), Default::default());
        let mut info: Vec<Info<'g>> = Vec::with_capacity(g.nodes.len());
        for (i, (id, node)) in g.nodes.iter().enumerate() {
            index.insert(id, i);
            info.push(Info {
                id,
                node,
                arn: arns.get(i),
                in_at: 0,
                in_end: 0,
                out_at: 0,
                out_end: 0,
                reported_missing: false,
            });
        }
        let mut edges = Vec::with_capacity(g.edges.len());
        let mut dangling = Vec::new();
        for (id, e) in &g.edges {
            match (index.get(&e.from), index.get(&e.to)) {
                (Some(&from), Some(&to)) => {
                    info[from].out_end += 1;
                    info[to].in_end += 1;
                    edges.push(EdgeRef {
                        id,
                        edge: e,
                        from,
                        to,
                    });
                }
                _ => dangling.push(Finding::new(
                    Code::EdgeNotAllowed,
                    Element::Edge(id.clone()),
                    "This edge points at a node that is not in the draft; delete it.",
                )),
            }
        }
        // Counting sort of the edges by node: degrees became offsets, then each edge is
        // placed in edge-id order, as a per-node list would have it.
        let (mut ins, mut outs) = (0, 0);
        for i in info.iter_mut() {
            (i.in_at, i.out_at) = (ins, outs);
            (ins, outs) = (ins + i.in_end, outs + i.out_end);
            (i.in_end, i.out_end) = (i.in_at, i.out_at);
        }
        let (mut incoming, mut outgoing) = (Vec::new(), Vec::new());
        let mut outgoing_to = vec![0; edges.len()];
        if let Some(first) = edges.first() {
            // Every slot is overwritten below; the first edge is only a filler.
            incoming = vec![(first.id, first.edge); edges.len()];
            outgoing = incoming.clone();
            for r in &edges {
                let at = &mut info[r.from].out_end;
                outgoing[*at as usize] = (r.id, r.edge);
                outgoing_to[*at as usize] = r.to as u32;
                *at += 1;
                let at = &mut info[r.to].in_end;
                incoming[*at as usize] = (r.id, r.edge);
                *at += 1;
            }
        }
        Self {
            g,
            edges,
            index,
            info,
            incoming,
            outgoing,
            outgoing_to,
            out: dangling,
        }
    }

    pub(crate) fn at(&self, id: &NodeId) -> Option<&Info<'g>> {
        self.index.get(id).map(|&i| &self.info[i])
    }

    pub(crate) fn node_of(&self, id: &NodeId) -> Option<&'g Node> {
        self.at(id).map(|i| i.node)
    }

    /// Edges into the node at position `i`, in edge-id order.
    pub(crate) fn incoming_at(&self, i: usize) -> &[(&'g EdgeId, &'g Edge)] {
        let n = &self.info[i];
        &self.incoming[n.in_at as usize..n.in_end as usize]
    }

    /// Edges out of the node at position `i`, in edge-id order.
    pub(crate) fn outgoing_at(&self, i: usize) -> &[(&'g EdgeId, &'g Edge)] {
        let n = &self.info[i];
        &self.outgoing[n.out_at as usize..n.out_end as usize]
    }

    pub(crate) fn incoming(&self, id: &NodeId) -> &[(&'g EdgeId, &'g Edge)] {
        self.index.get(id).map_or(&[], |&i| self.incoming_at(i))
    }

    fn account_at(&self, i: usize) -> Option<Cow<'g, AccountId>> {
        self.g.account_cow(self.info[i].node)
    }

    /// Nodes naming the same AWS resource (a pasted or duplicated node keeps its name):
    /// reported on the later one, pointing at the first.
    fn duplicates(&mut self) {
        let mut first: HashMap<&'g str, usize> =
            HashMap::with_capacity_and_hasher(self.info.len(), Default::default());
        let mut found = Vec::new();
        for (i, info) in self.info.iter().enumerate() {
            let Ok(arn) = info.arn else { continue };
            if let Some(&j) = first.get(arn) {
                found.push(
                    Finding::new(
                        Code::DuplicateResource,
                        Element::Node(info.id.clone()),
                        format!(
                            "{} and {} are the same {} ({arn}); the draft would wire it twice. Rename this one if it is another resource, or delete it and connect the first.",
                            self.info[j].id,
                            info.id,
                            catalog::of(info.node).label
                        ),
                    )
                    .field("name"),
                );
            } else {
                first.insert(arn, i);
            }
        }
        self.out.extend(found);
    }

    fn run(&mut self) {
        // Node by node, each with the edges leaving it: a node's data is read once for its
        // edges and its own checks together, while it is still in cache (on large graphs,
        // the cost is the memory reads, not the rules).
        for i in 0..self.info.len() {
            let n = &self.info[i];
            for k in n.out_at as usize..n.out_end as usize {
                let (id, edge) = self.outgoing[k];
                let to = self.outgoing_to[k] as usize;
                self.edge(EdgeRef {
                    id,
                    edge,
                    from: i,
                    to,
                });
            }
            self.check_node(i);
        }
        self.s3_filters();
        self.cognito_slots();
        self.duplicates();
        let loops = loops::find(self);
        self.out.extend(loops);
    }

    fn push(&mut self, f: Finding) {
        self.out.push(f);
    }

    /// The ARN of the node at position `i`, reporting once per node when it cannot be built.
    fn arn_at(&mut self, i: usize) -> Option<&'g str> {
        let id = self.info[i].id;
        let m = match self.info[i].arn {
            Ok(a) => return Some(a),
            Err(m) => m,
        };
        if m != Missing::Node && !self.info[i].reported_missing {
            self.info[i].reported_missing = true;
            let name = self.info[i].node.name().to_owned();
            let field = match m {
                Missing::StreamLabel => "stream_label",
                Missing::Region => "region",
                _ => "account",
            };
            self.push(
                Finding::new(
                    Code::MissingAccount,
                    Element::Node(id.clone()),
                    format!("Cannot build {name}'s ARN: {m}."),
                )
                .field(field),
            );
        }
        None
    }

    fn name(&self, id: &NodeId) -> String {
        self.g
            .nodes
            .get(id)
            .map_or_else(|| id.to_string(), |n| n.name().to_owned())
    }

    fn account(&self, id: &NodeId) -> Option<Cow<'g, AccountId>> {
        self.at(id).and_then(|i| self.g.account_cow(i.node))
    }

    /// `name` or `name:qualifier`, as the CLI's --function-name takes it.
    fn cli_function(&self, f: &Function) -> String {
        match &f.qualifier {
            Some(q) if q.as_str() != "$LATEST" => format!("{}:{}", f.name, q),
            _ => f.name.to_string(),
        }
    }

    // ---------------------------------------------------------------------------------
    // Edges
    // ---------------------------------------------------------------------------------

    fn edge(&mut self, e: EdgeRef<'g>) {
        let (id, edge) = (e.id, e.edge);
        let (src, dst) = (self.info[e.from].node, self.info[e.to].node);
        let siblings = self.outgoing_at(e.from);
        if let Err(r) = connect::check_edge(self.g, id, edge, (src, dst), siblings) {
            let mut f = Finding::new(r.code, Element::Edge(id.clone()), format!("{}.", r.reason));
            f.fix = Some(Fix {
                summary: "Delete this edge".into(),
                changes: vec![Change::RemoveEdge { id: id.clone() }],
                cli: String::new(),
                grant: false,
            });
            self.push(f);
            return;
        }
        match &edge.kind {
            EdgeKind::Trigger(t) => self.trigger(e, src, dst, t),
            EdgeKind::OnSuccess | EdgeKind::OnFailure => {
                self.destination_grant(e, dst, edge.kind.edge_type().label());
                self.destination_fires(e);
                self.cross_account_destination(e, dst);
            }
            EdgeKind::MappingOnFailure { .. } => {
                self.destination_grant(e, dst, "mapping OnFailure");
                self.cross_account_destination(e, dst);
            }
            EdgeKind::DeadLetter => {
                self.destination_grant(e, dst, "dead-letter");
                self.push(Finding::new(
                    Code::LegacyDeadLetter,
                    Element::Edge(id.clone()),
                    format!(
                        "{}'s dead-letter queue receives only the event body. An OnFailure destination also records the error, the request id and the retry count.",
                        src.name()
                    ),
                ));
            }
            EdgeKind::Redrive { max_receive_count } => {
                if !(1..=1000).contains(max_receive_count) {
                    self.push(
                        Finding::new(
                            Code::ValueOutOfRange,
                            Element::Edge(id.clone()),
                            format!(
                                "maxReceiveCount is {max_receive_count}; SQS accepts 1 to 1000."
                            ),
                        )
                        .field("max_receive_count"),
                    );
                }
            }
            EdgeKind::Invoke { .. } => self.invoke(e, src, dst),
            EdgeKind::Writes {
                key_prefix,
                key_suffix,
            } => {
                self.writes(e, dst);
                if let Node::S3Bucket(_) = dst {
                    self.s3_write_back(e, key_prefix.as_deref(), key_suffix.as_deref());
                }
            }
        }
    }

    fn trigger(&mut self, e: EdgeRef<'g>, src: &'g Node, dst: &'g Node, t: &'g Trigger) {
        let (id, edge) = (e.id, e.edge);
        let Node::Function(f) = dst else { return };
        let entry = catalog::of(src);
        self.trigger_settings(id, edge, src, t);
        if entry.same_region
            && let (Some(a), Some(b)) = (self.g.region_ref(src), self.g.region_ref(dst))
            && a != b
        {
            self.push(
                        Finding::new(
                            Code::CrossRegionTrigger,
                            Element::Edge(id.clone()),
                            format!(
                                "{} is in {a} but {} is in {b}; a {} can only trigger functions in its own region.",
                                src.name(),
                                f.name,
                                entry.label
                            ),
                        )
                        .field("region"),
                    );
        }
        let (src_acct, fn_acct) = (self.account_at(e.from), self.account_at(e.to));
        let cross_account = matches!((&src_acct, &fn_acct), (Some(a), Some(b)) if a != b);
        let Some(inv) = trigger_invocation(src, Some(t)) else {
            return;
        };

        if let Node::ExternalPrincipal(p) = src {
            self.external_caller(id, edge, p, f, cross_account);
            return;
        }
        match inv {
            Invocation::Async | Invocation::Sync => {
                if let Node::HttpApiRoute(r) = src
                    && r.credentials_role.is_some()
                {
                    // API Gateway assumes its credentials role; that role needs the grant instead.
                    return;
                }
                let Some(principal) = entry.principal else {
                    return;
                };
                let Some(src_arn) = self.arn_at(e.from) else {
                    return;
                };
                let source_account =
                    if entry.needs_source_account || arn_account(src_arn).is_empty() {
                        src_acct.clone().map(Cow::into_owned)
                    } else {
                        None
                    };
                let needed = Needed {
                    principal: Wanted::Service(principal),
                    source_arn: Some(src_arn),
                    source_account,
                };
                self.require_statement(id, edge, src, f, needed, entry.needs_source_account);
                if cross_account {
                    self.cross_account_trigger(id, src, f);
                }
            }
            Invocation::Poll => {
                self.poll(e, src, f, t);
                if cross_account {
                    self.cross_account_trigger(id, src, f);
                }
            }
            Invocation::RoleSync | Invocation::RoleAsync => {
                self.role_invoker(e, src, f, cross_account)
            }
            Invocation::Edge => self.lambda_at_edge(&edge.to, f),
            Invocation::PerEdge => {}
        }
    }

    /// Finds a statement on `f` that lets `needed` invoke; reports the gap with its fix.
    fn require_statement(
        &mut self,
        id: &EdgeId,
        edge: &Edge,
        src: &Node,
        f: &Function,
        needed: Needed,
        wants_account: bool,
    ) {
        let allows = |s: &Statement| {
            needed.principal.is(&s.principal)
                && s.action.covers("lambda:InvokeFunction")
                && match (&s.source_arn, needed.source_arn) {
                    (Some(p), Some(a)) => wildcard_match(p.as_str(), a),
                    _ => true,
                }
                && match (&s.source_account, &needed.source_account) {
                    (Some(a), Some(b)) => a == b,
                    _ => true,
                }
        };
        let label = catalog::of(src).label;
        match f.policy.iter().find(|s| allows(s)) {
            None => {
                let statement = Statement {
                    sid: self.fresh_sid(f, src),
                    principal: needed.principal.principal(),
                    action: IamAction::known("lambda:InvokeFunction"),
                    source_arn: needed.source_arn.map(ArnPattern::exact_str),
                    source_account: needed.source_account.clone(),
                    principal_org_id: None,
                    function_url_auth_type: None,
                    invoked_via_function_url: None,
                };
                let mut msg = format!(
                    "{label} {} cannot invoke {}: no statement in its resource-based policy allows principal {}",
                    src.name(),
                    f.name,
                    needed.principal.principal()
                );
                if let Some(a) = needed.source_arn {
                    msg.push_str(&format!(" with SourceArn {a}"));
                }
                msg.push('.');
                if src.kind() == NodeKind::S3Bucket {
                    msg.push_str(" S3 also checks this when the notification is written, so the statement must exist first.");
                }
                let fix = Fix {
                    summary: format!("Add statement {} to {}'s policy", statement.sid, f.name),
                    cli: add_permission_cli(&self.cli_function(f), &statement),
                    changes: vec![Change::PutStatement {
                        node: edge.to.clone(),
                        statement,
                        index: None,
                    }],
                    grant: true,
                };
                self.push(
                    Finding::new(
                        Code::MissingInvokePermission,
                        Element::Edge(id.clone()),
                        msg,
                    )
                    .field("policy")
                    .fix(fix),
                );
            }
            Some(s)
                if wants_account
                    && s.source_account.is_none()
                    && needed.source_account.is_some() =>
            {
                let mut fixed = s.clone();
                fixed.source_account = needed.source_account.clone();
                let fn_name = self.cli_function(f);
                let fix = Fix {
                    summary: format!(
                        "Add SourceAccount {} to statement {}",
                        fixed.source_account.as_ref().map_or("", |a| a.as_str()),
                        s.sid
                    ),
                    cli: format!(
                        "{}\n{}",
                        remove_permission_cli(&fn_name, s.sid.as_str()),
                        add_permission_cli(&fn_name, &fixed)
                    ),
                    changes: vec![Change::PutStatement {
                        node: edge.to.clone(),
                        statement: fixed,
                        index: None,
                    }],
                    grant: true,
                };
                self.push(
                    Finding::new(
                        Code::MissingSourceAccount,
                        Element::Edge(id.clone()),
                        format!(
                            "Statement {} lets {label} {} invoke {} without SourceAccount. {}",
                            s.sid,
                            src.name(),
                            f.name,
                            source_account_reason(src.kind())
                        ),
                    )
                    .field("policy")
                    .fix(fix),
                );
            }
            Some(_) => {}
        }
    }

    /// A statement id not yet used on `f`, derived from the source: `eventloom-s3-uploads`.
    fn fresh_sid(&self, f: &Function, src: &Node) -> StatementId {
        let short = match src.kind() {
            NodeKind::S3Bucket => "s3",
            NodeKind::SnsTopic => "sns",
            NodeKind::EventRule => "events",
            NodeKind::HttpApiRoute => "apigw",
            NodeKind::TargetGroup => "elb",
            NodeKind::UserPool => "cognito",
            NodeKind::SesRule => "ses",
            NodeKind::IotRule => "iot",
            NodeKind::LogGroup => "logs",
            NodeKind::StateMachine => "sfn",
            NodeKind::Schedule => "scheduler",
            NodeKind::Function => "lambda",
            _ => "ext",
        };
        fresh_sid(f, &format!("{}{short}-{}", crate::OWNED_PREFIX, src.name()))
    }

    fn external_caller(
        &mut self,
        id: &EdgeId,
        edge: &Edge,
        p: &ExternalPrincipal,
        f: &Function,
        cross_account: bool,
    ) {
        if !cross_account {
            self.push(Finding::new(
                Code::ManualInvokeIdentity,
                Element::Edge(id.clone()),
                format!(
                    "{} is in {}'s account: it needs lambda:InvokeFunction on {} in its own identity policy, and no function statement.",
                    p.principal, f.name, f.name
                ),
            ));
            return;
        }
        let matches = |s: &Statement| {
            s.action.covers("lambda:InvokeFunction")
                && (s.principal == p.principal
                    || matches!((&s.principal, p.principal.account()), (Principal::Account(a), Some(b)) if a.as_str() == b))
        };
        if f.policy.iter().any(matches) {
            self.push(Finding::new(
                Code::CrossAccount,
                Element::Edge(id.clone()),
                format!(
                    "{} may invoke {} across accounts; its own account must also allow lambda:InvokeFunction in the caller's identity policy.",
                    p.principal, f.name
                ),
            ));
            return;
        }
        let statement = Statement {
            sid: fresh_sid(f, &format!("{}ext-{}", crate::OWNED_PREFIX, p.name)),
            principal: p.principal.clone(),
            action: IamAction::known("lambda:InvokeFunction"),
            source_arn: None,
            source_account: None,
            principal_org_id: None,
            function_url_auth_type: None,
            invoked_via_function_url: None,
        };
        let fix = Fix {
            summary: format!("Add statement {} allowing {}", statement.sid, p.principal),
            cli: add_permission_cli(&self.cli_function(f), &statement),
            changes: vec![Change::PutStatement {
                node: edge.to.clone(),
                statement,
                index: None,
            }],
            grant: true,
        };
        self.push(
            Finding::new(
                Code::MissingInvokePermission,
                Element::Edge(id.clone()),
                format!(
                    "{} is in another account: {}'s resource-based policy needs a statement naming it, and the caller's identity policy must allow lambda:InvokeFunction too. No trigger is involved.",
                    p.principal, f.name
                ),
            )
            .field("policy")
            .fix(fix),
        );
    }

    fn cross_account_trigger(&mut self, id: &EdgeId, src: &Node, f: &Function) {
        let text = match src.kind() {
            NodeKind::SnsTopic => {
                "the topic's access policy must allow the function's account to sns:Subscribe, and the function's policy must allow sns.amazonaws.com with the topic as SourceArn"
            }
            NodeKind::EventRule => {
                "cross-account EventBridge targets are sent through an event bus in the function's account, or need a role on the rule"
            }
            NodeKind::KinesisStream => {
                "the stream's resource policy must allow the execution role to read it"
            }
            NodeKind::SqsQueue => {
                "the queue's access policy must allow the execution role to receive and delete messages"
            }
            NodeKind::S3Bucket => {
                "the statement needs SourceAccount set to the bucket owner's account"
            }
            _ => {
                "the function's resource-based policy must name the source, and the source's account must allow the call"
            }
        };
        self.push(Finding::new(
            Code::CrossAccount,
            Element::Edge(id.clone()),
            format!(
                "{} and {} are in different accounts: {text}.",
                src.name(),
                f.name
            ),
        ));
    }

    fn trigger_settings(&mut self, id: &EdgeId, edge: &Edge, src: &Node, t: &Trigger) {
        let entry = catalog::of(src);
        let set: [(&str, bool); 15] = [
            ("events", !t.events.is_empty()),
            ("prefix", t.prefix.is_some()),
            ("suffix", t.suffix.is_some()),
            ("batch_size", t.batch_size.is_some()),
            ("batching_window", t.batching_window.is_some()),
            ("starting_position", t.starting_position.is_some()),
            (
                "starting_position_timestamp",
                t.starting_position_timestamp.is_some(),
            ),
            ("filters", !t.filters.is_empty()),
            ("maximum_retry_attempts", t.maximum_retry_attempts.is_some()),
            ("maximum_record_age", t.maximum_record_age.is_some()),
            (
                "bisect_batch_on_function_error",
                t.bisect_batch_on_function_error.is_some(),
            ),
            ("filter_policy", t.filter_policy.is_some()),
            ("cognito_trigger", t.cognito_trigger.is_some()),
            ("cloudfront_event", t.cloudfront_event.is_some()),
            ("invocation_type", t.invocation_type.is_some()),
        ];
        for (field, present) in set {
            if present && !entry.trigger_fields.contains(&field) {
                self.push(
                    Finding::new(
                        Code::SettingNotApplicable,
                        Element::Edge(id.clone()),
                        format!(
                            "{field} does not apply to a {} trigger and is ignored.",
                            entry.label
                        ),
                    )
                    .field(field),
                );
            }
        }
        let out_of_range = |field: &str, msg: String| {
            Finding::new(
                Code::MappingSettingOutOfRange,
                Element::Edge(id.clone()),
                msg,
            )
            .field(field)
        };
        let mut found = Vec::new();
        match src.kind() {
            NodeKind::S3Bucket => {
                if t.events.is_empty() {
                    let mut fixed = t.clone();
                    fixed.events = vec!["s3:ObjectCreated:*".into()];
                    found.push(
                        Finding::new(
                            Code::UnknownS3Event,
                            Element::Edge(id.clone()),
                            "Choose at least one S3 event, e.g. s3:ObjectCreated:*.",
                        )
                        .field("events")
                        .fix(replace_trigger(
                            id,
                            edge,
                            fixed,
                            "Notify on s3:ObjectCreated:*",
                        )),
                    );
                }
                for e in &t.events {
                    if !S3_EVENTS.contains(&e.as_str()) {
                        found.push(
                            Finding::new(
                                Code::UnknownS3Event,
                                Element::Edge(id.clone()),
                                format!("S3 has no event '{e}'; use one like s3:ObjectCreated:*."),
                            )
                            .field("events"),
                        );
                    }
                }
            }
            NodeKind::SqsQueue => {
                let fifo = src.is_fifo();
                let max = if fifo { 10 } else { 10_000 };
                let batch = t.batch_size.unwrap_or(10);
                if !(1..=max).contains(&batch) {
                    found.push(out_of_range(
                        "batch_size",
                        if fifo {
                            format!("BatchSize is {batch}; FIFO queues allow at most 10.")
                        } else {
                            format!("BatchSize is {batch}; SQS mappings accept 1 to 10,000.")
                        },
                    ));
                }
                if batch > 10 && t.batching_window.unwrap_or(0) < 1 && !fifo {
                    let mut fixed = t.clone();
                    fixed.batching_window = Some(1);
                    found.push(
                        Finding::new(
                            Code::BatchWindowRequired,
                            Element::Edge(id.clone()),
                            format!("BatchSize {batch} is above 10, so Lambda requires MaximumBatchingWindowInSeconds of at least 1."),
                        )
                        .field("batching_window")
                        .fix(replace_trigger(id, edge, fixed, "Set the batching window to 1 s")),
                    );
                }
            }
            NodeKind::KinesisStream | NodeKind::DynamoDbStream | NodeKind::KafkaTopic => {
                let batch = t.batch_size.unwrap_or(100);
                if !(1..=10_000).contains(&batch) {
                    found.push(out_of_range(
                        "batch_size",
                        format!("BatchSize is {batch}; stream mappings accept 1 to 10,000."),
                    ));
                }
                match t.starting_position {
                    None => {
                        let mut fixed = t.clone();
                        fixed.starting_position = Some(StartingPosition::Latest);
                        found.push(
                            Finding::new(
                                Code::StartingPositionRequired,
                                Element::Edge(id.clone()),
                                format!("A {} mapping needs a StartingPosition (TRIM_HORIZON or LATEST).", catalog::of(src).label),
                            )
                            .field("starting_position")
                            .fix(replace_trigger(id, edge, fixed, "Start at LATEST")),
                        );
                    }
                    // AWS takes AT_TIMESTAMP for Kinesis, MSK and self-managed Kafka, not for
                    // DynamoDB streams.
                    Some(StartingPosition::AtTimestamp)
                        if src.kind() == NodeKind::DynamoDbStream =>
                    {
                        found.push(
                            Finding::new(
                                Code::StartingPositionRequired,
                                Element::Edge(id.clone()),
                                "DynamoDB streams start at TRIM_HORIZON or LATEST; AT_TIMESTAMP is only for Kinesis and Kafka.",
                            )
                            .field("starting_position"),
                        );
                    }
                    Some(StartingPosition::AtTimestamp)
                        if t.starting_position_timestamp.is_none() =>
                    {
                        found.push(
                            Finding::new(
                                Code::StartingPositionRequired,
                                Element::Edge(id.clone()),
                                "AT_TIMESTAMP needs StartingPositionTimestamp: the time (UTC) to start reading from.",
                            )
                            .field("starting_position_timestamp"),
                        );
                    }
                    Some(_) => {}
                }
                if t.starting_position_timestamp.is_some()
                    && t.starting_position != Some(StartingPosition::AtTimestamp)
                {
                    let mut fixed = t.clone();
                    fixed.starting_position_timestamp = None;
                    found.push(
                        Finding::new(
                            Code::SettingNotApplicable,
                            Element::Edge(id.clone()),
                            "StartingPositionTimestamp applies only with StartingPosition AT_TIMESTAMP and is ignored.",
                        )
                        .field("starting_position_timestamp")
                        .fix(replace_trigger(id, edge, fixed, "Remove the timestamp")),
                    );
                }
                if let Some(r) = t.maximum_retry_attempts
                    && !(-1..=10_000).contains(&r)
                {
                    found.push(out_of_range("maximum_retry_attempts", format!("MaximumRetryAttempts is {r}; use -1 (retry until the record expires) to 10,000.")));
                }
                if let Some(a) = t.maximum_record_age
                    && a != -1
                    && !(60..=604_800).contains(&a)
                {
                    found.push(out_of_range(
                        "maximum_record_age",
                        format!(
                            "MaximumRecordAgeInSeconds is {a}; use -1 (no limit) or 60 to 604,800."
                        ),
                    ));
                }
            }
            NodeKind::UserPool if t.cognito_trigger.is_none() => {
                found.push(
                    Finding::new(Code::ValueOutOfRange, Element::Edge(id.clone()), "Choose which Cognito trigger (PreSignUp, PostConfirmation, …) this function handles.")
                        .field("cognito_trigger"),
                );
            }
            NodeKind::Distribution if t.cloudfront_event.is_none() => {
                found.push(
                    Finding::new(Code::ValueOutOfRange, Element::Edge(id.clone()), "Choose the CloudFront event (viewer-request, origin-request, …) that runs this function.")
                        .field("cloudfront_event"),
                );
            }
            _ => {}
        }
        if let Some(w) = t.batching_window
            && w > 300
        {
            found.push(out_of_range(
                "batching_window",
                format!("MaximumBatchingWindowInSeconds is {w}; Lambda accepts 0 to 300."),
            ));
        }
        for (field, text) in t
            .filters
            .iter()
            .map(|f| ("filters", f))
            .chain(t.filter_policy.iter().map(|f| ("filter_policy", f)))
        {
            if !serde_json::from_str::<serde_json::Value>(text).is_ok_and(|v| v.is_object()) {
                found.push(
                    Finding::new(
                        Code::ValueOutOfRange,
                        Element::Edge(id.clone()),
                        format!(
                            "The {field} entry is not a JSON object: {}",
                            truncate(text, 60)
                        ),
                    )
                    .field(field),
                );
            }
        }
        self.out.extend(found);
    }

    fn poll(&mut self, e: EdgeRef<'g>, src: &Node, f: &Function, t: &Trigger) {
        let (id, edge) = (e.id, e.edge);
        let entry = catalog::of(src);
        let self_managed = matches!(
            src,
            Node::KafkaTopic(KafkaTopic {
                cluster: KafkaCluster::SelfManaged(_),
                ..
            })
        );
        if let Some(src_arn) = self.arn_at(e.from) {
            let missing: Vec<&str> = entry
                .poll_actions
                .iter()
                .copied()
                // A self-managed cluster is no MSK resource: only the network-interface
                // actions apply (its secrets depend on how the cluster authenticates).
                .filter(|a| !self_managed || a.starts_with("ec2:"))
                .filter(|a| !role_allows(&f.role, a, src_arn))
                .collect();
            if !missing.is_empty() {
                let grant = managed_grant(&missing, src_arn);
                let fix = Fix {
                    summary: format!(
                        "Grant {} to {}'s execution role",
                        missing.join(", "),
                        f.name
                    ),
                    cli: put_role_policy_cli(
                        f.role.name.as_str(),
                        &role_policy_name(&f.name, src.name()),
                        &[&grant],
                    ),
                    changes: vec![Change::AddRoleGrant {
                        node: edge.to.clone(),
                        grant,
                        index: None,
                    }],
                    grant: true,
                };
                self.push(
                    Finding::new(
                        Code::MissingPollRoleAction,
                        Element::Edge(id.clone()),
                        format!(
                            "Lambda polls {} with {}'s execution role {}, which lacks {}. An event source mapping uses the execution role, not a statement on the function.",
                            src.name(),
                            f.name,
                            f.role.name,
                            missing.join(", ")
                        ),
                    )
                    .field("role")
                    .fix(fix),
                );
            }
        }
        if let Node::SqsQueue(q) = src {
            let window = t.batching_window.unwrap_or(0);
            let (visibility, assumed) = match q.visibility_timeout {
                Some(v) => (v, ""),
                None => (
                    30,
                    " (AWS's default, assumed because the draft does not set it)",
                ),
            };
            let recommended = (6 * f.timeout + window).min(43_200);
            let fix = |seconds: u32| Fix {
                summary: format!("Raise {}'s visibility timeout to {seconds} s", q.name),
                cli: format!(
                    "aws sqs set-queue-attributes --queue-url {} --attributes VisibilityTimeout={seconds}",
                    shell_quote(&self.queue_url(&edge.from, q))
                ),
                changes: vec![Change::SetVisibilityTimeout {
                    node: edge.from.clone(),
                    seconds: Some(seconds),
                }],
                grant: false,
            };
            if visibility < f.timeout {
                let fx = fix(recommended);
                self.push(
                    Finding::new(
                        Code::VisibilityBelowTimeout,
                        Element::Node(edge.from.clone()),
                        format!(
                            "{}'s visibility timeout is {visibility} s{assumed}, below {}'s timeout of {} s: Lambda rejects the mapping. AWS recommends at least 6 × timeout + batching window = {recommended} s.",
                            q.name, f.name, f.timeout
                        ),
                    )
                    .field("visibility_timeout")
                    .fix(fx),
                );
            } else if visibility < recommended {
                let fx = fix(recommended);
                self.push(
                    Finding::new(
                        Code::VisibilityBelowRecommended,
                        Element::Node(edge.from.clone()),
                        format!(
                            "{}'s visibility timeout is {visibility} s{assumed}; AWS recommends at least 6 × {}'s timeout ({} s) + batching window ({window} s) = {recommended} s, so retried batches are not processed twice.",
                            q.name, f.name, f.timeout
                        ),
                    )
                    .field("visibility_timeout")
                    .fix(fx),
                );
            }
        }
    }

    fn queue_url(&self, id: &NodeId, q: &SqsQueue) -> String {
        let node = self.node_of(id);
        match (
            node.and_then(|n| self.g.region_of(n)),
            node.and_then(|n| self.g.account_of(n)),
        ) {
            (Some(r), Some(a)) => crate::ids::QueueUrl::for_queue(&r, &a, &q.name).to_string(),
            _ => q.name.to_string(),
        }
    }

    fn role_invoker(&mut self, e: EdgeRef<'g>, src: &Node, f: &Function, cross_account: bool) {
        let (id, edge) = (e.id, e.edge);
        let Some(role) = src.invoker_role() else {
            return;
        };
        let (service, what) = match src.kind() {
            NodeKind::Schedule => ("scheduler.amazonaws.com", "schedule"),
            _ => ("states.amazonaws.com", "state machine"),
        };
        if let Some(fn_arn) = self.arn_at(e.to)
            && !role.allows("lambda:InvokeFunction", fn_arn)
        {
            let grant = managed_grant(&["lambda:InvokeFunction"], fn_arn);
            let fix = Fix {
                summary: format!(
                    "Grant lambda:InvokeFunction on {} to the {what}'s role {}",
                    f.name, role.name
                ),
                cli: put_role_policy_cli(
                    role.name.as_str(),
                    &role_policy_name(&role.name, f.name.as_str()),
                    &[&grant],
                ),
                changes: vec![Change::AddRoleGrant {
                    node: edge.from.clone(),
                    grant,
                    index: None,
                }],
                grant: true,
            };
            self.push(
                    Finding::new(
                        Code::MissingInvokerRoleGrant,
                        Element::Edge(id.clone()),
                        format!(
                            "The {what} {} invokes {} with its own role {}, which lacks lambda:InvokeFunction on {fn_arn}. This grant lives on the {what}'s role, not in a statement on the function (tutorials often get this wrong).",
                            src.name(),
                            f.name,
                            role.name
                        ),
                    )
                    .field("role")
                    .fix(fix),
                );
        }
        if !role.trusts.contains(service) {
            let fix = Fix {
                summary: format!("Let {service} assume {}", role.name),
                cli: format!(
                    "aws iam update-assume-role-policy --role-name {} --policy-document {}",
                    shell_quote(role.name.as_str()),
                    shell_quote(
                        &policy::trust_policy_document(
                            &role
                                .trusts
                                .iter()
                                .cloned()
                                .chain([service.to_owned()])
                                .collect::<Set<String>>()
                        )
                        .to_string()
                    )
                ),
                changes: vec![Change::AddRoleTrust {
                    node: edge.from.clone(),
                    service: service.to_owned(),
                }],
                grant: true,
            };
            self.push(
                Finding::new(
                    Code::InvokerRoleTrust,
                    Element::Node(edge.from.clone()),
                    format!("The {what}'s role {} does not trust {service}, so the {what} cannot use it.", role.name),
                )
                .field("role")
                .fix(fix),
            );
        }
        if cross_account {
            let (Some(acct), Some(part)) = (
                self.account_at(e.from),
                self.g.region_of(src).map(|r| r.partition()),
            ) else {
                return;
            };
            let role_arn = format!("arn:{part}:iam::{acct}:role/{}", role.name);
            if let Ok(principal) = Principal::parse(&role_arn) {
                let needed = Needed {
                    principal: Wanted::Exact(principal),
                    source_arn: None,
                    source_account: None,
                };
                self.require_statement(id, edge, src, f, needed, false);
            }
        } else {
            for s in f
                .policy
                .iter()
                .filter(|s| matches!(&s.principal, Principal::Service(x) if x == service))
            {
                let fix = Fix {
                    summary: format!("Remove statement {}", s.sid),
                    cli: remove_permission_cli(&self.cli_function(f), s.sid.as_str()),
                    changes: vec![Change::RemoveStatement {
                        node: edge.to.clone(),
                        sid: s.sid.clone(),
                    }],
                    grant: false,
                };
                let finding = Finding::new(
                    Code::UnneededInvokerStatement,
                    Element::Node(edge.to.clone()),
                    format!(
                        "Statement {} allows {service} to invoke {}, but a {what} in the same account invokes with its own role; the statement is not needed and widens access. (A function statement is needed only across accounts.)",
                        s.sid, f.name
                    ),
                )
                .field("policy")
                .fix(fix);
                self.out.push(finding);
            }
        }
    }

    fn lambda_at_edge(&mut self, fn_id: &'g NodeId, f: &Function) {
        let at = || Element::Node(fn_id.clone());
        if let Some(node) = self.node_of(fn_id)
            && let Some(r) = self.g.region_of(node)
            && !r.is_us_east_1()
        {
            self.push(
                Finding::new(
                    Code::EdgeFunctionRegion,
                    at(),
                    format!(
                        "{} is in {r}; Lambda@Edge functions must be created in us-east-1.",
                        f.name
                    ),
                )
                .field("region"),
            );
        }
        if !f.qualifier.as_ref().is_some_and(|q| q.is_version()) {
            self.push(
                Finding::new(
                    Code::EdgeFunctionVersion,
                    at(),
                    format!("CloudFront needs a numbered version of {} (e.g. :7); $LATEST and aliases are refused. Publish a version and set it as the qualifier.", f.name),
                )
                .field("qualifier"),
            );
        }
        if !f.role.trusts.contains("edgelambda.amazonaws.com")
            || !f.role.trusts.contains("lambda.amazonaws.com")
        {
            let fix = Fix {
                summary: format!(
                    "Let lambda.amazonaws.com and edgelambda.amazonaws.com assume {}",
                    f.role.name
                ),
                cli: format!(
                    "aws iam update-assume-role-policy --role-name {} --policy-document {}",
                    shell_quote(f.role.name.as_str()),
                    shell_quote(
                        &policy::trust_policy_document(
                            &f.role
                                .trusts
                                .iter()
                                .cloned()
                                .chain([
                                    "lambda.amazonaws.com".to_owned(),
                                    "edgelambda.amazonaws.com".to_owned()
                                ])
                                .collect::<Set<String>>()
                        )
                        .to_string()
                    )
                ),
                changes: ["lambda.amazonaws.com", "edgelambda.amazonaws.com"]
                    .into_iter()
                    .filter(|s| !f.role.trusts.contains(*s))
                    .map(|s| Change::AddRoleTrust {
                        node: fn_id.clone(),
                        service: s.to_owned(),
                    })
                    .collect(),
                grant: true,
            };
            self.push(
                Finding::new(
                    Code::EdgeRoleTrust,
                    at(),
                    format!("{}'s role {} must trust both lambda.amazonaws.com and edgelambda.amazonaws.com to run at the edge.", f.name, f.role.name),
                )
                .field("role")
                .fix(fix),
            );
        }
        let p = &f.packaging;
        let mut bad = Vec::new();
        if p.environment {
            bad.push("environment variables");
        }
        if p.vpc {
            bad.push("a VPC");
        }
        if p.layers > 0 {
            bad.push("layers");
        }
        if p.container_image {
            bad.push("a container image");
        }
        if !bad.is_empty() {
            self.push(
                Finding::new(
                    Code::EdgeFunctionConfig,
                    at(),
                    format!(
                        "Lambda@Edge functions cannot have {}; {} has.",
                        bad.join(", "),
                        f.name
                    ),
                )
                .field("packaging"),
            );
        }
    }

    fn destination_grant(&mut self, e: EdgeRef<'g>, dst: &Node, context: &str) {
        let (id, edge) = (e.id, e.edge);
        let Some(Node::Function(f)) = Some(self.info[e.from].node) else {
            return;
        };
        let Some(target) = self.arn_at(e.to) else {
            return;
        };
        let entry = catalog::of(dst);
        let missing: Vec<&str> = entry
            .destination_actions
            .iter()
            .copied()
            .filter(|a| !role_allows(&f.role, a, target))
            .collect();
        if missing.is_empty() {
            return;
        }
        let grant = managed_grant(&missing, target);
        let fix = Fix {
            summary: format!(
                "Grant {} on {} to {}'s execution role",
                missing.join(", "),
                dst.name(),
                f.name
            ),
            cli: put_role_policy_cli(
                f.role.name.as_str(),
                &role_policy_name(&f.name, dst.name()),
                &[&grant],
            ),
            changes: vec![Change::AddRoleGrant {
                node: edge.from.clone(),
                grant,
                index: None,
            }],
            grant: true,
        };
        self.push(
            Finding::new(
                Code::MissingDestinationRoleAction,
                Element::Edge(id.clone()),
                format!(
                    "{} sends {context} events to {} with its execution role {}, which lacks {}. Destinations use the execution role, not a resource-based policy on the function; without it AWS rejects the configuration with only \"The destination ARN … is invalid\".",
                    f.name,
                    dst.name(),
                    f.role.name,
                    missing.join(", ")
                ),
            )
            .field("role")
            .fix(fix),
        );
    }

    /// Async destinations fire only for asynchronous invocations.
    fn destination_fires(&mut self, e: EdgeRef<'g>) {
        let (id, edge) = (e.id, e.edge);
        let Some(Node::Function(f)) = Some(self.info[e.from].node) else {
            return;
        };
        let incoming = self.incoming_at(e.from);
        let mut any = false;
        let mut has_stream = false;
        let mut has_sqs = false;
        for (_, e) in incoming {
            let inv = match &e.kind {
                EdgeKind::Trigger(t) => match self.node_of(&e.from) {
                    Some(src) => {
                        match src.kind() {
                            NodeKind::SqsQueue => has_sqs = true,
                            NodeKind::KinesisStream
                            | NodeKind::DynamoDbStream
                            | NodeKind::KafkaTopic => has_stream = true,
                            _ => {}
                        }
                        trigger_invocation(src, Some(t))
                    }
                    None => None,
                },
                EdgeKind::Invoke {
                    invocation_type: InvocationType::Event,
                } => Some(Invocation::Async),
                EdgeKind::Invoke { .. } => Some(Invocation::Sync),
                // Lambda delivers a destination to a function asynchronously.
                EdgeKind::OnSuccess | EdgeKind::OnFailure => Some(Invocation::Async),
                _ => None,
            };
            if let Some(inv) = inv {
                any = true;
                if matches!(inv, Invocation::Async | Invocation::RoleAsync) {
                    return;
                }
            }
        }
        if !any {
            return;
        }
        // Only now, with a finding to write, are the callers' kinds collected.
        let kinds: BTreeSet<&'static str> = incoming
            .iter()
            .filter(|(_, e)| matches!(e.kind, EdgeKind::Trigger(_)))
            .filter_map(|(_, e)| self.node_of(&e.from))
            .map(|src| catalog::of(src).label)
            .collect();
        let t = edge.kind.edge_type().label();
        let advice = if has_stream {
            " For stream and Kafka mappings, use the mapping's OnFailure destination instead; OnSuccess does not exist there."
        } else if has_sqs {
            " SQS mappings invoke synchronously and failed messages return to the queue: give the queue a redrive policy (dead-letter queue) instead."
        } else {
            " Synchronous callers receive the result or error directly."
        };
        self.push(Finding::new(
            Code::DestinationNeverFires,
            Element::Edge(id.clone()),
            format!(
                "This {t} destination never fires: {} is only invoked synchronously or by event source mappings ({}), and destinations apply to asynchronous invocations only.{advice}",
                f.name,
                kinds.into_iter().collect::<Vec<_>>().join(", ")
            ),
        ));
    }

    fn cross_account_destination(&mut self, e: EdgeRef<'g>, dst: &Node) {
        let id = e.id;
        let (a, b) = (self.account_at(e.from), self.account_at(e.to));
        if let (Some(a), Some(b)) = (a, b)
            && a != b
        {
            let policy = match dst.kind() {
                NodeKind::SqsQueue => "queue's access policy",
                NodeKind::SnsTopic => "topic's access policy",
                NodeKind::EventBus => "event bus's resource policy",
                NodeKind::S3Bucket => "bucket policy",
                NodeKind::Function => "function's resource-based policy",
                _ => "resource policy",
            };
            self.push(Finding::new(
                    Code::CrossAccount,
                    Element::Edge(id.clone()),
                    format!(
                        "{} is in account {b} and the function in {a}: besides the execution role's grant, the {policy} in {b} must allow the execution role.",
                        dst.name()
                    ),
                ));
        }
    }

    fn invoke(&mut self, e: EdgeRef<'g>, src: &Node, dst: &Node) {
        let (id, edge) = (e.id, e.edge);
        let (Node::Function(caller), Node::Function(callee)) = (src, dst) else {
            return;
        };
        let Some(target) = self.arn_at(e.to) else {
            return;
        };
        if !caller.role.allows("lambda:InvokeFunction", target) {
            let grant = managed_grant(&["lambda:InvokeFunction"], target);
            let fix = Fix {
                summary: format!(
                    "Grant lambda:InvokeFunction on {} to {}'s execution role",
                    callee.name, caller.name
                ),
                cli: put_role_policy_cli(
                    caller.role.name.as_str(),
                    &role_policy_name(&caller.name, callee.name.as_str()),
                    &[&grant],
                ),
                changes: vec![Change::AddRoleGrant {
                    node: edge.from.clone(),
                    grant,
                    index: None,
                }],
                grant: true,
            };
            self.push(
                Finding::new(
                    Code::MissingWriteRoleAction,
                    Element::Edge(id.clone()),
                    format!("{} calls {} through the SDK, but its execution role {} lacks lambda:InvokeFunction on {target}.", caller.name, callee.name, caller.role.name),
                )
                .field("role")
                .fix(fix),
            );
        }
        let (a, b) = (self.account_at(e.from), self.account_at(e.to));
        if let (Some(a), Some(b)) = (a, b)
            && a != b
        {
            let partition = self.g.region_of(src).map_or("aws", |r| r.partition());
            let role_arn = format!("arn:{partition}:iam::{a}:role/{}", caller.role.name);
            if let Ok(principal) = Principal::parse(&role_arn) {
                let needed = Needed {
                    principal: Wanted::Exact(principal),
                    source_arn: None,
                    source_account: None,
                };
                self.require_statement(id, edge, src, callee, needed, false);
            }
        }
    }

    fn writes(&mut self, e: EdgeRef<'g>, dst: &Node) {
        let (id, edge) = (e.id, e.edge);
        let Some(Node::Function(f)) = Some(self.info[e.from].node) else {
            return;
        };
        let Some(target) = self.arn_at(e.to) else {
            return;
        };
        let entry = catalog::of(dst);
        let missing: Vec<&str> = entry
            .write_actions
            .iter()
            .copied()
            .filter(|a| !role_allows(&f.role, a, target))
            .collect();
        if missing.is_empty() {
            return;
        }
        let grant = managed_grant(&missing, target);
        let fix = Fix {
            summary: format!(
                "Grant {} on {} to {}'s execution role",
                missing.join(", "),
                dst.name(),
                f.name
            ),
            cli: put_role_policy_cli(
                f.role.name.as_str(),
                &role_policy_name(&f.name, dst.name()),
                &[&grant],
            ),
            changes: vec![Change::AddRoleGrant {
                node: edge.from.clone(),
                grant,
                index: None,
            }],
            grant: true,
        };
        self.push(
            Finding::new(
                Code::MissingWriteRoleAction,
                Element::Edge(id.clone()),
                format!(
                    "{} writes to {} but its execution role {} lacks {}.",
                    f.name,
                    dst.name(),
                    f.role.name,
                    missing.join(", ")
                ),
            )
            .field("role")
            .fix(fix),
        );
    }

    fn s3_write_back(&mut self, e: EdgeRef<'g>, prefix: Option<&str>, suffix: Option<&str>) {
        let (id, edge) = (e.id, e.edge);
        let out = self.outgoing_at(e.to);
        for (tid, t) in out {
            if t.to != edge.from {
                continue;
            }
            let Some(trig) = t.kind.trigger() else {
                continue;
            };
            if s3_filters_overlap(
                prefix,
                suffix,
                trig.prefix.as_deref(),
                trig.suffix.as_deref(),
            ) {
                let name = self.name(&edge.from);
                let bucket = self.name(&edge.to);
                self.push(
                    Finding::new(
                        Code::S3WriteBack,
                        Element::Edge(id.clone()),
                        format!(
                            "{name} writes to {bucket}, whose notification {tid} triggers {name} for the same keys: every write triggers another run. Write under a prefix or suffix the trigger does not match, or use another bucket."
                        ),
                    )
                    .field("key_prefix"),
                );
                return;
            }
        }
    }

    // ---------------------------------------------------------------------------------
    // Nodes
    // ---------------------------------------------------------------------------------

    fn check_node(&mut self, i: usize) {
        let (id, node) = (self.info[i].id, self.info[i].node);
        let degree = self.incoming_at(i).len() + self.outgoing_at(i).len();
        match node {
            Node::Function(f) => self.function(i, f),
            Node::HttpApiRoute(r) => {
                if !route_key_ok(&r.route_key) {
                    self.push(
                        Finding::new(
                            Code::ValueOutOfRange,
                            Element::Node(id.clone()),
                            format!(
                                "Route key '{}' is not one API Gateway takes: use $default, or a method and a path such as 'GET /orders' or 'ANY /{{proxy+}}'.",
                                truncate(&r.route_key, 60)
                            ),
                        )
                        .field("route_key"),
                    );
                }
                if degree == 0 {
                    self.unconnected(id, node);
                }
            }
            Node::SqsQueue(q) => {
                if let Some(v) = q.visibility_timeout
                    && v > 43_200
                {
                    self.push(
                            Finding::new(Code::ValueOutOfRange, Element::Node(id.clone()), format!("The visibility timeout is {v} s; SQS accepts 0 to 43,200 (12 hours)."))
                                .field("visibility_timeout"),
                        );
                }
                if degree == 0 {
                    self.unconnected(id, node);
                }
            }
            _ => {
                if degree == 0 {
                    self.unconnected(id, node);
                }
            }
        }
    }

    fn unconnected(&mut self, id: &NodeId, node: &Node) {
        self.push(Finding::new(
            Code::UnconnectedResource,
            Element::Node(id.clone()),
            format!(
                "{} {} is not connected to anything.",
                catalog::of(node).label,
                node.name()
            ),
        ));
    }

    fn function(&mut self, i: usize, f: &'g Function) {
        let id = self.info[i].id;
        let at = || Element::Node(id.clone());
        if !(1..=900).contains(&f.timeout) {
            self.push(
                Finding::new(
                    Code::ValueOutOfRange,
                    at(),
                    format!("Timeout is {} s; Lambda accepts 1 to 900.", f.timeout),
                )
                .field("timeout"),
            );
        }
        if let Some(r) = f.async_invoke.maximum_retry_attempts
            && r > 2
        {
            self.push(
                Finding::new(
                    Code::ValueOutOfRange,
                    at(),
                    format!("MaximumRetryAttempts is {r}; asynchronous invocation allows 0 to 2."),
                )
                .field("async_invoke.maximum_retry_attempts"),
            );
        }
        if let Some(a) = f.async_invoke.maximum_event_age
            && !(60..=21_600).contains(&a)
        {
            self.push(
                Finding::new(
                    Code::ValueOutOfRange,
                    at(),
                    format!("MaximumEventAgeInSeconds is {a}; Lambda accepts 60 to 21,600."),
                )
                .field("async_invoke.maximum_event_age"),
            );
        }
        self.statements(id, f);
        self.function_url(id, f);
        if let Some(fn_arn) = self.arn_at(i) {
            let size = if policy::policy_size_bound(fn_arn, &f.policy) * 10 < POLICY_LIMIT * 9 {
                0
            } else {
                policy::policy_size(fn_arn, &f.policy)
            };
            if size > POLICY_LIMIT {
                self.push(
                    Finding::new(
                        Code::PolicySizeLimit,
                        at(),
                        format!(
                            "{}'s resource-based policy would be {size} bytes, above Lambda's limit of {POLICY_LIMIT}. AddPermission fails; use fewer, broader statements (e.g. one per account with SourceArn wildcards) or an alias per consumer.",
                            f.name
                        ),
                    )
                    .field("policy"),
                );
            } else if size * 10 >= POLICY_LIMIT * 9 {
                self.push(
                    Finding::new(
                        Code::PolicySizeNearLimit,
                        at(),
                        format!("{}'s resource-based policy would be {size} of {POLICY_LIMIT} bytes ({}%).", f.name, size * 100 / POLICY_LIMIT),
                    )
                    .field("policy"),
                );
            }
        }
        let invoked = self.incoming_at(i).iter().any(|(_, e)| {
            matches!(
                e.kind,
                EdgeKind::Trigger(_)
                    | EdgeKind::Invoke { .. }
                    | EdgeKind::OnSuccess
                    | EdgeKind::OnFailure
            )
        });
        // A statement only counts as a way in when it names a caller that can use it:
        // a poll-based service named in a statement never invokes.
        let reachable = f.policy.iter().any(|s| {
            !matches!(&s.principal, Principal::Service(svc) if POLLED_SERVICES.contains(&svc.as_str()))
        });
        if !invoked && f.url.is_none() && !reachable {
            self.push(Finding::new(
                Code::FunctionWithoutTrigger,
                at(),
                format!("Nothing triggers or invokes {}.", f.name),
            ));
        }
    }

    fn statements(&mut self, id: &NodeId, f: &Function) {
        // Policies are small (AWS caps them at 20 KB): a scan of the earlier statements
        // costs less than a set, and allocates nothing.
        for (k, s) in f.policy.iter().enumerate() {
            if f.policy[..k].iter().any(|o| o.sid == s.sid) {
                self.push(
                    Finding::new(
                        Code::DuplicateStatementId,
                        Element::Node(id.clone()),
                        format!("Two statements in {}'s policy use Sid {}; AddPermission fails with ResourceConflictException. Rename one.", f.name, s.sid),
                    )
                    .field("policy"),
                );
            }
            let url_statement =
                s.function_url_auth_type.is_some() || s.invoked_via_function_url == Some(true);
            match &s.principal {
                Principal::Any if !url_statement => {
                    let fix = Fix {
                        summary: format!("Remove statement {}", s.sid),
                        cli: remove_permission_cli(&self.cli_function(f), s.sid.as_str()),
                        changes: vec![Change::RemoveStatement {
                            node: id.clone(),
                            sid: s.sid.clone(),
                        }],
                        grant: false,
                    };
                    self.push(
                        Finding::new(
                            Code::PublicInvokeStatement,
                            Element::Node(id.clone()),
                            format!("Statement {} lets anyone (Principal *) call {} on {}. Name the principal that needs it.", s.sid, s.action, f.name),
                        )
                        .field("policy")
                        .fix(fix),
                    );
                }
                Principal::Service(svc) => {
                    if POLLED_SERVICES.contains(&svc.as_str()) {
                        self.push(
                            Finding::new(
                                Code::IneffectiveStatement,
                                Element::Node(id.clone()),
                                format!(
                                    "Statement {} names {svc}, but that service never invokes functions: Lambda polls it through an event source mapping using {}'s execution role. Grant the role instead; the statement has no effect.",
                                    s.sid, f.name
                                ),
                            )
                            .field("policy"),
                        );
                    } else if matches!(
                        svc.as_str(),
                        "states.amazonaws.com" | "scheduler.amazonaws.com"
                    ) {
                        // These invoke with their own role; a statement naming them is never
                        // what grants the call, so it is reported as unneeded (with the
                        // fix to remove it) where the invoker is drawn, not as too broad.
                    } else if !s.has_source_condition() {
                        let fix = self.source_condition_fix(id, f, s, svc);
                        let mut finding = Finding::new(
                            Code::ConfusedDeputy,
                            Element::Node(id.clone()),
                            format!(
                                "Statement {} lets any {svc} resource, in any account, invoke {}: add SourceArn (and SourceAccount) so only your resource can (the confused-deputy problem).",
                                s.sid, f.name
                            ),
                        )
                        .field("policy");
                        finding.fix = fix;
                        self.push(finding);
                    } else if svc == "s3.amazonaws.com"
                        && s.source_account.is_none()
                        && !self.triggered_from(id, s.source_arn.as_ref())
                    {
                        // With the bucket's trigger drawn, the trigger's own check reports
                        // this with a fix; a statement for a bucket off the canvas is told here.
                        self.push(
                            Finding::new(
                                Code::MissingSourceAccount,
                                Element::Node(id.clone()),
                                format!(
                                    "Statement {} lets S3 invoke {} without SourceAccount. {} Add the bucket owner's account id as SourceAccount.",
                                    s.sid,
                                    f.name,
                                    source_account_reason(NodeKind::S3Bucket)
                                ),
                            )
                            .field("policy"),
                        );
                    }
                }
                _ => {}
            }
        }
    }

    /// Whether a trigger edge into `id` comes from the resource `source_arn` names.
    fn triggered_from(&self, id: &NodeId, source_arn: Option<&ArnPattern>) -> bool {
        let Some(want) = source_arn else {
            return false;
        };
        self.incoming(id).iter().any(|(_, e)| {
            matches!(e.kind, EdgeKind::Trigger(_))
                && self
                    .index
                    .get(&e.from)
                    .and_then(|&i| self.info[i].arn.ok())
                    .is_some_and(|a| a == want.as_str())
        })
    }

    /// A fix adding SourceArn (and SourceAccount) to a broad service statement, when exactly
    /// one source of that service triggers the function.
    fn source_condition_fix(
        &self,
        id: &NodeId,
        f: &Function,
        s: &Statement,
        svc: &str,
    ) -> Option<Fix> {
        let sources: Vec<&NodeId> = self
            .incoming(id)
            .iter()
            .filter(|(_, e)| matches!(e.kind, EdgeKind::Trigger(_)))
            .map(|(_, e)| &e.from)
            .filter(|n| {
                self.g
                    .nodes
                    .get(*n)
                    .is_some_and(|n| catalog::of(n).principal == Some(svc))
            })
            .collect();
        let [src] = sources.as_slice() else {
            return None;
        };
        let src_arn = self.at(src)?.arn.ok()?;
        let mut fixed = s.clone();
        fixed.source_arn = Some(ArnPattern::exact_str(src_arn));
        if arn_account(src_arn).is_empty() {
            fixed.source_account = self.account(src).map(Cow::into_owned);
        }
        let fn_name = self.cli_function(f);
        Some(Fix {
            summary: format!("Limit statement {} to {}", s.sid, src_arn),
            cli: format!(
                "{}\n{}",
                remove_permission_cli(&fn_name, s.sid.as_str()),
                add_permission_cli(&fn_name, &fixed)
            ),
            changes: vec![Change::PutStatement {
                node: id.clone(),
                statement: fixed,
                index: None,
            }],
            grant: true,
        })
    }

    fn function_url(&mut self, id: &NodeId, f: &Function) {
        let Some(url) = &f.url else { return };
        let at = || Element::Node(id.clone());
        match url.auth_type {
            UrlAuthType::AwsIam => self.push(
                Finding::new(
                    Code::FunctionUrlIamCallers,
                    at(),
                    format!("{}'s URL uses AWS_IAM: callers need lambda:InvokeFunctionUrl and lambda:InvokeFunction on it in their own identity policy.", f.name),
                )
                .field("url"),
            ),
            UrlAuthType::None => {
                self.push(
                    Finding::new(Code::FunctionUrlPublic, at(), format!("{}'s URL has auth type NONE: anyone on the internet can call it.", f.name))
                        .field("url"),
                );
                let has_url_stmt = f.policy.iter().any(|s| {
                    s.principal == Principal::Any
                        && s.action.covers("lambda:InvokeFunctionUrl")
                        && s.function_url_auth_type == Some(UrlAuthType::None)
                });
                let has_invoke_stmt = f.policy.iter().any(|s| {
                    s.principal == Principal::Any && s.action.covers("lambda:InvokeFunction") && s.invoked_via_function_url == Some(true)
                });
                let mut missing = Vec::new();
                if !has_url_stmt {
                    missing.push(Statement {
                        sid: fresh_sid(f, &format!("{}url-invoke-url", crate::OWNED_PREFIX)),
                        principal: Principal::Any,
                        action: IamAction::known("lambda:InvokeFunctionUrl"),
                        source_arn: None,
                        source_account: None,
                        principal_org_id: None,
                        function_url_auth_type: Some(UrlAuthType::None),
                        invoked_via_function_url: None,
                    });
                }
                if !has_invoke_stmt {
                    missing.push(Statement {
                        sid: fresh_sid(f, &format!("{}url-invoke", crate::OWNED_PREFIX)),
                        principal: Principal::Any,
                        action: IamAction::known("lambda:InvokeFunction"),
                        source_arn: None,
                        source_account: None,
                        principal_org_id: None,
                        function_url_auth_type: None,
                        invoked_via_function_url: Some(true),
                    });
                }
                if !missing.is_empty() {
                    let fn_name = self.cli_function(f);
                    let fix = Fix {
                        summary: format!("Add the public URL statement{} to {}", if missing.len() > 1 { "s" } else { "" }, f.name),
                        cli: missing.iter().map(|s| add_permission_cli(&fn_name, s)).collect::<Vec<_>>().join("\n"),
                        changes: missing
                            .into_iter()
                            .map(|statement| Change::PutStatement { node: id.clone(), statement, index: None })
                            .collect(),
                        grant: true,
                    };
                    self.push(
                        Finding::new(
                            Code::FunctionUrlMissingStatements,
                            at(),
                            format!(
                                "A URL with auth type NONE needs two public statements on {}: lambda:InvokeFunctionUrl with FunctionUrlAuthType NONE, and lambda:InvokeFunction with InvokedViaFunctionUrl true (required since October 2025). Without both, every request gets 403.",
                                f.name
                            ),
                        )
                        .field("policy")
                        .fix(fix),
                    );
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------
    // Per-resource checks across edges
    // ---------------------------------------------------------------------------------

    /// S3 rejects notification configurations whose filters overlap for the same event.
    fn s3_filters(&mut self) {
        let mut found = Vec::new();
        for (i, info) in self.info.iter().enumerate() {
            let node = info.node;
            if node.kind() != NodeKind::S3Bucket {
                continue;
            }
            let triggers = || {
                self.outgoing_at(i)
                    .iter()
                    .filter_map(|(eid, e)| e.kind.trigger().map(|t| (*eid, t)))
            };
            // Quadratic only in one bucket's notifications, which S3 itself keeps small.
            for (k, (a_id, a)) in triggers().enumerate() {
                for (b_id, b) in triggers().take(k) {
                    let events_overlap = a
                        .events
                        .iter()
                        .any(|x| b.events.iter().any(|y| s3_events_overlap(x, y)));
                    if events_overlap
                        && s3_filters_overlap(
                            a.prefix.as_deref(),
                            a.suffix.as_deref(),
                            b.prefix.as_deref(),
                            b.suffix.as_deref(),
                        )
                    {
                        found.push(
                            Finding::new(
                                Code::S3OverlappingFilters,
                                Element::Edge(a_id.clone()),
                                format!(
                                    "Notifications {b_id} and {a_id} on {} overlap: same event type and prefix/suffix filters that can match the same key. S3 rejects the configuration; make the filters disjoint.",
                                    node.name()
                                ),
                            )
                            .field("prefix"),
                        );
                    }
                }
            }
        }
        self.out.extend(found);
    }

    fn cognito_slots(&mut self) {
        let mut seen: HashMap<(&NodeId, CognitoTrigger), &EdgeId> = HashMap::default();
        let mut found = Vec::new();
        for (id, e) in &self.g.edges {
            let Some(t) = e.kind.trigger() else { continue };
            let Some(slot) = t.cognito_trigger else {
                continue;
            };
            if self.node_of(&e.from).map(Node::kind) != Some(NodeKind::UserPool) {
                continue;
            }
            if let Some(first) = seen.insert((&e.from, slot), id) {
                found.push(
                    Finding::new(
                        Code::CognitoTriggerTaken,
                        Element::Edge(id.clone()),
                        format!("{} already uses the {} trigger of {} (edge {first}); a user pool has one function per trigger.", self.name(&e.to), slot.as_str(), self.name(&e.from)),
                    )
                    .field("cognito_trigger"),
                );
            }
        }
        self.out.extend(found);
    }
}

/// A trigger replacement fix.
fn replace_trigger(id: &EdgeId, edge: &Edge, t: Trigger, summary: &str) -> Fix {
    Fix {
        summary: summary.to_owned(),
        changes: vec![Change::ReplaceEdge {
            id: id.clone(),
            edge: Edge {
                from: edge.from.clone(),
                to: edge.to.clone(),
                kind: EdgeKind::Trigger(t),
            },
        }],
        cli: String::new(),
        grant: false,
    }
}

/// A grant Eventloom manages, for `actions` on the resources each action applies to.
fn managed_grant(actions: &[&str], arn: &str) -> RoleGrant {
    RoleGrant {
        actions: actions.iter().map(|a| IamAction::known(a)).collect(),
        resources: actions
            .iter()
            .map(|a| action_resource(a, arn))
            .filter_map(|r| ArnPattern::parse(&r).ok())
            .collect(),
        managed: true,
    }
}

/// Whether `role` allows `action` on the resource it applies to on `arn` (`arn/*` for
/// object actions). Runs for every grant of every edge on every edit, so the usual ARN
/// is extended on the stack rather than in a new string.
fn role_allows(role: &Role, action: &str, arn: &str) -> bool {
    if catalog::is_object_action(action) {
        let mut buf = [0u8; 256];
        let n = arn.len() + 2;
        if n <= buf.len() {
            buf[..arn.len()].copy_from_slice(arn.as_bytes());
            buf[arn.len()..n].copy_from_slice(b"/*");
            if let Ok(r) = std::str::from_utf8(&buf[..n]) {
                return role.allows(action, r);
            }
        }
    }
    role.allows(action, &action_resource(action, arn))
}

/// Whether `key` is an HTTP API route key: `$default`, or `METHOD /path`.
fn route_key_ok(key: &str) -> bool {
    if key == "$default" {
        return true;
    }
    let Some((method, path)) = key.split_once(' ') else {
        return false;
    };
    matches!(
        method,
        "ANY" | "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS"
    ) && path.starts_with('/')
        && !path.contains(char::is_whitespace)
}

/// Services Lambda polls with the function's role; they never invoke it themselves.
const POLLED_SERVICES: [&str; 4] = [
    "sqs.amazonaws.com",
    "kinesis.amazonaws.com",
    "dynamodb.amazonaws.com",
    "kafka.amazonaws.com",
];

/// The account part of an ARN (empty for S3 buckets).
fn arn_account(arn: &str) -> &str {
    arn.split(':').nth(4).unwrap_or_default()
}

/// Why a statement for `src` should carry SourceAccount as well as SourceArn.
fn source_account_reason(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::S3Bucket => {
            "Bucket ARNs carry no account id, so if the bucket is deleted, another account can create one with the same name and invoke this function."
        }
        _ => {
            "AWS asks for SourceAccount alongside SourceArn for this service, so that only resources in your own account can invoke the function."
        }
    }
}

/// The inline-policy name a CLI fix uses: one per fix, so running several never overwrites.
fn role_policy_name(owner: &impl std::fmt::Display, target: &str) -> String {
    let raw = format!("{}{}-{}", crate::OWNED_PREFIX, owner, target);
    raw.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "+=,.@-_".contains(c) {
                c
            } else {
                '-'
            }
        })
        .take(128)
        .collect()
}

/// `base`, or `base-2`, `base-3`… whichever `f`'s policy does not use yet.
pub(crate) fn fresh_sid(f: &Function, base: &str) -> StatementId {
    let base = StatementId::sanitized(&base.chars().take(96).collect::<String>());
    if f.statement(&base).is_none() {
        return base;
    }
    (2..)
        .map(|i| StatementId::sanitized(&format!("{base}-{i}")))
        .find(|s| f.statement(s).is_none())
        .unwrap_or(base)
}

/// Whether two S3 event names can match the same event (`s3:ObjectCreated:*` covers `…:Put`).
pub fn s3_events_overlap(a: &str, b: &str) -> bool {
    fn stem(s: &str) -> Option<&str> {
        s.strip_suffix('*')
    }
    match (stem(a), stem(b)) {
        (Some(x), Some(y)) => x.starts_with(y) || y.starts_with(x),
        (Some(x), None) => b.starts_with(x),
        (None, Some(y)) => a.starts_with(y),
        (None, None) => a == b,
    }
}

/// Whether two prefix/suffix filters can match the same key.
pub fn s3_filters_overlap(
    p1: Option<&str>,
    s1: Option<&str>,
    p2: Option<&str>,
    s2: Option<&str>,
) -> bool {
    let (a, b) = (p1.unwrap_or(""), p2.unwrap_or(""));
    let prefix_ok = a.starts_with(b) || b.starts_with(a);
    let (a, b) = (s1.unwrap_or(""), s2.unwrap_or(""));
    let suffix_ok = a.ends_with(b) || b.ends_with(a);
    prefix_ok && suffix_ok
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        format!("{}…", s.chars().take(n).collect::<String>())
    }
}

impl Severity {
    /// Whether a finding of this severity blocks a deploy.
    pub fn blocks_deploy(self) -> bool {
        self == Severity::Error
    }
}

#[cfg(test)]
mod tests;

//! Edits as data: every edit to a graph is a [`Change`], applied by one reducer
//! ([`apply`]) that returns the change's inverse, so undo, redo, autosave, fixes and
//! collaboration all see the same stream.

use crate::ids::{AccountId, EdgeId, NodeId, Region, StatementId};
use crate::model::{Edge, EdgeKind, Graph, Node, Point, RoleGrant, Statement};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One edit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Change {
    /// Adds a node (and its position).
    AddNode {
        /// New node id.
        id: NodeId,
        /// The node.
        node: Node,
        /// Where to draw it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        position: Option<Point>,
    },
    /// Removes a node, its position and every edge touching it.
    RemoveNode {
        /// The node.
        id: NodeId,
    },
    /// Replaces a node's data (inspector edits).
    ReplaceNode {
        /// The node.
        id: NodeId,
        /// Its new data.
        node: Node,
    },
    /// Sets positions; `None` removes a node's position.
    MoveNodes {
        /// New positions by node.
        positions: BTreeMap<NodeId, Option<Point>>,
    },
    /// Adds an edge between existing nodes.
    AddEdge {
        /// New edge id.
        id: EdgeId,
        /// The edge.
        edge: Edge,
    },
    /// Removes an edge (and mapping destinations that belong to it).
    RemoveEdge {
        /// The edge.
        id: EdgeId,
    },
    /// Replaces an edge.
    ReplaceEdge {
        /// The edge.
        id: EdgeId,
        /// Its new data.
        edge: Edge,
    },
    /// Adds a statement to a function's policy, or replaces the one with the same Sid.
    PutStatement {
        /// The function.
        node: NodeId,
        /// The statement.
        statement: Statement,
        /// Where to insert a new statement (default: at the end).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        index: Option<usize>,
    },
    /// Removes a statement from a function's policy.
    RemoveStatement {
        /// The function.
        node: NodeId,
        /// The statement id.
        sid: StatementId,
    },
    /// Adds a grant to a function's (or invoker's) role; a grant already there is left alone.
    AddRoleGrant {
        /// The node whose role it is.
        node: NodeId,
        /// The grant.
        grant: RoleGrant,
        /// Where to insert it (default: at the end).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        index: Option<usize>,
    },
    /// Removes a grant from a role.
    RemoveRoleGrant {
        /// The node whose role it is.
        node: NodeId,
        /// The grant.
        grant: RoleGrant,
    },
    /// Adds a service principal to a role's trust policy.
    AddRoleTrust {
        /// The node whose role it is.
        node: NodeId,
        /// E.g. `edgelambda.amazonaws.com`.
        service: String,
    },
    /// Removes a service principal from a role's trust policy.
    RemoveRoleTrust {
        /// The node whose role it is.
        node: NodeId,
        /// The service principal.
        service: String,
    },
    /// Sets (or clears) a queue's visibility timeout.
    SetVisibilityTimeout {
        /// The queue.
        node: NodeId,
        /// Seconds; `None` leaves it unmanaged.
        seconds: Option<u32>,
    },
    /// Sets the draft's default account and region.
    SetDefaults {
        /// Account.
        account: Option<AccountId>,
        /// Region.
        region: Option<Region>,
    },
    /// Replaces the whole graph (import, "take theirs", a merge result).
    ReplaceGraph {
        /// The new graph.
        graph: Box<Graph>,
    },
    /// Several changes as one undoable step; all or nothing.
    Batch {
        /// The changes, in order.
        changes: Vec<Change>,
    },
}

/// Why a change cannot be applied. Nothing is changed when this is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "error", content = "detail", rename_all = "snake_case")]
pub enum ChangeError {
    /// The node id is taken.
    #[error("a node '{0}' already exists")]
    NodeExists(NodeId),
    /// No such node.
    #[error("no node '{0}'")]
    NoSuchNode(NodeId),
    /// The edge id is taken.
    #[error("an edge '{0}' already exists")]
    EdgeExists(EdgeId),
    /// No such edge.
    #[error("no edge '{0}'")]
    NoSuchEdge(EdgeId),
    /// The node has no policy (it is not a function).
    #[error("'{0}' is not a function, so it has no resource-based policy")]
    NotAFunction(NodeId),
    /// The node has no role.
    #[error("'{0}' has no IAM role")]
    NoRole(NodeId),
    /// The node is not a queue.
    #[error("'{0}' is not an SQS queue")]
    NotAQueue(NodeId),
    /// No such statement.
    #[error("'{0}' has no statement '{1}'")]
    NoSuchStatement(NodeId, StatementId),
    /// No such grant.
    #[error("'{0}''s role has no such grant")]
    NoSuchGrant(NodeId),
    /// A replacement graph is not consistent.
    #[error("the new graph is not valid: {0}")]
    InvalidGraph(String),
    /// A replacement changed a node's kind, which would orphan its edges' meaning.
    #[error("'{0}' cannot change kind; remove it and add a new node")]
    KindChange(NodeId),
}

/// Applies `change` to `graph` and returns its inverse. On error the graph is unchanged.
pub fn apply(graph: &mut Graph, change: &Change) -> Result<Change, ChangeError> {
    match change {
        Change::AddNode { id, node, position } => {
            if graph.nodes.contains_key(id) {
                return Err(ChangeError::NodeExists(id.clone()));
            }
            graph.nodes.insert(id.clone(), node.clone());
            if let Some(p) = position {
                graph.layout.insert(id.clone(), *p);
            }
            Ok(Change::RemoveNode { id: id.clone() })
        }
        Change::RemoveNode { id } => {
            let node = graph
                .nodes
                .get(id)
                .cloned()
                .ok_or_else(|| ChangeError::NoSuchNode(id.clone()))?;
            // Edges touching the node, and mapping destinations of those edges, go with it.
            let mut removed: Vec<(EdgeId, Edge)> = graph
                .edges
                .iter()
                .filter(|(_, e)| &e.from == id || &e.to == id)
                .map(|(k, e)| (k.clone(), e.clone()))
                .collect();
            let dependents: Vec<(EdgeId, Edge)> = graph
                .edges
                .iter()
                .filter(|(k, e)| {
                    !removed.iter().any(|(r, _)| r == *k)
                        && matches!(&e.kind, EdgeKind::MappingOnFailure { mapping } if removed.iter().any(|(r, _)| r == mapping))
                })
                .map(|(k, e)| (k.clone(), e.clone()))
                .collect();
            removed.extend(dependents);
            let position = graph.layout.remove(id);
            graph.nodes.remove(id);
            for (k, _) in &removed {
                graph.edges.remove(k);
            }
            let mut restore = vec![Change::AddNode {
                id: id.clone(),
                node,
                position,
            }];
            restore.extend(
                removed
                    .into_iter()
                    .map(|(id, edge)| Change::AddEdge { id, edge }),
            );
            Ok(Change::Batch { changes: restore })
        }
        Change::ReplaceNode { id, node } => {
            let slot = graph
                .nodes
                .get_mut(id)
                .ok_or_else(|| ChangeError::NoSuchNode(id.clone()))?;
            if slot.kind() != node.kind() {
                return Err(ChangeError::KindChange(id.clone()));
            }
            let old = std::mem::replace(slot, node.clone());
            Ok(Change::ReplaceNode {
                id: id.clone(),
                node: old,
            })
        }
        Change::MoveNodes { positions } => {
            if let Some(missing) = positions.keys().find(|id| !graph.nodes.contains_key(*id)) {
                return Err(ChangeError::NoSuchNode(missing.clone()));
            }
            let mut old = BTreeMap::new();
            for (id, p) in positions {
                let prev = match p {
                    Some(p) => graph.layout.insert(id.clone(), *p),
                    None => graph.layout.remove(id),
                };
                old.insert(id.clone(), prev);
            }
            Ok(Change::MoveNodes { positions: old })
        }
        Change::AddEdge { id, edge } => {
            if graph.edges.contains_key(id) {
                return Err(ChangeError::EdgeExists(id.clone()));
            }
            for n in [&edge.from, &edge.to] {
                if !graph.nodes.contains_key(n) {
                    return Err(ChangeError::NoSuchNode(n.clone()));
                }
            }
            graph.edges.insert(id.clone(), edge.clone());
            Ok(Change::RemoveEdge { id: id.clone() })
        }
        Change::RemoveEdge { id } => {
            let edge = graph
                .edges
                .remove(id)
                .ok_or_else(|| ChangeError::NoSuchEdge(id.clone()))?;
            let dependents: Vec<EdgeId> = graph
                .edges
                .iter()
                .filter(|(_, e)| matches!(&e.kind, EdgeKind::MappingOnFailure { mapping } if mapping == id))
                .map(|(k, _)| k.clone())
                .collect();
            let mut restore = vec![Change::AddEdge {
                id: id.clone(),
                edge,
            }];
            for d in dependents {
                if let Some(e) = graph.edges.remove(&d) {
                    restore.push(Change::AddEdge { id: d, edge: e });
                }
            }
            Ok(if restore.len() == 1 {
                restore.remove(0)
            } else {
                Change::Batch { changes: restore }
            })
        }
        Change::ReplaceEdge { id, edge } => {
            for n in [&edge.from, &edge.to] {
                if !graph.nodes.contains_key(n) {
                    return Err(ChangeError::NoSuchNode(n.clone()));
                }
            }
            let slot = graph
                .edges
                .get_mut(id)
                .ok_or_else(|| ChangeError::NoSuchEdge(id.clone()))?;
            let old = std::mem::replace(slot, edge.clone());
            Ok(Change::ReplaceEdge {
                id: id.clone(),
                edge: old,
            })
        }
        Change::PutStatement {
            node,
            statement,
            index,
        } => {
            let f = function_mut(graph, node)?;
            if let Some(i) = f.policy.iter().position(|s| s.sid == statement.sid) {
                let old = std::mem::replace(&mut f.policy[i], statement.clone());
                return Ok(Change::PutStatement {
                    node: node.clone(),
                    statement: old,
                    index: None,
                });
            }
            let at = index.unwrap_or(f.policy.len()).min(f.policy.len());
            f.policy.insert(at, statement.clone());
            Ok(Change::RemoveStatement {
                node: node.clone(),
                sid: statement.sid.clone(),
            })
        }
        Change::RemoveStatement { node, sid } => {
            let f = function_mut(graph, node)?;
            let i = f
                .policy
                .iter()
                .position(|s| &s.sid == sid)
                .ok_or_else(|| ChangeError::NoSuchStatement(node.clone(), sid.clone()))?;
            let old = f.policy.remove(i);
            Ok(Change::PutStatement {
                node: node.clone(),
                statement: old,
                index: Some(i),
            })
        }
        Change::AddRoleGrant { node, grant, index } => {
            let role = role_mut(graph, node)?;
            if role.grants.contains(grant) {
                return Ok(Change::Batch { changes: vec![] });
            }
            let at = index.unwrap_or(role.grants.len()).min(role.grants.len());
            role.grants.insert(at, grant.clone());
            Ok(Change::RemoveRoleGrant {
                node: node.clone(),
                grant: grant.clone(),
            })
        }
        Change::RemoveRoleGrant { node, grant } => {
            let role = role_mut(graph, node)?;
            let i = role
                .grants
                .iter()
                .position(|g| g == grant)
                .ok_or_else(|| ChangeError::NoSuchGrant(node.clone()))?;
            role.grants.remove(i);
            Ok(Change::AddRoleGrant {
                node: node.clone(),
                grant: grant.clone(),
                index: Some(i),
            })
        }
        Change::AddRoleTrust { node, service } => {
            let role = role_mut(graph, node)?;
            if role.trusts.insert(service.clone()) {
                Ok(Change::RemoveRoleTrust {
                    node: node.clone(),
                    service: service.clone(),
                })
            } else {
                Ok(Change::Batch { changes: vec![] })
            }
        }
        Change::RemoveRoleTrust { node, service } => {
            let role = role_mut(graph, node)?;
            if role.trusts.remove(service) {
                Ok(Change::AddRoleTrust {
                    node: node.clone(),
                    service: service.clone(),
                })
            } else {
                Ok(Change::Batch { changes: vec![] })
            }
        }
        Change::SetVisibilityTimeout { node, seconds } => match graph.nodes.get_mut(node) {
            Some(Node::SqsQueue(q)) => {
                let old = std::mem::replace(&mut q.visibility_timeout, *seconds);
                Ok(Change::SetVisibilityTimeout {
                    node: node.clone(),
                    seconds: old,
                })
            }
            Some(_) => Err(ChangeError::NotAQueue(node.clone())),
            None => Err(ChangeError::NoSuchNode(node.clone())),
        },
        Change::SetDefaults { account, region } => {
            let old_account = std::mem::replace(&mut graph.account, account.clone());
            let old_region = std::mem::replace(&mut graph.region, region.clone());
            Ok(Change::SetDefaults {
                account: old_account,
                region: old_region,
            })
        }
        Change::ReplaceGraph { graph: new } => {
            new.check()
                .map_err(|e| ChangeError::InvalidGraph(e.to_string()))?;
            let old = std::mem::replace(graph, (**new).clone());
            Ok(Change::ReplaceGraph {
                graph: Box::new(old),
            })
        }
        Change::Batch { changes } => {
            let mut inverses = Vec::with_capacity(changes.len());
            for c in changes {
                match apply(graph, c) {
                    Ok(inv) => inverses.push(inv),
                    Err(e) => {
                        // All or nothing: undo what this batch already did.
                        for inv in inverses.iter().rev() {
                            let _ = apply(graph, inv);
                        }
                        return Err(e);
                    }
                }
            }
            inverses.reverse();
            Ok(Change::Batch { changes: inverses })
        }
    }
}

/// Applies `changes` in order as one step; returns the inverse of the whole step.
pub fn apply_all(graph: &mut Graph, changes: &[Change]) -> Result<Change, ChangeError> {
    apply(
        graph,
        &Change::Batch {
            changes: changes.to_vec(),
        },
    )
}

fn function_mut<'g>(
    graph: &'g mut Graph,
    node: &NodeId,
) -> Result<&'g mut crate::model::Function, ChangeError> {
    match graph.nodes.get_mut(node) {
        Some(Node::Function(f)) => Ok(f),
        Some(_) => Err(ChangeError::NotAFunction(node.clone())),
        None => Err(ChangeError::NoSuchNode(node.clone())),
    }
}

fn role_mut<'g>(
    graph: &'g mut Graph,
    node: &NodeId,
) -> Result<&'g mut crate::model::Role, ChangeError> {
    match graph.nodes.get_mut(node) {
        Some(n) => n
            .role_mut()
            .ok_or_else(|| ChangeError::NoRole(node.clone())),
        None => Err(ChangeError::NoSuchNode(node.clone())),
    }
}

impl Change {
    /// A short description for announcements and history ("Connected a to b as trigger").
    pub fn describe(&self, graph: &Graph) -> String {
        let name = |id: &NodeId| {
            graph
                .nodes
                .get(id)
                .map_or_else(|| id.to_string(), |n| n.name().to_owned())
        };
        match self {
            Change::AddNode { node, .. } => {
                format!("Added {} {}", crate::catalog::of(node).label, node.name())
            }
            Change::RemoveNode { id } => format!("Deleted {}", name(id)),
            Change::ReplaceNode { id, .. } => format!("Edited {}", name(id)),
            Change::MoveNodes { positions } => {
                if positions.len() == 1 {
                    format!(
                        "Moved {}",
                        positions.keys().next().map(name).unwrap_or_default()
                    )
                } else {
                    format!("Moved {} nodes", positions.len())
                }
            }
            Change::AddEdge { edge, .. } => format!(
                "Connected {} to {} as {}",
                name(&edge.from),
                name(&edge.to),
                edge.kind.edge_type().label()
            ),
            Change::RemoveEdge { id } => match graph.edges.get(id) {
                Some(e) => format!("Disconnected {} from {}", name(&e.from), name(&e.to)),
                None => format!("Deleted edge {id}"),
            },
            Change::ReplaceEdge { edge, .. } => format!(
                "Edited the {} from {} to {}",
                edge.kind.edge_type().label(),
                name(&edge.from),
                name(&edge.to)
            ),
            Change::PutStatement {
                node, statement, ..
            } => format!("Put statement {} on {}", statement.sid, name(node)),
            Change::RemoveStatement { node, sid } => {
                format!("Removed statement {sid} from {}", name(node))
            }
            Change::AddRoleGrant { node, grant, .. } => format!(
                "Granted {} to {}'s role",
                grant
                    .actions
                    .iter()
                    .map(|a| a.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                name(node)
            ),
            Change::RemoveRoleGrant { node, .. } => {
                format!("Removed a grant from {}'s role", name(node))
            }
            Change::AddRoleTrust { node, service } => {
                format!("{}'s role now trusts {service}", name(node))
            }
            Change::RemoveRoleTrust { node, service } => {
                format!("{}'s role no longer trusts {service}", name(node))
            }
            Change::SetVisibilityTimeout { node, seconds } => match seconds {
                Some(s) => format!("Set {}'s visibility timeout to {s} s", name(node)),
                None => format!("Cleared {}'s visibility timeout", name(node)),
            },
            Change::SetDefaults { .. } => "Changed the draft's account and region".to_owned(),
            Change::ReplaceGraph { graph } => {
                format!("Replaced the graph ({} nodes)", graph.node_count())
            }
            Change::Batch { changes } => match changes.as_slice() {
                [one] => one.describe(graph),
                _ => format!("{} changes", changes.len()),
            },
        }
    }
}

//! Seeding an emulator with the resources a graph wires (functions with their roles,
//! buckets, queues, topics, rules), so the sandbox can be deployed to in one click.
//! Idempotent: what exists is left alone.

use super::{Clients, StepError, read::arn_name};
use wiring::{Graph, Node};

/// An empty zip archive: emulators store the code without running it.
const EMPTY_ZIP: &[u8] = b"PK\x05\x06\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0";

fn exists(e: &StepError) -> bool {
    matches!(
        e.code.as_deref(),
        Some(
            "EntityAlreadyExists"
                | "ResourceConflictException"
                | "BucketAlreadyOwnedByYou"
                | "BucketAlreadyExists"
                | "QueueAlreadyExists"
                | "ResourceAlreadyExistsException"
        )
    )
}

fn ok_if_exists<T>(r: Result<T, StepError>) -> Result<(), StepError> {
    match r {
        Ok(_) => Ok(()),
        Err(e) if exists(&e) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Creates every function (with its role and the grants the draft says it already has),
/// bucket, queue, topic and rule of `graph` that is missing. Returns how many it created.
pub async fn seed(c: &Clients, graph: &Graph) -> Result<usize, StepError> {
    let mut created = 0;
    for (id, node) in &graph.nodes {
        let Ok(arn) = graph.arn_of(id) else { continue };
        let arn = arn.as_str().to_owned();
        match node {
            Node::Function(f) => {
                if c.lambda
                    .get_function_configuration()
                    .function_name(&arn)
                    .send()
                    .await
                    .is_ok()
                {
                    continue;
                }
                let role_name = f.role.name.as_str();
                let trust = wiring::policy::trust_policy_document(&f.role.trusts).to_string();
                ok_if_exists(
                    c.iam
                        .create_role()
                        .role_name(role_name)
                        .assume_role_policy_document(trust)
                        .send()
                        .await
                        .map_err(StepError::from_sdk),
                )?;
                let known: Vec<_> = f.role.grants.iter().filter(|g| !g.managed).collect();
                if !known.is_empty() {
                    let doc = wiring::policy::role_policy_document(known);
                    c.iam
                        .put_role_policy()
                        .role_name(role_name)
                        .policy_name("app-permissions")
                        .policy_document(doc.to_string())
                        .send()
                        .await
                        .map_err(StepError::from_sdk)?;
                }
                let role_arn = format!("arn:aws:iam::{}:role/{role_name}", c.account_id);
                ok_if_exists(
                    c.lambda
                        .create_function()
                        .function_name(f.name.as_str())
                        .runtime(aws_sdk_lambda::types::Runtime::Python312)
                        .handler("index.handler")
                        .role(role_arn)
                        .timeout(i32::try_from(f.timeout).unwrap_or(3))
                        .code(
                            aws_sdk_lambda::types::FunctionCode::builder()
                                .zip_file(aws_sdk_lambda::primitives::Blob::new(EMPTY_ZIP))
                                .build(),
                        )
                        .send()
                        .await
                        .map_err(StepError::from_sdk),
                )?;
                created += 1;
            }
            Node::S3Bucket(b) => {
                if c.s3
                    .head_bucket()
                    .bucket(b.name.as_str())
                    .send()
                    .await
                    .is_ok()
                {
                    continue;
                }
                ok_if_exists(
                    c.s3.create_bucket()
                        .bucket(b.name.as_str())
                        .send()
                        .await
                        .map_err(StepError::from_sdk),
                )?;
                created += 1;
            }
            Node::SqsQueue(q) => {
                let found = c
                    .sqs
                    .get_queue_url()
                    .queue_name(q.name.as_str())
                    .send()
                    .await
                    .is_ok();
                if found {
                    continue;
                }
                let mut req = c.sqs.create_queue().queue_name(q.name.as_str());
                if let Some(v) = q.visibility_timeout {
                    req = req.attributes(
                        aws_sdk_sqs::types::QueueAttributeName::VisibilityTimeout,
                        v.to_string(),
                    );
                }
                if q.name.is_fifo() {
                    req = req.attributes(aws_sdk_sqs::types::QueueAttributeName::FifoQueue, "true");
                }
                ok_if_exists(req.send().await.map_err(StepError::from_sdk))?;
                created += 1;
            }
            Node::SnsTopic(t) => {
                // CreateTopic is idempotent for the same name.
                let mut req = c.sns.create_topic().name(t.name.as_str());
                if t.name.is_fifo() {
                    req = req.attributes("FifoTopic", "true");
                }
                req.send().await.map_err(StepError::from_sdk)?;
            }
            Node::EventRule(r) => {
                if c.events
                    .describe_rule()
                    .name(r.name.as_str())
                    .event_bus_name(r.bus.as_str())
                    .send()
                    .await
                    .is_ok()
                {
                    continue;
                }
                let req = c
                    .events
                    .put_rule()
                    .name(arn_name(&arn))
                    .event_bus_name(r.bus.as_str());
                let req = match &r.trigger {
                    wiring::model::RuleTrigger::Pattern(p) => req.event_pattern(p),
                    wiring::model::RuleTrigger::Schedule(s) => req.schedule_expression(s),
                };
                req.send().await.map_err(StepError::from_sdk)?;
                created += 1;
            }
            _ => {}
        }
    }
    Ok(created)
}

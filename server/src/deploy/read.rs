//! The reader: live wiring of the resources a draft touches, read through the SDK into
//! `wiring`'s [`Observed`]. Missing resources become notes and `missing` entries, not errors.

use super::{Clients, StepError};
use aws_sdk_sqs::types::QueueAttributeName;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use wiring::{
    Graph, Node, Observed,
    model::{CognitoTrigger, RecursiveLoop, StartingPosition, UrlAuthType},
    plan::{
        InvokeConfig, LambdaNotification, LiveBucket, LiveFunction, LiveMapping, LiveQueue,
        LiveRole, LiveSubscription, LiveTarget, MAPPING_TAG, MappingSettings, Redrive,
    },
    policy::MANAGED_ROLE_POLICY,
};

/// The live state and what the read noticed (missing resources, unreadable statements).
#[derive(Debug, Default)]
pub struct Reading {
    /// Live state.
    pub observed: Observed,
    /// Notes for the plan preview.
    pub notes: Vec<String>,
}

/// The last `:`- or `/`-separated part of an ARN.
pub fn arn_name(arn: &str) -> &str {
    arn.rsplit([':', '/']).next().unwrap_or(arn)
}

/// IAM returns policy documents URL-encoded; emulators sometimes do not.
fn policy_json(text: &str) -> Option<Value> {
    serde_json::from_str(text).ok().or_else(|| {
        let decoded = percent_encoding::percent_decode_str(text)
            .decode_utf8()
            .ok()?;
        serde_json::from_str(&decoded).ok()
    })
}

/// Services a trust policy lets assume the role.
fn trusted_services(doc: &Value) -> BTreeSet<String> {
    let list = match &doc["Statement"] {
        Value::Array(a) => a.clone(),
        other => vec![other.clone()],
    };
    let mut out = BTreeSet::new();
    for st in list {
        if st["Effect"].as_str() != Some("Allow") {
            continue;
        }
        match &st["Principal"]["Service"] {
            Value::String(s) => {
                out.insert(s.clone());
            }
            Value::Array(a) => out.extend(a.iter().filter_map(|v| v.as_str().map(str::to_owned))),
            _ => {}
        }
    }
    out
}

/// Reads every resource of `graph` the plan compares.
pub async fn read(c: &Clients, graph: &Graph) -> Result<Reading, StepError> {
    let mut r = Reading::default();
    let mut roles: BTreeSet<String> = BTreeSet::new();
    for (id, node) in &graph.nodes {
        let Ok(arn) = graph.arn_of(id) else { continue };
        let arn = arn.as_str().to_owned();
        if let Some(role) = node.role()
            && let Some(account) = graph.account_of(node)
        {
            let partition = graph.region_of(node).map_or("aws", |r| r.partition());
            roles.insert(format!(
                "arn:{partition}:iam::{account}:role/{}",
                role.name.as_str()
            ));
        }
        match node {
            Node::Function(f) => {
                if let Some(live) = read_function(c, &arn, f, &mut r.notes).await? {
                    r.observed.functions.insert(arn, live);
                } else {
                    r.notes.push(format!("function {arn} does not exist"));
                    r.observed.missing.insert(arn);
                }
            }
            Node::SqsQueue(q) => match read_queue(c, &arn, q.name.as_str()).await? {
                Some(live) => {
                    r.observed.queues.insert(arn, live);
                }
                None => {
                    r.notes.push(format!("queue {arn} does not exist"));
                    r.observed.missing.insert(arn);
                }
            },
            Node::S3Bucket(b) => match read_bucket(c, b.name.as_str()).await? {
                Some(live) => {
                    r.observed.buckets.insert(b.name.to_string(), live);
                }
                None => {
                    r.notes
                        .push(format!("bucket {} does not exist", b.name.as_str()));
                    r.observed.missing.insert(b.name.to_string());
                }
            },
            Node::SnsTopic(_) => match read_topic(c, &arn).await? {
                Some(live) => {
                    r.observed.topics.insert(arn, live);
                }
                None => {
                    r.notes.push(format!("topic {arn} does not exist"));
                    r.observed.missing.insert(arn);
                }
            },
            Node::EventRule(rule) => {
                match read_rule(c, rule.name.as_str(), rule.bus.as_str()).await? {
                    Some(live) => {
                        r.observed.rules.insert(arn, live);
                    }
                    None => {
                        r.notes.push(format!("rule {arn} does not exist"));
                        r.observed.missing.insert(arn);
                    }
                }
            }
            Node::UserPool(p) => match read_user_pool(c, p.name.as_str()).await? {
                Some(live) => {
                    r.observed.user_pools.insert(arn, live);
                }
                None => {
                    r.notes.push(format!("user pool {arn} does not exist"));
                    r.observed.missing.insert(arn);
                }
            },
            Node::HttpApiRoute(route) => {
                match read_route(c, route.name.as_str(), &route.route_key).await? {
                    Some(live) => {
                        r.observed
                            .routes
                            .insert(format!("{} {}", route.name, route.route_key), live);
                    }
                    None => {
                        r.notes
                            .push(format!("HTTP API {} does not exist", route.name.as_str()));
                        r.observed.missing.insert(arn);
                    }
                }
            }
            _ => {}
        }
    }
    for role_arn in roles {
        match read_role(c, &role_arn).await? {
            Some(live) => {
                r.observed.roles.insert(role_arn, live);
            }
            None => {
                r.notes.push(format!("role {role_arn} does not exist"));
                r.observed.missing.insert(role_arn);
            }
        }
    }
    Ok(r)
}

/// `Ok(None)` when AWS says not found.
fn found<T>(res: Result<T, StepError>) -> Result<Option<T>, StepError> {
    match res {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e),
    }
}

async fn read_function(
    c: &Clients,
    arn: &str,
    f: &wiring::model::Function,
    notes: &mut Vec<String>,
) -> Result<Option<LiveFunction>, StepError> {
    let Some(cfg) = found(
        c.lambda
            .get_function_configuration()
            .function_name(arn)
            .send()
            .await
            .map_err(StepError::from_sdk),
    )?
    else {
        return Ok(None);
    };
    let mut live = LiveFunction {
        timeout: cfg.timeout().and_then(|t| u32::try_from(t).ok()),
        role: cfg.role().map(str::to_owned),
        revision_id: cfg.revision_id().map(str::to_owned),
        dead_letter: cfg
            .dead_letter_config()
            .and_then(|d| d.target_arn())
            .filter(|t| !t.is_empty())
            .map(str::to_owned),
        ..LiveFunction::default()
    };

    if let Some(p) = found(
        c.lambda
            .get_policy()
            .function_name(arn)
            .send()
            .await
            .map_err(StepError::from_sdk),
    )? && let Some(text) = p.policy()
    {
        match wiring::policy::parse_policy(text) {
            Ok((statements, skipped)) => {
                live.policy = statements;
                for s in skipped {
                    notes.push(format!(
                        "{}: statement {s}; Eventloom leaves it as is",
                        f.name.as_str()
                    ));
                }
            }
            Err(e) => notes.push(format!(
                "{}: the resource policy is unreadable: {e}",
                f.name.as_str()
            )),
        }
    }

    let mut marker: Option<String> = None;
    loop {
        let page = c
            .lambda
            .list_event_source_mappings()
            .function_name(arn)
            .set_marker(marker.clone())
            .send()
            .await
            .map_err(StepError::from_sdk)?;
        for m in page.event_source_mappings() {
            let (Some(uuid), Some(source)) = (m.uuid(), m.event_source_arn()) else {
                continue;
            };
            let mapping_arn = m.event_source_mapping_arn().map_or_else(
                || {
                    format!(
                        "arn:aws:lambda:{}:{}:event-source-mapping:{uuid}",
                        c.region, c.account_id
                    )
                },
                str::to_owned,
            );
            let owner = c
                .lambda
                .list_tags()
                .resource(&mapping_arn)
                .send()
                .await
                .ok()
                .and_then(|t| t.tags().and_then(|t| t.get(MAPPING_TAG).cloned()));
            let mut filters: Vec<String> = m
                .filter_criteria()
                .map(|fc| {
                    fc.filters()
                        .iter()
                        .filter_map(|f| f.pattern().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            filters.sort();
            live.mappings.push(LiveMapping {
                uuid: uuid.to_owned(),
                source_arn: source.to_owned(),
                settings: MappingSettings {
                    batch_size: m
                        .batch_size()
                        .and_then(|b| u32::try_from(b).ok())
                        .unwrap_or(0),
                    batching_window: m
                        .maximum_batching_window_in_seconds()
                        .and_then(|b| u32::try_from(b).ok())
                        .unwrap_or(0),
                    starting_position: m.starting_position().and_then(|p| match p.as_str() {
                        "LATEST" => Some(StartingPosition::Latest),
                        "TRIM_HORIZON" => Some(StartingPosition::TrimHorizon),
                        "AT_TIMESTAMP" => Some(StartingPosition::AtTimestamp),
                        _ => None,
                    }),
                    starting_position_timestamp: m.starting_position_timestamp().map(|t| t.secs()),
                    filters,
                    maximum_retry_attempts: m.maximum_retry_attempts(),
                    maximum_record_age: m.maximum_record_age_in_seconds(),
                    bisect_batch_on_function_error: m.bisect_batch_on_function_error(),
                    on_failure: m
                        .destination_config()
                        .and_then(|d| d.on_failure())
                        .and_then(|o| o.destination())
                        .filter(|d| !d.is_empty())
                        .map(str::to_owned),
                },
                owner,
            });
        }
        marker = page.next_marker().map(str::to_owned);
        if marker.is_none() {
            break;
        }
    }
    live.mappings.sort_by(|a, b| a.uuid.cmp(&b.uuid));

    live.invoke_config = found(
        c.lambda
            .get_function_event_invoke_config()
            .function_name(arn)
            .send()
            .await
            .map_err(StepError::from_sdk),
    )?
    .map(|cfg| {
        let dest = cfg.destination_config();
        InvokeConfig {
            on_success: dest
                .and_then(|d| d.on_success())
                .and_then(|d| d.destination())
                .filter(|d| !d.is_empty())
                .map(str::to_owned),
            on_failure: dest
                .and_then(|d| d.on_failure())
                .and_then(|d| d.destination())
                .filter(|d| !d.is_empty())
                .map(str::to_owned),
            maximum_retry_attempts: cfg
                .maximum_retry_attempts()
                .and_then(|v| u32::try_from(v).ok()),
            maximum_event_age: cfg
                .maximum_event_age_in_seconds()
                .and_then(|v| u32::try_from(v).ok()),
        }
    });

    if f.url.is_some() {
        live.url = found(
            c.lambda
                .get_function_url_config()
                .function_name(arn)
                .send()
                .await
                .map_err(StepError::from_sdk),
        )?
        .map(|u| match u.auth_type().as_str() {
            "NONE" => UrlAuthType::None,
            _ => UrlAuthType::AwsIam,
        });
    }

    // Only asked when the draft wants the non-default, so graphs that never touch the
    // setting cost no call (and work on emulators without this API).
    if f.recursive_loop != RecursiveLoop::default() {
        match c
            .lambda
            .get_function_recursion_config()
            .function_name(arn)
            .send()
            .await
        {
            Ok(out) => {
                live.recursion = out.recursive_loop().map(|r| match r.as_str() {
                    "Allow" => RecursiveLoop::Allow,
                    _ => RecursiveLoop::Terminate,
                });
            }
            Err(e) => notes.push(format!(
                "{}: the recursive-loop setting could not be read ({})",
                f.name.as_str(),
                StepError::from_sdk(e)
            )),
        }
    }
    Ok(Some(live))
}

async fn read_role(c: &Clients, role_arn: &str) -> Result<Option<LiveRole>, StepError> {
    let name = arn_name(role_arn);
    let Some(role) = found(
        c.iam
            .get_role()
            .role_name(name)
            .send()
            .await
            .map_err(StepError::from_sdk),
    )?
    else {
        return Ok(None);
    };
    let mut live = LiveRole {
        trusts: role
            .role()
            .and_then(|r| r.assume_role_policy_document())
            .and_then(policy_json)
            .map(|d| trusted_services(&d)),
        ..LiveRole::default()
    };
    if let Some(p) = found(
        c.iam
            .get_role_policy()
            .role_name(name)
            .policy_name(MANAGED_ROLE_POLICY)
            .send()
            .await
            .map_err(StepError::from_sdk),
    )? && let Some(doc) = policy_json(p.policy_document())
    {
        live.inline.insert(MANAGED_ROLE_POLICY.to_owned(), doc);
    }
    Ok(Some(live))
}

async fn read_queue(c: &Clients, arn: &str, name: &str) -> Result<Option<LiveQueue>, StepError> {
    let Some(url) = found(
        c.sqs
            .get_queue_url()
            .queue_name(name)
            .queue_owner_aws_account_id(arn.split(':').nth(4).unwrap_or_default())
            .send()
            .await
            .map_err(StepError::from_sdk),
    )?
    .and_then(|o| o.queue_url().map(str::to_owned)) else {
        return Ok(None);
    };
    let attrs = c
        .sqs
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(QueueAttributeName::All)
        .send()
        .await
        .map_err(StepError::from_sdk)?;
    let get = |k: QueueAttributeName| attrs.attributes().and_then(|a| a.get(&k)).cloned();
    let redrive = get(QueueAttributeName::RedrivePolicy)
        .and_then(|t| serde_json::from_str::<Value>(&t).ok())
        .and_then(|v| {
            Some(Redrive {
                target_arn: v["deadLetterTargetArn"].as_str()?.to_owned(),
                max_receive_count: match &v["maxReceiveCount"] {
                    Value::Number(n) => u32::try_from(n.as_u64()?).ok()?,
                    Value::String(s) => s.parse().ok()?,
                    _ => return None,
                },
            })
        });
    Ok(Some(LiveQueue {
        url: Some(url),
        visibility_timeout: get(QueueAttributeName::VisibilityTimeout)
            .and_then(|v| v.parse().ok())
            .unwrap_or(30),
        redrive,
    }))
}

fn s3_filter(
    f: Option<&aws_sdk_s3::types::NotificationConfigurationFilter>,
) -> (Option<String>, Option<String>) {
    let mut prefix = None;
    let mut suffix = None;
    for rule in f
        .and_then(|f| f.key())
        .map(|k| k.filter_rules())
        .unwrap_or_default()
    {
        let value = rule.value().map(str::to_owned);
        match rule
            .name()
            .map(|n| n.as_str().to_ascii_lowercase())
            .as_deref()
        {
            Some("prefix") => prefix = value,
            Some("suffix") => suffix = value,
            _ => {}
        }
    }
    (prefix, suffix)
}

/// A 2xx answer the SDK could not read, with no configuration element in it. moto answers a
/// bucket without notifications with an empty `GetBucketNotificationResponse` root where
/// S3 sends an empty `NotificationConfiguration`; both mean "none".
fn empty_notification_answer<E>(
    e: &aws_smithy_runtime_api::client::result::SdkError<E, aws_smithy_runtime_api::http::Response>,
) -> bool {
    e.raw_response().is_some_and(|r| {
        r.status().is_success()
            && r.body()
                .bytes()
                .is_some_and(|b| !String::from_utf8_lossy(b).contains("Configuration>"))
    })
}

async fn read_bucket(c: &Clients, bucket: &str) -> Result<Option<LiveBucket>, StepError> {
    let cfg = match c
        .s3
        .get_bucket_notification_configuration()
        .bucket(bucket)
        .send()
        .await
    {
        Ok(cfg) => cfg,
        Err(e) if empty_notification_answer(&e) => return Ok(Some(LiveBucket::default())),
        Err(e) => {
            let e = StepError::from_sdk(e);
            return if e.is_not_found() { Ok(None) } else { Err(e) };
        }
    };
    let mut lambda: Vec<LambdaNotification> = cfg
        .lambda_function_configurations()
        .iter()
        .map(|l| {
            let (prefix, suffix) = s3_filter(l.filter());
            LambdaNotification {
                id: l.id().unwrap_or_default().to_owned(),
                function_arn: l.lambda_function_arn().to_owned(),
                events: l.events().iter().map(|e| e.as_str().to_owned()).collect(),
                prefix,
                suffix,
            }
        })
        .collect();
    lambda.sort();
    // Queue, topic and EventBridge configurations are kept verbatim and written back.
    let entry = |id: Option<&str>, arn: &str, events: Vec<String>, f| {
        let (prefix, suffix) = s3_filter(f);
        json!({ "id": id, "arn": arn, "events": events, "prefix": prefix, "suffix": suffix })
    };
    let queues: Vec<Value> = cfg
        .queue_configurations()
        .iter()
        .map(|q| {
            entry(
                q.id(),
                q.queue_arn(),
                q.events().iter().map(|e| e.as_str().to_owned()).collect(),
                q.filter(),
            )
        })
        .collect();
    let topics: Vec<Value> = cfg
        .topic_configurations()
        .iter()
        .map(|t| {
            entry(
                t.id(),
                t.topic_arn(),
                t.events().iter().map(|e| e.as_str().to_owned()).collect(),
                t.filter(),
            )
        })
        .collect();
    let eventbridge = cfg.event_bridge_configuration().is_some();
    let other = if queues.is_empty() && topics.is_empty() && !eventbridge {
        Value::Null
    } else {
        json!({ "queues": queues, "topics": topics, "eventbridge": eventbridge })
    };
    Ok(Some(LiveBucket { lambda, other }))
}

async fn read_topic(c: &Clients, arn: &str) -> Result<Option<Vec<LiveSubscription>>, StepError> {
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let Some(page) = found(
            c.sns
                .list_subscriptions_by_topic()
                .topic_arn(arn)
                .set_next_token(token.clone())
                .send()
                .await
                .map_err(StepError::from_sdk),
        )?
        else {
            return Ok(None);
        };
        for s in page.subscriptions() {
            if s.protocol() == Some("lambda") {
                out.push(LiveSubscription {
                    arn: s.subscription_arn().unwrap_or_default().to_owned(),
                    endpoint: s.endpoint().unwrap_or_default().to_owned(),
                    filter_policy: None,
                });
            }
        }
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    out.sort_by(|a, b| a.arn.cmp(&b.arn));
    Ok(Some(out))
}

async fn read_rule(
    c: &Clients,
    name: &str,
    bus: &str,
) -> Result<Option<Vec<LiveTarget>>, StepError> {
    let Some(out) = found(
        c.events
            .list_targets_by_rule()
            .rule(name)
            .event_bus_name(bus)
            .send()
            .await
            .map_err(StepError::from_sdk),
    )?
    else {
        return Ok(None);
    };
    let mut targets: Vec<LiveTarget> = out
        .targets()
        .iter()
        .map(|t| LiveTarget {
            id: t.id().to_owned(),
            arn: t.arn().to_owned(),
        })
        .collect();
    targets.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(Some(targets))
}

/// A user pool's Lambda trigger slots.
async fn read_user_pool(
    c: &Clients,
    pool_id: &str,
) -> Result<Option<BTreeMap<CognitoTrigger, String>>, StepError> {
    let Some(out) = found(
        c.cognito
            .describe_user_pool()
            .user_pool_id(pool_id)
            .send()
            .await
            .map_err(StepError::from_sdk),
    )?
    else {
        return Ok(None);
    };
    Ok(Some(
        out.user_pool()
            .and_then(|p| p.lambda_config())
            .map(cognito_slots)
            .unwrap_or_default(),
    ))
}

/// The slots of a `LambdaConfig` that name a function.
pub fn cognito_slots(
    l: &aws_sdk_cognitoidentityprovider::types::LambdaConfigType,
) -> BTreeMap<CognitoTrigger, String> {
    use CognitoTrigger as T;
    let pre_token = l
        .pre_token_generation()
        .or_else(|| l.pre_token_generation_config().map(|c| c.lambda_arn()));
    [
        (T::PreSignUp, l.pre_sign_up()),
        (T::CustomMessage, l.custom_message()),
        (T::PostConfirmation, l.post_confirmation()),
        (T::PreAuthentication, l.pre_authentication()),
        (T::PostAuthentication, l.post_authentication()),
        (T::DefineAuthChallenge, l.define_auth_challenge()),
        (T::CreateAuthChallenge, l.create_auth_challenge()),
        (
            T::VerifyAuthChallengeResponse,
            l.verify_auth_challenge_response(),
        ),
        (T::PreTokenGeneration, pre_token),
        (T::UserMigration, l.user_migration()),
        (
            T::CustomSMSSender,
            l.custom_sms_sender().map(|c| c.lambda_arn()),
        ),
        (
            T::CustomEmailSender,
            l.custom_email_sender().map(|c| c.lambda_arn()),
        ),
    ]
    .into_iter()
    .filter_map(|(slot, arn)| arn.filter(|a| !a.is_empty()).map(|a| (slot, a.to_owned())))
    .collect()
}

/// The function a route's integration invokes (`None` when the route or its integration is
/// absent or not a Lambda proxy); `Ok(None)` from the outer layer when the API is missing.
async fn read_route(
    c: &Clients,
    api_id: &str,
    route_key: &str,
) -> Result<Option<Option<String>>, StepError> {
    let mut token: Option<String> = None;
    let mut target: Option<String> = None;
    loop {
        let Some(page) = found(
            c.apigw
                .get_routes()
                .api_id(api_id)
                .set_next_token(token.clone())
                .send()
                .await
                .map_err(StepError::from_sdk),
        )?
        else {
            return Ok(None);
        };
        if let Some(route) = page
            .items()
            .iter()
            .find(|r| r.route_key() == Some(route_key))
        {
            target = route.target().map(str::to_owned);
            break;
        }
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    let Some(integration) = target
        .as_deref()
        .and_then(|t| t.strip_prefix("integrations/"))
    else {
        return Ok(Some(None));
    };
    let uri = found(
        c.apigw
            .get_integration()
            .api_id(api_id)
            .integration_id(integration)
            .send()
            .await
            .map_err(StepError::from_sdk),
    )?
    .and_then(|i| i.integration_uri().map(str::to_owned));
    Ok(Some(uri))
}

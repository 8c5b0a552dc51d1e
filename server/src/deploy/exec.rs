//! The executor: one plan [`Action`] as SDK calls, answered with a short summary of what
//! AWS returned or a [`StepError`] in AWS terms.

use super::{Clients, StepError, read::arn_name};
use aws_sdk_lambda::types as lt;
use aws_sdk_s3::types as st;
use serde_json::Value;
use wiring::plan::{Action, LambdaNotification, MAPPING_TAG, MappingSettings};

/// Runs `action` against AWS. The clients pace every call (see `clients::PacedHttpClient`).
pub async fn execute(c: &Clients, action: &Action) -> Result<String, StepError> {
    match action {
        Action::PutRolePolicy {
            role_arn,
            policy_name,
            document,
        } => {
            c.iam
                .put_role_policy()
                .role_name(arn_name(role_arn))
                .policy_name(policy_name)
                .policy_document(document.to_string())
                .send()
                .await
                .map_err(StepError::from_sdk)?;
            Ok(format!("inline policy {policy_name} written"))
        }
        Action::DeleteRolePolicy {
            role_arn,
            policy_name,
        } => {
            c.iam
                .delete_role_policy()
                .role_name(arn_name(role_arn))
                .policy_name(policy_name)
                .send()
                .await
                .map_err(StepError::from_sdk)?;
            Ok(format!("inline policy {policy_name} deleted"))
        }
        Action::UpdateAssumeRolePolicy {
            role_arn, document, ..
        } => {
            c.iam
                .update_assume_role_policy()
                .role_name(arn_name(role_arn))
                .policy_document(document.to_string())
                .send()
                .await
                .map_err(StepError::from_sdk)?;
            Ok("trust policy updated".into())
        }
        Action::SetQueueAttributes {
            queue_arn,
            visibility_timeout,
            redrive,
        } => {
            let url = c
                .sqs
                .get_queue_url()
                .queue_name(arn_name(queue_arn))
                .queue_owner_aws_account_id(queue_arn.split(':').nth(4).unwrap_or_default())
                .send()
                .await
                .map_err(StepError::from_sdk)?
                .queue_url()
                .map(str::to_owned)
                .ok_or_else(|| {
                    StepError::ours("QueueDoesNotExist", format!("{queue_arn} has no URL"))
                })?;
            let mut req = c.sqs.set_queue_attributes().queue_url(url);
            if let Some(v) = visibility_timeout {
                req = req.attributes(
                    aws_sdk_sqs::types::QueueAttributeName::VisibilityTimeout,
                    v.to_string(),
                );
            }
            if let Some(r) = redrive {
                req = req.attributes(
                    aws_sdk_sqs::types::QueueAttributeName::RedrivePolicy,
                    serde_json::json!({
                        "deadLetterTargetArn": r.target_arn,
                        "maxReceiveCount": r.max_receive_count,
                    })
                    .to_string(),
                );
            }
            req.send().await.map_err(StepError::from_sdk)?;
            Ok("queue attributes set".into())
        }
        Action::AddPermission {
            function_arn,
            statement,
        } => {
            let out = c
                .lambda
                .add_permission()
                .function_name(function_arn)
                .statement_id(statement.sid.as_str())
                .action(statement.action.to_string())
                .principal(statement.principal.to_string())
                .set_source_arn(statement.source_arn.as_ref().map(|a| a.as_str().to_owned()))
                .set_source_account(
                    statement
                        .source_account
                        .as_ref()
                        .map(|a| a.as_str().to_owned()),
                )
                .set_principal_org_id(statement.principal_org_id.clone())
                .set_function_url_auth_type(
                    statement
                        .function_url_auth_type
                        .map(|t| lt::FunctionUrlAuthType::from(t.as_str())),
                )
                .set_invoked_via_function_url(statement.invoked_via_function_url)
                .send()
                .await
                .map_err(StepError::from_sdk)?;
            Ok(format!(
                "statement {} added{}",
                statement.sid.as_str(),
                if out.statement().is_some() {
                    ""
                } else {
                    " (no statement echoed)"
                }
            ))
        }
        Action::RemovePermission { function_arn, sid } => {
            c.lambda
                .remove_permission()
                .function_name(function_arn)
                .statement_id(sid.as_str())
                .send()
                .await
                .map_err(StepError::from_sdk)?;
            Ok(format!("statement {} removed", sid.as_str()))
        }
        Action::PutBucketNotification {
            bucket,
            lambda,
            other,
        } => {
            let cfg = notification_config(lambda, other)?;
            c.s3.put_bucket_notification_configuration()
                .bucket(bucket)
                .notification_configuration(cfg)
                .send()
                .await
                .map_err(StepError::from_sdk)?;
            Ok(format!(
                "notification configuration written with {} Lambda entries",
                lambda.len()
            ))
        }
        Action::Subscribe {
            topic_arn,
            function_arn,
            filter_policy,
        } => {
            let mut req = c
                .sns
                .subscribe()
                .topic_arn(topic_arn)
                .protocol("lambda")
                .endpoint(function_arn)
                .return_subscription_arn(true);
            if let Some(f) = filter_policy {
                req = req.attributes("FilterPolicy", f);
            }
            let out = req.send().await.map_err(StepError::from_sdk)?;
            Ok(format!(
                "subscribed: {}",
                out.subscription_arn().unwrap_or("(no ARN returned)")
            ))
        }
        Action::Unsubscribe {
            subscription_arn, ..
        } => {
            c.sns
                .unsubscribe()
                .subscription_arn(subscription_arn)
                .send()
                .await
                .map_err(StepError::from_sdk)?;
            Ok("unsubscribed".into())
        }
        Action::PutTargets {
            rule_arn,
            target_id,
            function_arn,
        } => {
            let (bus, rule) = rule_parts(rule_arn);
            let target = aws_sdk_eventbridge::types::Target::builder()
                .id(target_id)
                .arn(function_arn)
                .build()
                .map_err(|e| StepError::ours("InvalidTarget", e.to_string()))?;
            let out = c
                .events
                .put_targets()
                .rule(rule)
                .event_bus_name(bus)
                .targets(target)
                .send()
                .await
                .map_err(StepError::from_sdk)?;
            if let Some(failed) = out.failed_entries().first() {
                return Err(StepError {
                    code: failed.error_code().map(str::to_owned),
                    message: failed
                        .error_message()
                        .unwrap_or("EventBridge refused the target")
                        .to_owned(),
                    retryable: false,
                });
            }
            Ok(format!("target {target_id} added"))
        }
        Action::RemoveTargets {
            rule_arn,
            target_id,
        } => {
            let (bus, rule) = rule_parts(rule_arn);
            c.events
                .remove_targets()
                .rule(rule)
                .event_bus_name(bus)
                .ids(target_id)
                .send()
                .await
                .map_err(StepError::from_sdk)?;
            Ok(format!("target {target_id} removed"))
        }
        Action::CreateEventSourceMapping {
            function_arn,
            source_arn,
            settings,
            owner,
        } => {
            let s = settings;
            let out = c
                .lambda
                .create_event_source_mapping()
                .function_name(function_arn)
                .event_source_arn(source_arn)
                .batch_size(to_i32(s.batch_size))
                .maximum_batching_window_in_seconds(to_i32(s.batching_window))
                .set_starting_position(
                    s.starting_position
                        .map(|p| lt::EventSourcePosition::from(p.as_str())),
                )
                .set_starting_position_timestamp(
                    s.starting_position_timestamp
                        .map(aws_smithy_types::DateTime::from_secs),
                )
                .set_filter_criteria(filters(s))
                .set_maximum_retry_attempts(s.maximum_retry_attempts)
                .set_maximum_record_age_in_seconds(s.maximum_record_age)
                .set_bisect_batch_on_function_error(s.bisect_batch_on_function_error)
                .set_destination_config(on_failure(s))
                .tags(MAPPING_TAG, owner)
                .send()
                .await
                .map_err(StepError::from_sdk)?;
            Ok(format!("mapping {} created", out.uuid().unwrap_or("?")))
        }
        Action::UpdateEventSourceMapping { uuid, settings, .. } => {
            let s = settings;
            c.lambda
                .update_event_source_mapping()
                .uuid(uuid)
                .batch_size(to_i32(s.batch_size))
                .maximum_batching_window_in_seconds(to_i32(s.batching_window))
                .filter_criteria(
                    filters(s).unwrap_or_else(|| lt::FilterCriteria::builder().build()),
                )
                .set_maximum_retry_attempts(s.maximum_retry_attempts)
                .set_maximum_record_age_in_seconds(s.maximum_record_age)
                .set_bisect_batch_on_function_error(s.bisect_batch_on_function_error)
                .set_destination_config(on_failure(s))
                .send()
                .await
                .map_err(StepError::from_sdk)?;
            Ok(format!("mapping {uuid} updated"))
        }
        Action::DeleteEventSourceMapping { uuid, .. } => {
            c.lambda
                .delete_event_source_mapping()
                .uuid(uuid)
                .send()
                .await
                .map_err(StepError::from_sdk)?;
            Ok(format!("mapping {uuid} deleted"))
        }
        Action::PutFunctionEventInvokeConfig {
            function_arn,
            config,
        } => {
            let dest = lt::DestinationConfig::builder()
                .on_success(
                    lt::OnSuccess::builder()
                        .set_destination(config.on_success.clone())
                        .build(),
                )
                .on_failure(
                    lt::OnFailure::builder()
                        .set_destination(config.on_failure.clone())
                        .build(),
                )
                .build();
            c.lambda
                .put_function_event_invoke_config()
                .function_name(function_arn)
                .set_maximum_retry_attempts(config.maximum_retry_attempts.map(to_i32))
                .set_maximum_event_age_in_seconds(config.maximum_event_age.map(to_i32))
                .destination_config(dest)
                .send()
                .await
                .map_err(StepError::from_sdk)?;
            Ok("event invoke config written".into())
        }
        Action::PutDeadLetterConfig {
            function_arn,
            target_arn,
        } => {
            c.lambda
                .update_function_configuration()
                .function_name(function_arn)
                .dead_letter_config(
                    lt::DeadLetterConfig::builder()
                        // An empty target clears the DLQ.
                        .target_arn(target_arn.clone().unwrap_or_default())
                        .build(),
                )
                .send()
                .await
                .map_err(StepError::from_sdk)?;
            Ok("dead-letter config set".into())
        }
        Action::PutFunctionUrlConfig {
            function_arn,
            auth_type,
            update,
        } => {
            let auth = lt::FunctionUrlAuthType::from(auth_type.as_str());
            let url = if *update {
                c.lambda
                    .update_function_url_config()
                    .function_name(function_arn)
                    .auth_type(auth)
                    .send()
                    .await
                    .map_err(StepError::from_sdk)?
                    .function_url()
                    .to_owned()
            } else {
                c.lambda
                    .create_function_url_config()
                    .function_name(function_arn)
                    .auth_type(auth)
                    .send()
                    .await
                    .map_err(StepError::from_sdk)?
                    .function_url()
                    .to_owned()
            };
            Ok(format!("function URL {url}"))
        }
        Action::PutFunctionRecursionConfig {
            function_arn,
            setting,
        } => {
            let value = match setting {
                wiring::model::RecursiveLoop::Allow => lt::RecursiveLoop::Allow,
                wiring::model::RecursiveLoop::Terminate => lt::RecursiveLoop::Terminate,
            };
            c.lambda
                .put_function_recursion_config()
                .function_name(function_arn)
                .recursive_loop(value)
                .send()
                .await
                .map_err(StepError::from_sdk)?;
            Ok("recursive-loop setting written".into())
        }
        Action::UpdateUserPoolLambdaConfig { pool_arn, config } => {
            update_user_pool(c, pool_arn, config).await
        }
        Action::PutRouteIntegration {
            api_id,
            route_key,
            function_arn,
        } => put_route_integration(c, api_id, route_key, function_arn).await,
        Action::Manual { instructions, .. } => Ok(format!("left to you: {instructions}")),
    }
}

fn to_i32(v: u32) -> i32 {
    i32::try_from(v).unwrap_or(i32::MAX)
}

/// `(bus, rule)` from `arn:…:rule/NAME` or `arn:…:rule/BUS/NAME`.
fn rule_parts(rule_arn: &str) -> (&str, &str) {
    let tail = rule_arn.split_once(":rule/").map_or(rule_arn, |(_, t)| t);
    match tail.split_once('/') {
        Some((bus, name)) => (bus, name),
        None => ("default", tail),
    }
}

fn filters(s: &MappingSettings) -> Option<lt::FilterCriteria> {
    (!s.filters.is_empty()).then(|| {
        lt::FilterCriteria::builder()
            .set_filters(Some(
                s.filters
                    .iter()
                    .map(|p| lt::Filter::builder().pattern(p).build())
                    .collect(),
            ))
            .build()
    })
}

fn on_failure(s: &MappingSettings) -> Option<lt::DestinationConfig> {
    s.on_failure.as_ref().map(|d| {
        lt::DestinationConfig::builder()
            .on_failure(lt::OnFailure::builder().destination(d).build())
            .build()
    })
}

fn key_filter(
    prefix: Option<&str>,
    suffix: Option<&str>,
) -> Option<st::NotificationConfigurationFilter> {
    let mut rules = Vec::new();
    if let Some(p) = prefix {
        rules.push(
            st::FilterRule::builder()
                .name(st::FilterRuleName::Prefix)
                .value(p)
                .build(),
        );
    }
    if let Some(s) = suffix {
        rules.push(
            st::FilterRule::builder()
                .name(st::FilterRuleName::Suffix)
                .value(s)
                .build(),
        );
    }
    (!rules.is_empty()).then(|| {
        st::NotificationConfigurationFilter::builder()
            .key(
                st::S3KeyFilter::builder()
                    .set_filter_rules(Some(rules))
                    .build(),
            )
            .build()
    })
}

/// The whole notification configuration: our Lambda entries merged with the foreign ones,
/// and the queue, topic and EventBridge entries exactly as they were read.
fn notification_config(
    lambda: &[LambdaNotification],
    other: &Value,
) -> Result<st::NotificationConfiguration, StepError> {
    let bad =
        |e: aws_sdk_s3::error::BuildError| StepError::ours("InvalidNotification", e.to_string());
    let events = |v: &Value| -> Vec<st::Event> {
        v["events"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|e| e.as_str())
                    .map(st::Event::from)
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut b = st::NotificationConfiguration::builder();
    for n in lambda {
        b = b.lambda_function_configurations(
            st::LambdaFunctionConfiguration::builder()
                .id(&n.id)
                .lambda_function_arn(&n.function_arn)
                .set_events(Some(
                    n.events
                        .iter()
                        .map(|e| st::Event::from(e.as_str()))
                        .collect(),
                ))
                .set_filter(key_filter(n.prefix.as_deref(), n.suffix.as_deref()))
                .build()
                .map_err(bad)?,
        );
    }
    for q in other["queues"].as_array().into_iter().flatten() {
        b = b.queue_configurations(
            st::QueueConfiguration::builder()
                .set_id(q["id"].as_str().map(str::to_owned))
                .queue_arn(q["arn"].as_str().unwrap_or_default())
                .set_events(Some(events(q)))
                .set_filter(key_filter(q["prefix"].as_str(), q["suffix"].as_str()))
                .build()
                .map_err(bad)?,
        );
    }
    for t in other["topics"].as_array().into_iter().flatten() {
        b = b.topic_configurations(
            st::TopicConfiguration::builder()
                .set_id(t["id"].as_str().map(str::to_owned))
                .topic_arn(t["arn"].as_str().unwrap_or_default())
                .set_events(Some(events(t)))
                .set_filter(key_filter(t["prefix"].as_str(), t["suffix"].as_str()))
                .build()
                .map_err(bad)?,
        );
    }
    if other["eventbridge"].as_bool() == Some(true) {
        b = b.event_bridge_configuration(st::EventBridgeConfiguration::builder().build());
    }
    Ok(b.build())
}

/// `UpdateUserPool` resets every setting it is not given, so the pool is read first and
/// every updatable setting is written back as it was, with only the trigger slots changed.
async fn update_user_pool(
    c: &Clients,
    pool_arn: &str,
    config: &std::collections::BTreeMap<wiring::model::CognitoTrigger, String>,
) -> Result<String, StepError> {
    use aws_sdk_cognitoidentityprovider::types as ct;
    use wiring::model::CognitoTrigger as T;
    let pool_id = arn_name(pool_arn);
    let described = c
        .cognito
        .describe_user_pool()
        .user_pool_id(pool_id)
        .send()
        .await
        .map_err(StepError::from_sdk)?;
    let pool = described.user_pool().ok_or_else(|| {
        StepError::ours(
            "ResourceNotFoundException",
            format!("{pool_arn} was not described"),
        )
    })?;
    let live = pool
        .lambda_config()
        .cloned()
        .unwrap_or_else(|| ct::LambdaConfigType::builder().build());
    let slot = |t: T| config.get(&t).cloned();
    let pre_token = slot(T::PreTokenGeneration);
    // The versioned pre-token config names the same function; keep its version when the
    // function stays, and drop it when the slot moves to another function or is cleared.
    let pre_token_config = live
        .pre_token_generation_config()
        .filter(|cfg| pre_token.as_deref() == Some(cfg.lambda_arn()))
        .cloned();
    let sms = match slot(T::CustomSMSSender) {
        Some(arn) => Some(
            ct::CustomSmsLambdaVersionConfigType::builder()
                .lambda_arn(arn)
                .lambda_version(
                    live.custom_sms_sender()
                        .map(|s| s.lambda_version().clone())
                        .unwrap_or(ct::CustomSmsSenderLambdaVersionType::V10),
                )
                .build()
                .map_err(|e| StepError::ours("InvalidParameterException", e.to_string()))?,
        ),
        None => None,
    };
    let email = match slot(T::CustomEmailSender) {
        Some(arn) => Some(
            ct::CustomEmailLambdaVersionConfigType::builder()
                .lambda_arn(arn)
                .lambda_version(
                    live.custom_email_sender()
                        .map(|s| s.lambda_version().clone())
                        .unwrap_or(ct::CustomEmailSenderLambdaVersionType::V10),
                )
                .build()
                .map_err(|e| StepError::ours("InvalidParameterException", e.to_string()))?,
        ),
        None => None,
    };
    let lambda = ct::LambdaConfigType::builder()
        .set_pre_sign_up(slot(T::PreSignUp))
        .set_custom_message(slot(T::CustomMessage))
        .set_post_confirmation(slot(T::PostConfirmation))
        .set_pre_authentication(slot(T::PreAuthentication))
        .set_post_authentication(slot(T::PostAuthentication))
        .set_define_auth_challenge(slot(T::DefineAuthChallenge))
        .set_create_auth_challenge(slot(T::CreateAuthChallenge))
        .set_verify_auth_challenge_response(slot(T::VerifyAuthChallengeResponse))
        .set_pre_token_generation(if pre_token_config.is_some() {
            None
        } else {
            pre_token
        })
        .set_pre_token_generation_config(pre_token_config)
        .set_user_migration(slot(T::UserMigration))
        .set_custom_sms_sender(sms)
        .set_custom_email_sender(email)
        .set_kms_key_id(live.kms_key_id().map(str::to_owned))
        .set_inbound_federation(live.inbound_federation().cloned())
        .build();
    let auto_verified = pool.auto_verified_attributes().to_vec();
    c.cognito
        .update_user_pool()
        .user_pool_id(pool_id)
        .lambda_config(lambda)
        .set_policies(pool.policies().cloned())
        .set_deletion_protection(pool.deletion_protection().cloned())
        .set_auto_verified_attributes((!auto_verified.is_empty()).then_some(auto_verified))
        .set_sms_verification_message(pool.sms_verification_message().map(str::to_owned))
        .set_email_verification_message(pool.email_verification_message().map(str::to_owned))
        .set_email_verification_subject(pool.email_verification_subject().map(str::to_owned))
        .set_verification_message_template(pool.verification_message_template().cloned())
        .set_sms_authentication_message(pool.sms_authentication_message().map(str::to_owned))
        .set_user_attribute_update_settings(pool.user_attribute_update_settings().cloned())
        .set_mfa_configuration(pool.mfa_configuration().cloned())
        .set_device_configuration(pool.device_configuration().cloned())
        .set_email_configuration(pool.email_configuration().cloned())
        .set_sms_configuration(pool.sms_configuration().cloned())
        .set_user_pool_tags(pool.user_pool_tags().cloned())
        .set_admin_create_user_config(pool.admin_create_user_config().cloned())
        .set_user_pool_add_ons(pool.user_pool_add_ons().cloned())
        .set_account_recovery_setting(pool.account_recovery_setting().cloned())
        .set_user_pool_tier(pool.user_pool_tier().cloned())
        .send()
        .await
        .map_err(StepError::from_sdk)?;
    Ok(format!(
        "trigger slots now {}; every other setting written back as read",
        if config.is_empty() {
            "empty".to_owned()
        } else {
            config
                .keys()
                .map(|k| k.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        }
    ))
}

/// An `AWS_PROXY` integration for the function, and the route pointed at it (created when
/// the route does not exist). The old integration is left in place: other routes may use it.
async fn put_route_integration(
    c: &Clients,
    api_id: &str,
    route_key: &str,
    function_arn: &str,
) -> Result<String, StepError> {
    use aws_sdk_apigatewayv2::types as at;
    let integration = c
        .apigw
        .create_integration()
        .api_id(api_id)
        .integration_type(at::IntegrationType::AwsProxy)
        .integration_uri(function_arn)
        .payload_format_version("2.0")
        .send()
        .await
        .map_err(StepError::from_sdk)?;
    let integration_id = integration.integration_id().ok_or_else(|| {
        StepError::ours("BadRequestException", "CreateIntegration returned no id")
    })?;
    let target = format!("integrations/{integration_id}");
    let mut token: Option<String> = None;
    let mut route_id: Option<String> = None;
    loop {
        let page = c
            .apigw
            .get_routes()
            .api_id(api_id)
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(StepError::from_sdk)?;
        if let Some(r) = page
            .items()
            .iter()
            .find(|r| r.route_key() == Some(route_key))
        {
            route_id = r.route_id().map(str::to_owned);
            break;
        }
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    match route_id {
        Some(id) => {
            c.apigw
                .update_route()
                .api_id(api_id)
                .route_id(&id)
                .target(&target)
                .send()
                .await
                .map_err(StepError::from_sdk)?;
            Ok(format!("route {route_key} ({id}) now targets {target}"))
        }
        None => {
            let out = c
                .apigw
                .create_route()
                .api_id(api_id)
                .route_key(route_key)
                .target(&target)
                .send()
                .await
                .map_err(StepError::from_sdk)?;
            Ok(format!(
                "route {route_key} created ({}) targeting {target}",
                out.route_id().unwrap_or("?")
            ))
        }
    }
}

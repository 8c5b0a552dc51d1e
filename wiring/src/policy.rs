//! Policy documents as AWS holds them: a function's resource-based policy, an execution
//! role's inline policy and trust policy; their sizes; reading them back; and the AWS CLI
//! commands that write them.

use crate::ids::{AccountId, Arn};
use crate::model::{ArnPattern, IamAction, Principal, RoleGrant, Statement, UrlAuthType};
use serde_json::{Map, Value, json};

/// Lambda's limit on a function's resource-based policy, in bytes.
pub const POLICY_LIMIT: usize = 20_480;

/// The name of the inline role policy Eventloom owns and manages.
pub const MANAGED_ROLE_POLICY: &str = "eventloom-wiring";

/// One statement as `GetPolicy` returns it.
pub fn statement_json(st: &Statement, function_arn: &str) -> Value {
    let principal = match &st.principal {
        Principal::Any => json!("*"),
        Principal::Service(s) => json!({ "Service": s }),
        Principal::Account(a) => json!({ "AWS": format!("arn:aws:iam::{a}:root") }),
        Principal::Arn(a) => json!({ "AWS": a.as_str() }),
    };
    let mut conditions: Map<String, Value> = Map::new();
    let mut add = |op: &str, key: &str, value: Value| {
        let entry = conditions.entry(op.to_owned()).or_insert_with(|| json!({}));
        if let Value::Object(m) = entry {
            m.insert(key.to_owned(), value);
        }
    };
    if let Some(a) = &st.source_account {
        add("StringEquals", "AWS:SourceAccount", json!(a.as_str()));
    }
    if let Some(o) = &st.principal_org_id {
        add("StringEquals", "aws:PrincipalOrgID", json!(o));
    }
    if let Some(t) = st.function_url_auth_type {
        add(
            "StringEquals",
            "lambda:FunctionUrlAuthType",
            json!(t.as_str()),
        );
    }
    if let Some(v) = st.invoked_via_function_url {
        add("Bool", "lambda:InvokedViaFunctionUrl", json!(v.to_string()));
    }
    if let Some(s) = &st.source_arn {
        add("ArnLike", "AWS:SourceArn", json!(s.as_str()));
    }
    let mut out = json!({
        "Sid": st.sid.as_str(),
        "Effect": "Allow",
        "Principal": principal,
        "Action": st.action.as_str(),
        "Resource": function_arn,
    });
    if !conditions.is_empty() {
        out["Condition"] = Value::Object(conditions);
    }
    out
}

/// The whole resource-based policy document.
pub fn policy_document(function_arn: &str, statements: &[Statement]) -> Value {
    json!({
        "Version": "2012-10-17",
        "Id": "default",
        "Statement": statements.iter().map(|s| statement_json(s, function_arn)).collect::<Vec<_>>(),
    })
}

/// The size in bytes Lambda counts: the compact JSON of the document. Computed from the
/// fields' lengths, without building the JSON, because it runs for every function on
/// every edit; `statement_json` is the reference it must agree with (see tests).
pub fn policy_size(function_arn: &str, statements: &[Statement]) -> usize {
    document_size(function_arn, statements, str_len)
}

/// An upper bound of [`policy_size`] from the strings' lengths alone (every byte counted
/// as its longest escape), so that policies far below the limit, nearly all of them, are
/// never measured byte by byte.
pub fn policy_size_bound(function_arn: &str, statements: &[Statement]) -> usize {
    document_size(function_arn, statements, |s| 2 + 6 * s.len())
}

fn document_size(
    function_arn: &str,
    statements: &[Statement],
    str_len: fn(&str) -> usize,
) -> usize {
    if statements.is_empty() {
        return 0;
    }
    let items: usize = statements
        .iter()
        .map(|s| statement_size(s, function_arn, str_len))
        .sum();
    let array = 2 + statements.len() - 1 + items;
    obj_len([
        Some(("Version", str_len("2012-10-17"))),
        Some(("Id", str_len("default"))),
        Some(("Statement", array)),
    ])
}

/// The length of `s` as a JSON string, quotes and escapes included.
fn str_len(s: &str) -> usize {
    2 + s
        .bytes()
        .map(|b| match b {
            b'"' | b'\\' | b'\n' | b'\r' | b'\t' | 0x08 | 0x0c => 2,
            0..=0x1f => 6,
            _ => 1,
        })
        .sum::<usize>()
}

/// The length of a JSON object whose values have the given serialized lengths; absent
/// entries (`None`) are left out. Takes arrays, so sizing a policy allocates nothing.
/// Keys are the policy grammar's own names, which need no escapes.
fn obj_len<'a>(entries: impl IntoIterator<Item = Option<(&'a str, usize)>>) -> usize {
    let (count, sum): (usize, usize) = entries
        .into_iter()
        .flatten()
        .fold((0, 0), |(n, sum), (k, v)| (n + 1, sum + k.len() + 3 + v));
    2 + count.saturating_sub(1) + sum
}

fn statement_size(st: &Statement, function_arn: &str, str_len: fn(&str) -> usize) -> usize {
    let principal = match &st.principal {
        Principal::Any => str_len("*"),
        Principal::Service(s) => obj_len([Some(("Service", str_len(s)))]),
        // "arn:aws:iam::" + 12 digits + ":root", quoted.
        Principal::Account(a) => obj_len([Some((
            "AWS",
            2 + "arn:aws:iam::".len() + a.as_str().len() + ":root".len(),
        ))]),
        Principal::Arn(a) => obj_len([Some(("AWS", str_len(a.as_str())))]),
    };
    let string_equals = [
        st.source_account
            .as_ref()
            .map(|a| ("AWS:SourceAccount", str_len(a.as_str()))),
        st.principal_org_id
            .as_ref()
            .map(|o| ("aws:PrincipalOrgID", str_len(o))),
        st.function_url_auth_type
            .map(|t| ("lambda:FunctionUrlAuthType", str_len(t.as_str()))),
    ];
    let groups = [
        string_equals
            .iter()
            .any(Option::is_some)
            .then(|| ("StringEquals", obj_len(string_equals))),
        st.invoked_via_function_url.map(|v| {
            (
                "Bool",
                obj_len([Some((
                    "lambda:InvokedViaFunctionUrl",
                    str_len(if v { "true" } else { "false" }),
                ))]),
            )
        }),
        st.source_arn.as_ref().map(|a| {
            (
                "ArnLike",
                obj_len([Some(("AWS:SourceArn", str_len(a.as_str())))]),
            )
        }),
    ];
    obj_len([
        Some(("Sid", str_len(st.sid.as_str()))),
        Some(("Effect", str_len("Allow"))),
        Some(("Principal", principal)),
        Some(("Action", str_len(st.action.as_str()))),
        Some(("Resource", str_len(function_arn))),
        groups
            .iter()
            .any(Option::is_some)
            .then(|| ("Condition", obj_len(groups))),
    ])
}

/// Reads a policy returned by `GetPolicy` back into statements. Statements Eventloom
/// cannot represent (Deny, several actions, unknown conditions) are returned as errors
/// by Sid so the caller can report them instead of silently dropping them.
pub fn parse_policy(text: &str) -> Result<(Vec<Statement>, Vec<String>), String> {
    let doc: Value = serde_json::from_str(text).map_err(|e| format!("policy is not JSON: {e}"))?;
    let list = match &doc["Statement"] {
        Value::Array(a) => a.clone(),
        Value::Object(_) => vec![doc["Statement"].clone()],
        Value::Null => vec![],
        _ => return Err("policy has no Statement list".into()),
    };
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    for raw in list {
        let sid = raw["Sid"].as_str().unwrap_or("").to_owned();
        match parse_statement(&raw) {
            Ok(s) => out.push(s),
            Err(why) => skipped.push(format!("{sid}: {why}")),
        }
    }
    Ok((out, skipped))
}

fn parse_statement(raw: &Value) -> Result<Statement, String> {
    let sid = crate::ids::StatementId::parse(raw["Sid"].as_str().unwrap_or_default())
        .map_err(|e| e.to_string())?;
    if raw["Effect"].as_str() != Some("Allow") {
        return Err("only Allow statements are modelled".into());
    }
    let principal = match &raw["Principal"] {
        Value::String(s) if s == "*" => Principal::Any,
        Value::Object(m) => {
            if let Some(s) = m.get("Service").and_then(Value::as_str) {
                Principal::parse(s).map_err(|e| e.to_string())?
            } else if let Some(a) = m.get("AWS").and_then(Value::as_str) {
                match a
                    .strip_prefix("arn:aws:iam::")
                    .and_then(|r| r.strip_suffix(":root"))
                {
                    Some(acct) => {
                        Principal::Account(AccountId::parse(acct).map_err(|e| e.to_string())?)
                    }
                    None if a == "*" => Principal::Any,
                    None => Principal::parse(a).map_err(|e| e.to_string())?,
                }
            } else {
                return Err("unrecognised principal".into());
            }
        }
        _ => return Err("unrecognised principal".into()),
    };
    let action = match &raw["Action"] {
        Value::String(s) => s.clone(),
        Value::Array(a) if a.len() == 1 => a[0].as_str().unwrap_or_default().to_owned(),
        _ => return Err("several actions in one statement are not modelled".into()),
    };
    let mut st = Statement {
        sid,
        principal,
        action: IamAction::parse(&action).map_err(|e| e.to_string())?,
        source_arn: None,
        source_account: None,
        principal_org_id: None,
        function_url_auth_type: None,
        invoked_via_function_url: None,
    };
    if let Value::Object(conds) = &raw["Condition"] {
        for (op, kv) in conds {
            let Value::Object(kv) = kv else { continue };
            for (key, value) in kv {
                let v = value
                    .as_str()
                    .map(str::to_owned)
                    .or_else(|| value.as_bool().map(|b| b.to_string()));
                let Some(v) = v else {
                    return Err(format!("condition {op} {key} has several values"));
                };
                match (op.as_str(), key.to_ascii_lowercase().as_str()) {
                    ("ArnLike" | "ArnEquals" | "StringLike" | "StringEquals", "aws:sourcearn") => {
                        st.source_arn = Some(ArnPattern::parse(&v).map_err(|e| e.to_string())?)
                    }
                    ("StringEquals", "aws:sourceaccount") => {
                        st.source_account = Some(AccountId::parse(&v).map_err(|e| e.to_string())?)
                    }
                    ("StringEquals", "aws:principalorgid") => st.principal_org_id = Some(v),
                    ("StringEquals", "lambda:functionurlauthtype") => {
                        st.function_url_auth_type = Some(if v == "NONE" {
                            UrlAuthType::None
                        } else {
                            UrlAuthType::AwsIam
                        })
                    }
                    ("Bool", "lambda:invokedviafunctionurl") => {
                        st.invoked_via_function_url = Some(v == "true")
                    }
                    _ => return Err(format!("condition {op} {key} is not modelled")),
                }
            }
        }
    }
    Ok(st)
}

/// An identity-policy document granting `grants`.
pub fn role_policy_document<'a>(grants: impl IntoIterator<Item = &'a RoleGrant>) -> Value {
    let statements: Vec<Value> = grants
        .into_iter()
        .map(|g| {
            json!({
                "Effect": "Allow",
                "Action": g.actions.iter().map(IamAction::as_str).collect::<Vec<_>>(),
                "Resource": g.resources.iter().map(ArnPattern::as_str).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({ "Version": "2012-10-17", "Statement": statements })
}

/// A role trust policy for `services` (given in order, without duplicates).
pub fn trust_policy_document<'a>(services: impl IntoIterator<Item = &'a String>) -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": { "Service": services.into_iter().collect::<Vec<_>>() },
            "Action": "sts:AssumeRole",
        }],
    })
}

/// Quotes `s` for a POSIX shell.
pub fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:/=@,+".contains(&b))
    {
        return s.to_owned();
    }
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// `aws lambda add-permission` for `st` on `function` (name or name:qualifier).
pub fn add_permission_cli(function: &str, st: &Statement) -> String {
    let mut cmd = format!(
        "aws lambda add-permission --function-name {} --statement-id {} --action {} --principal {}",
        shell_quote(function),
        shell_quote(st.sid.as_str()),
        shell_quote(st.action.as_str()),
        shell_quote(&st.principal.to_string())
    );
    if let Some(a) = &st.source_arn {
        cmd.push_str(&format!(" --source-arn {}", shell_quote(a.as_str())));
    }
    if let Some(a) = &st.source_account {
        cmd.push_str(&format!(" --source-account {a}"));
    }
    if let Some(o) = &st.principal_org_id {
        cmd.push_str(&format!(" --principal-org-id {}", shell_quote(o)));
    }
    if let Some(t) = st.function_url_auth_type {
        cmd.push_str(&format!(" --function-url-auth-type {}", t.as_str()));
    }
    if st.invoked_via_function_url == Some(true) {
        cmd.push_str(" --invoked-via-function-url");
    }
    cmd
}

/// `aws lambda remove-permission`.
pub fn remove_permission_cli(function: &str, sid: &str) -> String {
    format!(
        "aws lambda remove-permission --function-name {} --statement-id {}",
        shell_quote(function),
        shell_quote(sid)
    )
}

/// `aws iam put-role-policy` with `grants` as one inline policy.
pub fn put_role_policy_cli(role: &str, policy_name: &str, grants: &[&RoleGrant]) -> String {
    format!(
        "aws iam put-role-policy --role-name {} --policy-name {} --policy-document {}",
        shell_quote(role),
        shell_quote(policy_name),
        shell_quote(&role_policy_document(grants.iter().copied()).to_string())
    )
}

/// The unqualified function ARN of a (possibly qualified) function ARN.
pub fn unqualified(function_arn: &Arn) -> String {
    let s = function_arn.as_str();
    match s.match_indices(':').nth(6) {
        Some((i, _)) => s[..i].to_owned(),
        None => s.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::*;

    #[test]
    fn a_statement_renders_as_get_policy_returns_it() {
        let st = stmt(
            "AllowS3",
            "s3.amazonaws.com",
            Some("arn:aws:s3:::up"),
            Some(ACCOUNT),
        );
        let v = statement_json(&st, "arn:aws:lambda:us-east-1:123456789012:function:f");
        assert_eq!(v["Principal"]["Service"], "s3.amazonaws.com");
        assert_eq!(
            v["Condition"]["ArnLike"]["AWS:SourceArn"],
            "arn:aws:s3:::up"
        );
        assert_eq!(v["Condition"]["StringEquals"]["AWS:SourceAccount"], ACCOUNT);
    }

    #[test]
    fn policies_read_back_to_the_statements_that_wrote_them() {
        let mut url = stmt("url", "*", None, None);
        url.action = IamAction::parse("lambda:InvokeFunctionUrl").unwrap();
        url.function_url_auth_type = Some(UrlAuthType::None);
        let mut via = stmt("via", "*", None, None);
        via.invoked_via_function_url = Some(true);
        let statements = vec![
            stmt(
                "a",
                "s3.amazonaws.com",
                Some("arn:aws:s3:::up"),
                Some(ACCOUNT),
            ),
            stmt("b", OTHER_ACCOUNT, None, None),
            stmt("c", "arn:aws:iam::210987654321:role/caller", None, None),
            url,
            via,
        ];
        let text = policy_document(
            "arn:aws:lambda:us-east-1:123456789012:function:f",
            &statements,
        )
        .to_string();
        let (back, skipped) = parse_policy(&text).unwrap();
        assert!(skipped.is_empty(), "{skipped:?}");
        assert_eq!(back, statements);
    }

    #[test]
    fn statements_eventloom_cannot_model_are_reported_not_dropped() {
        let text = r#"{"Statement":[{"Sid":"deny","Effect":"Deny","Principal":"*","Action":"lambda:*","Resource":"x"}]}"#;
        let (back, skipped) = parse_policy(text).unwrap();
        assert!(back.is_empty());
        assert_eq!(skipped.len(), 1);
        assert!(skipped[0].starts_with("deny:"));
    }

    #[test]
    fn the_computed_size_equals_the_rendered_document() {
        let mut url = stmt("url", "*", None, None);
        url.action = IamAction::parse("lambda:InvokeFunctionUrl").unwrap();
        url.function_url_auth_type = Some(UrlAuthType::None);
        let mut via = stmt("via", "*", None, None);
        via.invoked_via_function_url = Some(true);
        let mut org = stmt(
            "org",
            "sns.amazonaws.com",
            Some("arn:aws:sns:*:123456789012:*"),
            None,
        );
        org.principal_org_id = Some("o-a1b2c3d4e5".into());
        let all = [
            stmt(
                "a",
                "s3.amazonaws.com",
                Some("arn:aws:s3:::up"),
                Some(ACCOUNT),
            ),
            stmt("b", OTHER_ACCOUNT, None, None),
            stmt("c", "arn:aws:iam::210987654321:role/caller", None, None),
            url,
            via,
            org,
        ];
        let fa = "arn:aws:lambda:us-east-1:123456789012:function:f:live";
        for n in 1..=all.len() {
            let doc = policy_document(fa, &all[..n]).to_string();
            assert_eq!(policy_size(fa, &all[..n]), doc.len(), "{doc}");
            assert!(policy_size_bound(fa, &all[..n]) >= doc.len());
        }
        assert_eq!(policy_size(fa, &[]), 0);
        let mut escaped = stmt("e", "s3.amazonaws.com", None, None);
        escaped.principal_org_id = Some("\u{1}\"\n".repeat(40));
        let doc = policy_document(fa, std::slice::from_ref(&escaped)).to_string();
        assert!(policy_size_bound(fa, &[escaped]) >= doc.len(), "{doc}");
    }

    #[test]
    fn the_cli_command_carries_every_condition() {
        let st = stmt(
            "AllowS3",
            "s3.amazonaws.com",
            Some("arn:aws:s3:::up"),
            Some(ACCOUNT),
        );
        assert_eq!(
            add_permission_cli("thumbnail", &st),
            "aws lambda add-permission --function-name thumbnail --statement-id AllowS3 --action lambda:InvokeFunction --principal s3.amazonaws.com --source-arn arn:aws:s3:::up --source-account 123456789012"
        );
    }

    #[test]
    fn shell_quoting_survives_single_quotes() {
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote("plain-1"), "plain-1");
    }

    #[test]
    fn qualified_function_arns_lose_their_qualifier() {
        let a = arn("arn:aws:lambda:us-east-1:123456789012:function:f:live");
        assert_eq!(
            unqualified(&a),
            "arn:aws:lambda:us-east-1:123456789012:function:f"
        );
    }
}

//! Parsed identifiers: account ids, regions, ARNs, statement ids, queue URLs and resource names.
//!
//! Each type can only be built through `parse`, so a value in the model is always well formed.
//! Errors say what is wrong and what a valid value looks like.

use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

/// The text inside identifiers: short ones stay inline instead of on the heap.
pub(crate) type Text = compact_str::CompactString;

/// Why an identifier did not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[error("{what} '{value}' is not valid: {reason}")]
pub struct IdError {
    /// What kind of identifier was expected, e.g. "account id".
    pub what: String,
    /// The text that was given (shortened when long).
    pub value: String,
    /// What is wrong and what a valid one looks like.
    pub reason: String,
}

impl IdError {
    fn new(what: &str, value: &str, reason: impl Into<String>) -> Self {
        let mut shown: String = value.chars().take(80).collect();
        if value.chars().count() > 80 {
            shown.push('…');
        }
        Self {
            what: what.to_owned(),
            value: shown,
            reason: reason.into(),
        }
    }
}

/// Implements string conversion, serde and (optionally) JSON Schema for a parsed string type.
macro_rules! string_id {
    ($ty:ident, $doc_pattern:expr) => {
        impl $ty {
            /// The identifier as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl FromStr for $ty {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, IdError> {
                Self::parse(s)
            }
        }
        impl TryFrom<String> for $ty {
            type Error = IdError;
            fn try_from(s: String) -> Result<Self, IdError> {
                Self::parse(&s)
            }
        }
        impl From<$ty> for String {
            fn from(v: $ty) -> String {
                v.0.into_string()
            }
        }
        impl AsRef<str> for $ty {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
        #[cfg(feature = "schema")]
        impl schemars::JsonSchema for $ty {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($ty).into()
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({ "type": "string", "description": $doc_pattern })
            }
        }
    };
}

/// A 12-digit AWS account id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AccountId(pub(crate) Text);
string_id!(AccountId, "12-digit AWS account id, e.g. 123456789012");

impl AccountId {
    /// Parses a 12-digit account id.
    pub fn parse(s: &str) -> Result<Self, IdError> {
        if s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(s.into()))
        } else {
            Err(IdError::new(
                "account id",
                s,
                "an AWS account id is exactly 12 digits, e.g. 123456789012",
            ))
        }
    }
}

/// An AWS region code such as `us-east-1`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Region(pub(crate) Text);
string_id!(Region, "AWS region code, e.g. us-east-1");

impl Region {
    /// Parses a region code: lowercase parts joined by `-`, ending in a number (`eu-central-2`).
    pub fn parse(s: &str) -> Result<Self, IdError> {
        let parts: Vec<&str> = s.split('-').collect();
        let ok = parts.len() >= 3
            && parts[0].len() == 2
            && parts[..parts.len() - 1]
                .iter()
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
            && parts[parts.len() - 1]
                .parse::<u8>()
                .is_ok_and(|n| (1..=20).contains(&n));
        if ok {
            Ok(Self(s.into()))
        } else {
            Err(IdError::new(
                "region",
                s,
                "a region code looks like us-east-1 or ap-southeast-2",
            ))
        }
    }

    /// The partition the region belongs to (`aws`, `aws-cn`, `aws-us-gov`).
    pub fn partition(&self) -> &'static str {
        if self.0.starts_with("cn-") {
            "aws-cn"
        } else if self.0.starts_with("us-gov-") {
            "aws-us-gov"
        } else {
            "aws"
        }
    }

    /// `us-east-1`, where Lambda@Edge functions must live.
    pub fn is_us_east_1(&self) -> bool {
        self.0 == "us-east-1"
    }
}

/// An Amazon Resource Name, split into its parts.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Arn(pub(crate) Text);
string_id!(
    Arn,
    "Amazon Resource Name: arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE"
);

impl Arn {
    /// Parses `arn:partition:service:region:account:resource`. Region and account may be empty
    /// (S3 bucket ARNs have neither); a `*` wildcard is allowed in the resource only.
    pub fn parse(s: &str) -> Result<Self, IdError> {
        let bad = |reason: &str| Err(IdError::new("ARN", s, reason));
        let mut parts = s.splitn(6, ':');
        let (
            Some(prefix),
            Some(partition),
            Some(service),
            Some(region),
            Some(account),
            Some(resource),
        ) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        )
        else {
            return bad("an ARN has six parts: arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE");
        };
        if prefix != "arn" {
            return bad("an ARN starts with 'arn:'");
        }
        if !matches!(partition, "aws" | "aws-cn" | "aws-us-gov") {
            return bad("the partition must be aws, aws-cn or aws-us-gov");
        }
        if service.is_empty()
            || !service
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return bad("the service part must be lowercase, like 'sqs' or 'lambda'");
        }
        if !region.is_empty() && Region::parse(region).is_err() {
            return bad("the region part is not a region code like us-east-1");
        }
        if !account.is_empty() && account != "aws" && AccountId::parse(account).is_err() {
            return bad("the account part must be 12 digits");
        }
        if resource.is_empty() {
            return bad("the resource part is empty");
        }
        if resource
            .chars()
            .any(|c| c.is_whitespace() || c.is_control())
        {
            return bad("the resource part cannot contain spaces");
        }
        Ok(Self(s.into()))
    }

    fn part(&self, i: usize) -> &str {
        self.0.splitn(6, ':').nth(i).unwrap_or_default()
    }

    /// The service, e.g. `sqs`.
    pub fn service(&self) -> &str {
        self.part(2)
    }

    /// The region, empty for global resources such as S3 buckets.
    pub fn region(&self) -> &str {
        self.part(3)
    }

    /// The account id, empty for S3 buckets.
    pub fn account(&self) -> &str {
        self.part(4)
    }

    /// The resource part after the account.
    pub fn resource(&self) -> &str {
        self.part(5)
    }

    /// Whether `pattern` (an ARN that may contain `*` and `?` wildcards, as IAM allows) matches this ARN.
    pub fn matched_by(&self, pattern: &str) -> bool {
        wildcard_match(pattern, &self.0)
    }
}

/// IAM-style wildcard matching: `*` matches any run of characters, `?` any one character.
pub fn wildcard_match(pattern: &str, text: &str) -> bool {
    wildcard_bytes(pattern.as_bytes(), text.as_bytes(), false)
}

/// [`wildcard_match`] ignoring ASCII case, as IAM compares action names.
pub fn wildcard_match_ignore_case(pattern: &str, text: &str) -> bool {
    wildcard_bytes(pattern.as_bytes(), text.as_bytes(), true)
}

// Most patterns are exact ARNs, or an ARN with one trailing `*`. An exact match is one
// slice comparison (a memcmp); otherwise the literal head is walked only until the first
// difference, which for a pattern that does not match is usually within a few bytes.
fn wildcard_bytes(p: &[u8], t: &[u8], fold: bool) -> bool {
    let eq = |a: u8, b: u8| {
        if fold {
            a.eq_ignore_ascii_case(&b)
        } else {
            a == b
        }
    };
    // Names are nearly always written in AWS's own case, so the byte comparison settles
    // most matches before the slower case-folding one.
    if p.len() == t.len() && (p == t || (fold && p.eq_ignore_ascii_case(t))) {
        return true;
    }
    let mut i = 0;
    while i < p.len() {
        let c = p[i];
        if c == b'*' || c == b'?' {
            return match &p[i..] {
                b"*" => true,
                rest => wildcard_tail(rest, &t[i..], fold),
            };
        }
        if i >= t.len() || !eq(c, t[i]) {
            return false;
        }
        i += 1;
    }
    // The whole pattern was literal and matched a prefix of `t`: equal only if as long.
    i == t.len()
}

// Greedy matching with one backtrack point, on bytes: no allocation, linear in practice.
// ARNs and action names are ASCII, so `?` matching one byte is matching one character.
fn wildcard_tail(p: &[u8], t: &[u8], fold: bool) -> bool {
    let eq = |a: u8, b: u8| {
        if fold {
            a.eq_ignore_ascii_case(&b)
        } else {
            a == b
        }
    };
    let (mut pi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == b'?' || eq(p[pi], t[ti])) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == b'*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == b'*' {
        pi += 1;
    }
    pi == p.len()
}

/// A resource-policy statement id (`Sid`): 1–100 of `A-Z a-z 0-9 - _ .`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct StatementId(pub(crate) Text);
string_id!(StatementId, "statement id: 1-100 of A-Z a-z 0-9 - _ .");

impl StatementId {
    /// Parses a statement id as Lambda's `AddPermission` accepts it.
    pub fn parse(s: &str) -> Result<Self, IdError> {
        if s.is_empty() || s.len() > 100 {
            return Err(IdError::new(
                "statement id",
                s,
                "a statement id has 1 to 100 characters",
            ));
        }
        if !s
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        {
            return Err(IdError::new(
                "statement id",
                s,
                "use only letters, digits, '-', '_' and '.'",
            ));
        }
        Ok(Self(s.into()))
    }

    /// A statement id built from free text: invalid characters become `-`, cut to 100.
    pub(crate) fn sanitized(s: &str) -> Self {
        let mut out: String = s
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                    c
                } else {
                    '-'
                }
            })
            .take(100)
            .collect();
        if out.is_empty() {
            out.push('s');
        }
        Self(out.into())
    }

    /// Whether Eventloom created this statement (its id carries [`crate::OWNED_PREFIX`]).
    pub fn is_owned(&self) -> bool {
        self.0.starts_with(crate::OWNED_PREFIX)
    }
}

/// An SQS queue URL, `https://sqs.REGION.amazonaws.com/ACCOUNT/NAME`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct QueueUrl(pub(crate) Text);
string_id!(
    QueueUrl,
    "SQS queue URL: https://sqs.REGION.amazonaws.com/ACCOUNT/NAME"
);

impl QueueUrl {
    /// Parses a queue URL in the current or the legacy (`REGION.queue.amazonaws.com`) form.
    pub fn parse(s: &str) -> Result<Self, IdError> {
        Self::split(s).map(|_| Self(s.into())).ok_or_else(|| {
            IdError::new(
                "queue URL",
                s,
                "a queue URL looks like https://sqs.us-east-1.amazonaws.com/123456789012/orders",
            )
        })
    }

    /// The URL AWS gives the queue `name` of `account` in `region`.
    pub fn for_queue(region: &Region, account: &AccountId, name: &QueueName) -> Self {
        let domain = if region.partition() == "aws-cn" {
            "amazonaws.com.cn"
        } else {
            "amazonaws.com"
        };
        Self(format!("https://sqs.{region}.{domain}/{account}/{name}").into())
    }

    fn split(s: &str) -> Option<(Region, AccountId, QueueName)> {
        let rest = s.strip_prefix("https://")?;
        let (host, path) = rest.split_once('/')?;
        let region = host
            .strip_prefix("sqs.")
            .and_then(|h| h.split_once(".amazonaws.com").map(|(r, _)| r))
            .or_else(|| host.split_once(".queue.amazonaws.com").map(|(r, _)| r))?;
        let (account, name) = path.split_once('/')?;
        Some((
            Region::parse(region).ok()?,
            AccountId::parse(account).ok()?,
            QueueName::parse(name).ok()?,
        ))
    }

    /// The region, account and queue name the URL addresses.
    pub fn parts(&self) -> Option<(Region, AccountId, QueueName)> {
        Self::split(&self.0)
    }
}

/// Declares a resource-name type with its own validation rule.
macro_rules! name_type {
    ($(#[$doc:meta])* $ty:ident, $what:expr, $doc_pattern:expr, $check:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $ty(pub(crate) Text);
        string_id!($ty, $doc_pattern);
        impl $ty {
            /// Parses the name, saying which rule it breaks.
            pub fn parse(s: &str) -> Result<Self, IdError> {
                let check: fn(&str) -> Result<(), &'static str> = $check;
                check(s).map(|()| Self(s.into())).map_err(|r| IdError::new($what, s, r))
            }

            /// Wraps text the crate itself built to satisfy the rule.
            #[allow(dead_code)]
            pub(crate) fn from_trusted(s: impl Into<String>) -> Self {
                Self(Text::from(s.into()))
            }
        }
    };
}

fn charset(s: &str, min: usize, max: usize, extra: &[u8]) -> Result<(), &'static str> {
    if s.len() < min || s.len() > max {
        return Err("the name is too short or too long for this kind of resource");
    }
    if !s
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || extra.contains(&b))
    {
        return Err("the name has characters AWS does not allow here");
    }
    Ok(())
}

name_type!(
    /// A Lambda function name: 1–64 of `A-Z a-z 0-9 - _`.
    FunctionName,
    "function name",
    "Lambda function name: 1-64 of A-Z a-z 0-9 - _",
    |s| charset(s, 1, 64, b"-_").map_err(|_| "a function name has 1 to 64 letters, digits, '-' or '_'")
);

name_type!(
    /// An S3 bucket name: 3–63 lowercase letters, digits, `.` and `-`, starting and ending with a letter or digit.
    BucketName,
    "bucket name",
    "S3 bucket name: 3-63 of a-z 0-9 . -",
    |s| {
        let b = s.as_bytes();
        if b.len() < 3 || b.len() > 63 {
            return Err("a bucket name has 3 to 63 characters");
        }
        if !b.iter().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'.' || *c == b'-') {
            return Err("a bucket name uses only lowercase letters, digits, '.' and '-'");
        }
        if !b[0].is_ascii_alphanumeric() || !b[b.len() - 1].is_ascii_alphanumeric() {
            return Err("a bucket name starts and ends with a letter or digit");
        }
        if s.contains("..") {
            return Err("a bucket name cannot contain '..'");
        }
        if s.split('.').count() == 4 && s.split('.').all(|p| p.parse::<u8>().is_ok()) {
            return Err("a bucket name cannot look like an IP address");
        }
        if s.starts_with("xn--") || s.ends_with("-s3alias") || s.ends_with("--ol-s3") {
            return Err("a bucket name cannot start with 'xn--' or end with '-s3alias' or '--ol-s3'");
        }
        Ok(())
    }
);

name_type!(
    /// An SQS queue name: 1–80 of `A-Z a-z 0-9 - _`, FIFO queues ending in `.fifo`.
    QueueName,
    "queue name",
    "SQS queue name: 1-80 of A-Z a-z 0-9 - _, FIFO names end in .fifo",
    |s| {
        let base = s.strip_suffix(".fifo").unwrap_or(s);
        if s.len() > 80 {
            return Err("a queue name has at most 80 characters, '.fifo' included");
        }
        charset(base, 1, 80, b"-_").map_err(|_| "a queue name uses letters, digits, '-' and '_' (and '.fifo' at the end for FIFO)")
    }
);

impl QueueName {
    /// FIFO queues are named `*.fifo`.
    pub fn is_fifo(&self) -> bool {
        self.0.ends_with(".fifo")
    }
}

name_type!(
    /// An SNS topic name: 1–256 of `A-Z a-z 0-9 - _`, FIFO topics ending in `.fifo`.
    TopicName,
    "topic name",
    "SNS topic name: 1-256 of A-Z a-z 0-9 - _, FIFO names end in .fifo",
    |s| {
        let base = s.strip_suffix(".fifo").unwrap_or(s);
        if s.len() > 256 {
            return Err("a topic name has at most 256 characters");
        }
        charset(base, 1, 256, b"-_").map_err(|_| "a topic name uses letters, digits, '-' and '_' (and '.fifo' at the end for FIFO)")
    }
);

impl TopicName {
    /// FIFO topics are named `*.fifo`.
    pub fn is_fifo(&self) -> bool {
        self.0.ends_with(".fifo")
    }
}

name_type!(
    /// An IAM role name: 1–64 of `A-Z a-z 0-9 + = , . @ - _`.
    RoleName,
    "role name",
    "IAM role name: 1-64 of A-Z a-z 0-9 + = , . @ - _",
    |s| charset(s, 1, 64, b"+=,.@-_").map_err(|_| "a role name has 1 to 64 letters, digits or + = , . @ - _")
);

name_type!(
    /// The name of any other resource (rule, stream, table, pool id, route …): 1–256
    /// printable characters without spaces. Kind-specific limits are checked by `validate`.
    ResourceName,
    "resource name",
    "resource name: 1-256 printable characters, no spaces",
    |s| {
        if s.is_empty() || s.len() > 256 {
            return Err("a name has 1 to 256 characters");
        }
        if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err("a name cannot contain spaces or control characters");
        }
        Ok(())
    }
);

name_type!(
    /// A Lambda qualifier: a version number or an alias name (`$LATEST` is the default).
    Qualifier,
    "qualifier",
    "function version number (e.g. 7), alias name, or $LATEST",
    |s| {
        if s == "$LATEST" || (!s.is_empty() && s.len() <= 10 && s.bytes().all(|b| b.is_ascii_digit())) {
            return Ok(());
        }
        charset(s, 1, 128, b"-_").map_err(|_| "a qualifier is a version number, an alias name, or $LATEST")
    }
);

impl Qualifier {
    /// A published version number (what Lambda@Edge requires).
    pub fn is_version(&self) -> bool {
        self.0.bytes().all(|b| b.is_ascii_digit())
    }
}

/// Element ids inside a graph (nodes and edges): 1–64 of `A-Z a-z 0-9 - _ .`.
macro_rules! element_id {
    ($(#[$doc:meta])* $ty:ident, $what:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $ty(pub(crate) Text);
        string_id!($ty, "element id: 1-64 of A-Z a-z 0-9 - _ .");
        impl $ty {
            /// Parses an element id.
            pub fn parse(s: &str) -> Result<Self, IdError> {
                charset(s, 1, 64, b"-_.")
                    .map(|()| Self(s.into()))
                    .map_err(|_| IdError::new($what, s, "use 1 to 64 letters, digits, '-', '_' or '.'"))
            }

            /// Wraps text the crate itself built from the id alphabet.
            pub(crate) fn from_trusted(s: impl Into<String>) -> Self {
                Self(Text::from(s.into()))
            }
        }
    };
}

element_id!(
    /// The id of a node in a graph.
    NodeId,
    "node id"
);
element_id!(
    /// The id of an edge in a graph.
    EdgeId,
    "edge id"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_ids_are_exactly_twelve_digits() {
        assert!(AccountId::parse("123456789012").is_ok());
        assert!(AccountId::parse("12345678901").is_err());
        assert!(AccountId::parse("12345678901a").is_err());
        let err = AccountId::parse("abc").unwrap_err();
        assert!(err.to_string().contains("12 digits"), "{err}");
    }

    #[test]
    fn regions_look_like_us_east_1() {
        for ok in [
            "us-east-1",
            "ap-southeast-2",
            "us-gov-west-1",
            "eu-central-2",
            "cn-north-1",
        ] {
            assert!(Region::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["us-east", "US-EAST-1", "useast1", "us-east-0", ""] {
            assert!(Region::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Region::parse("cn-north-1").unwrap().partition(), "aws-cn");
    }

    #[test]
    fn arns_are_split_into_their_parts() {
        let arn = Arn::parse("arn:aws:sqs:us-east-1:123456789012:orders").unwrap();
        assert_eq!(arn.service(), "sqs");
        assert_eq!(arn.region(), "us-east-1");
        assert_eq!(arn.account(), "123456789012");
        assert_eq!(arn.resource(), "orders");
    }

    #[test]
    fn bucket_arns_have_no_region_or_account() {
        let arn = Arn::parse("arn:aws:s3:::uploads").unwrap();
        assert_eq!(arn.account(), "");
        assert_eq!(arn.resource(), "uploads");
    }

    #[test]
    fn a_malformed_arn_says_which_part_is_wrong() {
        let err = Arn::parse("arn:aws:sqs:us-east-1:1234:orders").unwrap_err();
        assert!(err.reason.contains("12 digits"), "{err}");
        let err = Arn::parse("sqs:orders").unwrap_err();
        assert!(err.reason.contains("six parts"), "{err}");
        let err = Arn::parse("arn:aws:sqs:mars-1:123456789012:q").unwrap_err();
        assert!(err.reason.contains("region"), "{err}");
    }

    #[test]
    fn wildcards_match_as_iam_does() {
        let arn = Arn::parse("arn:aws:sqs:us-east-1:123456789012:orders").unwrap();
        assert!(arn.matched_by("*"));
        assert!(arn.matched_by("arn:aws:sqs:*:123456789012:*"));
        assert!(arn.matched_by("arn:aws:sqs:us-east-1:123456789012:order?"));
        assert!(!arn.matched_by("arn:aws:sqs:us-east-1:123456789012:payments"));
    }

    /// The textbook definition the fast matcher must agree with.
    fn reference_match(p: &[u8], t: &[u8]) -> bool {
        match (p.first(), t.first()) {
            (None, _) => t.is_empty(),
            (Some(b'*'), _) => {
                reference_match(&p[1..], t) || (!t.is_empty() && reference_match(p, &t[1..]))
            }
            (Some(&c), Some(&d)) if c == b'?' || c == d => reference_match(&p[1..], &t[1..]),
            _ => false,
        }
    }

    proptest::proptest! {
        #[test]
        fn wildcard_matching_agrees_with_the_textbook_definition(
            p in "[ab:*?]{0,9}",
            t in "[ab:]{0,9}",
        ) {
            proptest::prop_assert_eq!(
                wildcard_match(&p, &t),
                reference_match(p.as_bytes(), t.as_bytes())
            );
        }
    }

    #[test]
    fn action_wildcards_ignore_case_like_iam() {
        assert!(wildcard_match_ignore_case("SQS:send*", "sqs:SendMessage"));
        assert!(wildcard_match_ignore_case(
            "sqs:sendmessage",
            "sqs:SendMessage"
        ));
        assert!(!wildcard_match_ignore_case("sqs:Send", "sqs:SendMessage"));
        assert!(!wildcard_match("arn:aws:s3:::b/*", "arn:aws:s3:::b"));
        assert!(wildcard_match("arn:aws:s3:::b/*", "arn:aws:s3:::b/"));
    }

    #[test]
    fn statement_ids_allow_only_aws_characters() {
        assert!(StatementId::parse("AllowS3Invoke").is_ok());
        assert!(StatementId::parse("eventloom-s3.uploads_1").is_ok());
        assert!(StatementId::parse("has space").is_err());
        assert!(StatementId::parse(&"x".repeat(101)).is_err());
    }

    #[test]
    fn queue_urls_name_region_account_and_queue() {
        let url =
            QueueUrl::parse("https://sqs.eu-west-1.amazonaws.com/123456789012/jobs.fifo").unwrap();
        let (region, account, name) = url.parts().unwrap();
        assert_eq!(region.as_str(), "eu-west-1");
        assert_eq!(account.as_str(), "123456789012");
        assert!(name.is_fifo());
        assert!(QueueUrl::parse("https://example.com/q").is_err());
    }

    #[test]
    fn bucket_names_follow_s3_rules() {
        assert!(BucketName::parse("uploads-2026.eu").is_ok());
        assert!(BucketName::parse("Uploads").is_err());
        assert!(BucketName::parse("ab").is_err());
        assert!(BucketName::parse("192.168.1.1").is_err());
        assert!(BucketName::parse("a..b").is_err());
    }

    #[test]
    fn fifo_queues_are_recognised_by_name() {
        assert!(QueueName::parse("jobs.fifo").unwrap().is_fifo());
        assert!(!QueueName::parse("jobs").unwrap().is_fifo());
        assert!(QueueName::parse("jobs.other").is_err());
    }

    #[test]
    fn qualifiers_are_versions_aliases_or_latest() {
        assert!(Qualifier::parse("7").unwrap().is_version());
        assert!(!Qualifier::parse("live").unwrap().is_version());
        assert!(!Qualifier::parse("$LATEST").unwrap().is_version());
        assert!(Qualifier::parse("bad alias").is_err());
    }

    #[test]
    fn ids_deserialize_through_parse() {
        let err = serde_json::from_str::<AccountId>("\"12\"").unwrap_err();
        assert!(err.to_string().contains("12 digits"));
    }
}

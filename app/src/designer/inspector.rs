//! The inspector: a form for the selected node or edge with the fields of its kind. Each
//! value is parsed by `wiring`'s own types; a value that does not parse shows its error
//! next to the field and is not applied.

use super::editor::{Editor, element_label};
use leptos::prelude::*;
use serde_json::{Map, Value};
use wasm_bindgen::JsCast;
use wiring::{
    Change, Element, catalog,
    ids::{AccountId, Region},
    model::{Edge, EdgeKind, Node, NodeKind},
    policy,
};

/// How a field is edited.
#[derive(Clone, Copy, PartialEq)]
enum Ty {
    Text,
    Number,
    Check,
    Select(&'static [(&'static str, &'static str)]),
    /// A comma-separated list of strings.
    List,
    /// Free JSON (patterns, filters).
    Json,
    /// Text holding JSON (stored as a string).
    JsonText,
}

#[derive(Clone, Copy)]
struct Field {
    path: &'static str,
    label: &'static str,
    ty: Ty,
    /// Empty input removes the value (optional fields).
    optional: bool,
}

const fn f(path: &'static str, label: &'static str, ty: Ty, optional: bool) -> Field {
    Field {
        path,
        label,
        ty,
        optional,
    }
}

const COMMON: [Field; 3] = [
    f("name", "Name", Ty::Text, false),
    f(
        "account",
        "Account id (default: the draft's)",
        Ty::Text,
        true,
    ),
    f("region", "Region (default: the draft's)", Ty::Text, true),
];

fn node_fields(kind: NodeKind) -> Vec<Field> {
    let mut v = COMMON.to_vec();
    let more: &[Field] = match kind {
        NodeKind::Function => &[
            f("timeout", "Timeout (s)", Ty::Number, false),
            f("qualifier", "Qualifier (version or alias)", Ty::Text, true),
            f("role.name", "Execution role name", Ty::Text, false),
            f(
                "url.auth_type",
                "Function URL",
                Ty::Select(&[
                    ("", "none"),
                    ("NONE", "public (NONE)"),
                    ("AWS_IAM", "AWS_IAM"),
                ]),
                true,
            ),
            f(
                "recursive_loop",
                "Recursive loops",
                Ty::Select(&[("Terminate", "Terminate"), ("Allow", "Allow")]),
                true,
            ),
            f(
                "async_invoke.maximum_retry_attempts",
                "Async MaximumRetryAttempts (0–2)",
                Ty::Number,
                true,
            ),
            f(
                "async_invoke.maximum_event_age",
                "Async MaximumEventAgeInSeconds",
                Ty::Number,
                true,
            ),
            f(
                "packaging.environment",
                "Has environment variables",
                Ty::Check,
                true,
            ),
            f("packaging.vpc", "In a VPC", Ty::Check, true),
            f("packaging.layers", "Layers", Ty::Number, true),
            f(
                "packaging.container_image",
                "Container image",
                Ty::Check,
                true,
            ),
        ],
        NodeKind::SqsQueue => &[f(
            "visibility_timeout",
            "Visibility timeout (s)",
            Ty::Number,
            true,
        )],
        NodeKind::EventRule => &[
            f("bus", "Event bus", Ty::Text, false),
            f("trigger", "Pattern or schedule (JSON)", Ty::Json, false),
        ],
        NodeKind::Schedule => &[
            f("group", "Schedule group", Ty::Text, false),
            f("expression", "Expression", Ty::Text, false),
            f("role.name", "Schedule role name", Ty::Text, false),
        ],
        NodeKind::DynamoDbStream => &[f("stream_label", "Stream label", Ty::Text, true)],
        NodeKind::KafkaTopic => &[f("cluster", "Cluster (JSON)", Ty::Json, false)],
        NodeKind::StateMachine => &[f("role.name", "State machine role name", Ty::Text, false)],
        NodeKind::HttpApiRoute => &[
            f("stage", "Stage", Ty::Text, false),
            f("route_key", "Route key", Ty::Text, false),
            f("credentials_role", "Credentials role ARN", Ty::Text, true),
        ],
        NodeKind::TargetGroup => &[f("target_group_id", "Target group id", Ty::Text, false)],
        NodeKind::SesRule => &[f("rule_set", "Rule set", Ty::Text, false)],
        NodeKind::ExternalPrincipal => &[f(
            "principal",
            "Principal (account id or role ARN)",
            Ty::Text,
            false,
        )],
        _ => &[],
    };
    v.extend_from_slice(more);
    v
}

const STARTING: &[(&str, &str)] = &[
    ("", "default"),
    ("LATEST", "LATEST"),
    ("TRIM_HORIZON", "TRIM_HORIZON"),
    ("AT_TIMESTAMP", "AT_TIMESTAMP"),
];
const INVOCATION: &[(&str, &str)] = &[
    ("", "default"),
    ("Event", "Event (async)"),
    ("RequestResponse", "RequestResponse (sync)"),
];
const CLOUDFRONT: &[(&str, &str)] = &[
    ("", "choose"),
    ("viewer-request", "viewer-request"),
    ("viewer-response", "viewer-response"),
    ("origin-request", "origin-request"),
    ("origin-response", "origin-response"),
];
const COGNITO: &[(&str, &str)] = &[
    ("", "choose"),
    ("PreSignUp", "PreSignUp"),
    ("CustomMessage", "CustomMessage"),
    ("PostConfirmation", "PostConfirmation"),
    ("PreAuthentication", "PreAuthentication"),
    ("PostAuthentication", "PostAuthentication"),
    ("DefineAuthChallenge", "DefineAuthChallenge"),
    ("CreateAuthChallenge", "CreateAuthChallenge"),
    ("VerifyAuthChallengeResponse", "VerifyAuthChallengeResponse"),
    ("PreTokenGeneration", "PreTokenGeneration"),
    ("UserMigration", "UserMigration"),
    ("CustomSMSSender", "CustomSMSSender"),
    ("CustomEmailSender", "CustomEmailSender"),
];
const TRIGGER_FIELDS: [Field; 15] = [
    f("kind.events", "S3 events (comma-separated)", Ty::List, true),
    f("kind.prefix", "Key prefix", Ty::Text, true),
    f("kind.suffix", "Key suffix", Ty::Text, true),
    f("kind.batch_size", "BatchSize", Ty::Number, true),
    f(
        "kind.batching_window",
        "MaximumBatchingWindowInSeconds",
        Ty::Number,
        true,
    ),
    f(
        "kind.starting_position",
        "StartingPosition",
        Ty::Select(STARTING),
        true,
    ),
    f(
        "kind.starting_position_timestamp",
        "StartingPositionTimestamp (seconds since 1970, UTC)",
        Ty::Number,
        true,
    ),
    f(
        "kind.filters",
        "Filter patterns (JSON list)",
        Ty::Json,
        true,
    ),
    f(
        "kind.maximum_retry_attempts",
        "MaximumRetryAttempts",
        Ty::Number,
        true,
    ),
    f(
        "kind.maximum_record_age",
        "MaximumRecordAgeInSeconds",
        Ty::Number,
        true,
    ),
    f(
        "kind.bisect_batch_on_function_error",
        "BisectBatchOnFunctionError",
        Ty::Check,
        true,
    ),
    f(
        "kind.filter_policy",
        "Filter policy (JSON)",
        Ty::JsonText,
        true,
    ),
    f(
        "kind.cognito_trigger",
        "Cognito trigger",
        Ty::Select(COGNITO),
        true,
    ),
    f(
        "kind.cloudfront_event",
        "CloudFront event",
        Ty::Select(CLOUDFRONT),
        true,
    ),
    f(
        "kind.invocation_type",
        "InvocationType",
        Ty::Select(INVOCATION),
        true,
    ),
];

fn edge_fields(g: &wiring::Graph, e: &Edge) -> Vec<Field> {
    match &e.kind {
        EdgeKind::Trigger(_) => {
            let allowed = g
                .nodes
                .get(&e.from)
                .map_or(&[][..], |n| catalog::of(n).trigger_fields);
            TRIGGER_FIELDS
                .into_iter()
                .filter(|fl| allowed.contains(&&fl.path[5..]))
                .collect()
        }
        EdgeKind::Redrive { .. } => vec![f(
            "kind.max_receive_count",
            "maxReceiveCount",
            Ty::Number,
            false,
        )],
        EdgeKind::Invoke { .. } => vec![f(
            "kind.invocation_type",
            "InvocationType",
            Ty::Select(&INVOCATION[1..]),
            false,
        )],
        EdgeKind::Writes { .. } => vec![
            f("kind.key_prefix", "Key prefix it writes", Ty::Text, true),
            f("kind.key_suffix", "Key suffix it writes", Ty::Text, true),
        ],
        _ => Vec::new(),
    }
}

fn get<'v>(v: &'v Value, path: &str) -> Option<&'v Value> {
    path.split('.').try_fold(v, |cur, k| cur.get(k))
}

fn set(v: &mut Value, path: &str, new: Option<Value>) {
    let keys: Vec<&str> = path.split('.').collect();
    let mut cur = v;
    for k in &keys[..keys.len() - 1] {
        if !cur.get(*k).is_some_and(Value::is_object) {
            if new.is_none() {
                return;
            }
            cur[*k] = Value::Object(Map::new());
        }
        cur = &mut cur[*k];
    }
    let last = keys[keys.len() - 1];
    match (new, cur.as_object_mut()) {
        (Some(n), Some(m)) => {
            m.insert(last.to_owned(), n);
        }
        (None, Some(m)) => {
            m.remove(last);
        }
        _ => {}
    }
}

/// The text an input shows for a JSON value.
fn display(v: Option<&Value>, ty: Ty) -> String {
    match (v, ty) {
        (None | Some(Value::Null), _) => String::new(),
        (Some(Value::String(s)), _) => s.clone(),
        (Some(Value::Array(a)), Ty::List) => a
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(", "),
        (Some(other), Ty::Json) => serde_json::to_string_pretty(other).unwrap_or_default(),
        (Some(other), _) => other.to_string(),
    }
}

/// Parses an input's text into the JSON value for the field, or says why not.
fn parse_input(text: &str, field: Field) -> Result<Option<Value>, String> {
    let t = text.trim();
    if t.is_empty() {
        return if field.optional {
            Ok(None)
        } else {
            Err(format!("{} cannot be empty.", field.label))
        };
    }
    match field.ty {
        Ty::Number => t
            .parse::<i64>()
            .map(|n| Some(Value::from(n)))
            .map_err(|_| format!("{} must be a whole number.", field.label)),
        Ty::Check => Ok(Some(Value::Bool(t == "true"))),
        Ty::List => Ok(Some(Value::Array(
            t.split(',')
                .map(|s| Value::String(s.trim().to_owned()))
                .filter(|s| s != "")
                .collect(),
        ))),
        Ty::Json => serde_json::from_str(t)
            .map(Some)
            .map_err(|e| format!("Not valid JSON: {e}")),
        Ty::JsonText => serde_json::from_str::<Value>(t)
            .map(|_| Some(Value::String(t.to_owned())))
            .map_err(|e| format!("Not valid JSON: {e}")),
        Ty::Text | Ty::Select(_) => Ok(Some(Value::String(t.to_owned()))),
    }
}

/// The field's DOM id, which the Problems panel focuses.
fn field_id(path: &str) -> String {
    format!("field-{}", path.trim_start_matches("kind."))
}

/// Focuses the inspector field a finding points at.
pub fn focus(field: &str) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let candidates = [
        format!("field-{field}"),
        format!("field-{field}.name"),
        format!("field-{}", field.split('.').next().unwrap_or(field)),
    ];
    for id in candidates {
        if let Some(el) = doc
            .get_element_by_id(&id)
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = el.focus();
            return;
        }
    }
    // A finding on a group of inputs (`url`, `packaging`) focuses the group's first input.
    if let Some(el) = doc
        .query_selector(&format!("[id^=\"field-{field}.\"]"))
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}

/// The inspector.
#[component]
pub fn Inspector(
    editor: Editor,
    #[prop(into)] draft_name: Signal<String>,
    on_rename: Callback<String>,
) -> impl IntoView {
    let selected = Memo::new(move |_| {
        editor.selection.with(|s| {
            if s.len() == 1 {
                s.iter().next().cloned()
            } else {
                None
            }
        })
    });
    let count = Memo::new(move |_| editor.selection.with(|s| s.len()));
    Effect::new(move |_| {
        if let Some(field) = editor.focus_field.get() {
            // After the form for the newly selected element renders.
            request_animation_frame(move || focus(&field));
            editor.focus_field.set(None);
        }
    });
    view! {
        <section class="inspector" aria-labelledby="inspector-title">
            {move || match selected.get() {
                Some(Element::Node(id)) => view! { <NodeForm editor=editor id=id /> }.into_any(),
                Some(Element::Edge(id)) => view! { <EdgeForm editor=editor id=id /> }.into_any(),
                _ if count.get() > 1 => view! {
                    <h2 id="inspector-title">{move || format!("{} selected", count.get())}</h2>
                    <p class="hint">"Drag to move them together, or press Delete to remove them."</p>
                }
                    .into_any(),
                _ => view! { <DraftForm editor=editor draft_name=draft_name on_rename=on_rename /> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn DraftForm(
    editor: Editor,
    draft_name: Signal<String>,
    on_rename: Callback<String>,
) -> impl IntoView {
    let error = RwSignal::new(None::<(String, String)>);
    let commit_defaults = move |which: &'static str, text: String| {
        let (mut account, mut region) = editor
            .graph
            .with_untracked(|g| (g.account.clone(), g.region.clone()));
        let t = text.trim();
        let parsed = match which {
            "account" => (if t.is_empty() {
                Ok(None)
            } else {
                AccountId::parse(t).map(Some)
            })
            .map(|a| account = a),
            _ => (if t.is_empty() {
                Ok(None)
            } else {
                Region::parse(t).map(Some)
            })
            .map(|r| region = r),
        };
        match parsed {
            Ok(()) => {
                error.set(None);
                let changed = editor
                    .graph
                    .with_untracked(|g| g.account != account || g.region != region);
                if changed {
                    editor.dispatch(Change::SetDefaults { account, region });
                }
            }
            Err(e) => error.set(Some((which.into(), e.to_string()))),
        }
    };
    let err_for = move |w: &'static str| {
        move || {
            error
                .get()
                .filter(|(f, _)| f == w)
                .map(|(_, m)| view! { <p class="field-error" role="alert">{m}</p> })
        }
    };
    view! {
        <h2 id="inspector-title">"Draft"</h2>
        <div class="field">
            <label for="field-draft-name">"Name"</label>
            <input
                id="field-draft-name"
                type="text"
                prop:value=move || draft_name.get()
                disabled=move || !editor.editable()
                on:change=move |ev| on_rename.run(event_target_value(&ev))
            />
        </div>
        <div class="field">
            <label for="field-account">"Default account id"</label>
            <input
                id="field-account"
                type="text"
                inputmode="numeric"
                prop:value=move || editor.graph.with(|g| g.account.as_ref().map(|a| a.to_string()).unwrap_or_default())
                disabled=move || !editor.editable()
                on:change=move |ev| commit_defaults("account", event_target_value(&ev))
            />
            {err_for("account")}
        </div>
        <div class="field">
            <label for="field-region">"Default region"</label>
            <input
                id="field-region"
                type="text"
                prop:value=move || editor.graph.with(|g| g.region.as_ref().map(|r| r.to_string()).unwrap_or_default())
                disabled=move || !editor.editable()
                on:change=move |ev| commit_defaults("region", event_target_value(&ev))
            />
            {err_for("region")}
        </div>
        <p class="hint">"Select a node or edge to edit it. Drag from a node's right handle to connect."</p>
    }
}

/// One form field bound to a JSON path of `current`; `commit` parses and applies it.
fn field_view(
    editor: Editor,
    field: Field,
    current: Memo<Option<Value>>,
    errors: RwSignal<Vec<(String, String)>>,
    commit: Callback<(Field, String)>,
) -> impl IntoView {
    let id = field_id(field.path);
    let value =
        move || current.with(|c| display(c.as_ref().and_then(|v| get(v, field.path)), field.ty));
    let error = move || {
        errors.with(|e| {
            e.iter()
                .find(|(p, _)| p == field.path)
                .map(|(_, m)| m.clone())
        })
    };
    let described = format!("{id}-error");
    let input = match field.ty {
        Ty::Check => view! {
            <input
                id=id.clone()
                type="checkbox"
                prop:checked=move || value() == "true"
                disabled=move || !editor.editable()
                on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    commit.run((field, on.to_string()));
                }
            />
        }
        .into_any(),
        Ty::Select(options) => view! {
            <select
                id=id.clone()
                disabled=move || !editor.editable()
                on:change=move |ev| commit.run((field, event_target_value(&ev)))
            >
                {options
                    .iter()
                    .map(|(v, label)| {
                        let v = *v;
                        view! { <option value=v selected=move || value() == v>{*label}</option> }
                    })
                    .collect_view()}
            </select>
        }
        .into_any(),
        Ty::Json | Ty::JsonText => view! {
            <textarea
                id=id.clone()
                rows="3"
                prop:value=value
                aria-describedby=described.clone()
                disabled=move || !editor.editable()
                on:change=move |ev| commit.run((field, event_target_value(&ev)))
            ></textarea>
        }
        .into_any(),
        _ => view! {
            <input
                id=id.clone()
                type="text"
                inputmode=if field.ty == Ty::Number { "numeric" } else { "text" }
                prop:value=value
                aria-describedby=described.clone()
                aria-invalid=move || error().is_some().to_string()
                disabled=move || !editor.editable()
                on:change=move |ev| commit.run((field, event_target_value(&ev)))
            />
        }
        .into_any(),
    };
    view! {
        <div class="field" class:invalid=move || error().is_some()>
            <label for=id>{field.label}</label>
            {input}
            <p class="field-error" id=described role="alert">
                {error}
            </p>
        </div>
    }
}

#[component]
fn NodeForm(editor: Editor, id: wiring::ids::NodeId) -> impl IntoView {
    let node = {
        let id = id.clone();
        Memo::new(move |_| editor.graph.with(|g| g.nodes.get(&id).cloned()))
    };
    // Through text rather than `to_value`/`from_value`, so the model's serde code is
    // compiled for one input and one output only (it is a large part of the download).
    let current = Memo::new(move |_| {
        node.get()
            .and_then(|n| serde_json::from_str::<Value>(&serde_json::to_string(&n).ok()?).ok())
    });
    let errors = RwSignal::new(Vec::<(String, String)>::new());
    let commit = {
        let id = id.clone();
        Callback::new(move |(field, text): (Field, String)| {
            let result = parse_input(&text, field).and_then(|v| {
                let mut json = current.get_untracked().ok_or("The node is gone.")?;
                set(&mut json, field.path, v);
                serde_json::from_str::<Node>(&json.to_string()).map_err(|e| clean(&e.to_string()))
            });
            match result {
                Ok(new) => {
                    errors.update(|e| e.retain(|(p, _)| p != field.path));
                    if node.get_untracked().as_ref() != Some(&new) {
                        editor.dispatch(Change::ReplaceNode {
                            id: id.clone(),
                            node: new,
                        });
                    }
                }
                Err(msg) => errors.update(|e| {
                    e.retain(|(p, _)| p != field.path);
                    e.push((field.path.to_owned(), msg));
                }),
            }
        })
    };
    move || {
        let n = node.get()?;
        let entry = catalog::of(&n);
        let fields = node_fields(n.kind());
        let title = format!("{} {}", entry.label, n.name());
        Some(view! {
            <h2 id="inspector-title">{title}</h2>
            <p class="hint">{entry.doc}</p>
            {fields.into_iter().map(|fl| field_view(editor, fl, current, errors, commit)).collect_view()}
            {matches!(n, Node::Function(_)).then(|| view! { <PolicySection editor=editor id=id.clone() /> })}
            {n.role().is_some().then(|| view! { <RoleSection editor=editor id=id.clone() /> })}
            <button
                class="button danger small"
                disabled=move || !editor.editable()
                on:click={
                    let id = id.clone();
                    move |_| {
                        editor.dispatch(Change::RemoveNode { id: id.clone() });
                    }
                }
            >
                "Delete node"
            </button>
        })
    }
}

/// serde's message without the Rust-internal position.
fn clean(msg: &str) -> String {
    msg.split(" at line ").next().unwrap_or(msg).to_owned()
}

#[component]
fn PolicySection(editor: Editor, id: wiring::ids::NodeId) -> impl IntoView {
    let data = {
        let id = id.clone();
        Memo::new(move |_| {
            editor.graph.with(|g| {
                let f = g.function(&id)?;
                let arn = g.arn_of(&id).map(|a| a.to_string()).unwrap_or_else(|_| {
                    format!("arn:aws:lambda:REGION:ACCOUNT:function:{}", f.name)
                });
                let doc = policy::policy_document(&arn, &f.policy);
                Some((
                    f.policy.clone(),
                    serde_json::to_string_pretty(&doc).unwrap_or_default(),
                    policy::policy_size(&arn, &f.policy),
                ))
            })
        })
    };
    move || {
        let (statements, json, size) = data.get()?;
        let pct = size as f64 / policy::POLICY_LIMIT as f64 * 100.0;
        Some(view! {
            <section class="subsection" aria-labelledby="field-policy">
                <h3 id="field-policy" tabindex="-1">"Resource-based policy"</h3>
                <ul class="statements" role="list">
                    {statements
                        .into_iter()
                        .map(|s| {
                            let (id, sid) = (id.clone(), s.sid.clone());
                            view! {
                                <li>
                                    <code>{s.sid.to_string()}</code>
                                    " "
                                    <span>{s.principal.to_string()}</span>
                                    {s.source_arn.map(|a| view! { " · " <code>{a.to_string()}</code> })}
                                    <button
                                        class="button link"
                                        aria-label=format!("Remove statement {sid}")
                                        disabled=move || !editor.editable()
                                        on:click=move |_| {
                                            editor.dispatch(Change::RemoveStatement { node: id.clone(), sid: sid.clone() });
                                        }
                                    >
                                        "Remove"
                                    </button>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
                <label for="policy-size">{format!("Policy size: {size} of {} bytes", policy::POLICY_LIMIT)}</label>
                <meter id="policy-size" min="0" max=policy::POLICY_LIMIT as f64 low=policy::POLICY_LIMIT as f64 * 0.75 high=policy::POLICY_LIMIT as f64 * 0.9 value=size as f64>
                    {format!("{pct:.0}%")}
                </meter>
                <details>
                    <summary>"The policy as AWS will hold it"</summary>
                    <pre class="policy-json">{json}</pre>
                </details>
            </section>
        })
    }
}

#[component]
fn RoleSection(editor: Editor, id: wiring::ids::NodeId) -> impl IntoView {
    let role = {
        let id = id.clone();
        Memo::new(move |_| {
            editor
                .graph
                .with(|g| g.nodes.get(&id).and_then(|n| n.role().cloned()))
        })
    };
    move || {
        let r = role.get()?;
        Some(view! {
            <section class="subsection" aria-labelledby="field-role">
                <h3 id="field-role" tabindex="-1">{format!("Role {}", r.name)}</h3>
                <p class="hint">{format!("Trusts: {}", r.trusts.iter().cloned().collect::<Vec<_>>().join(", "))}</p>
                <ul class="grants" role="list">
                    {r.grants
                        .into_iter()
                        .map(|g| {
                            let id = id.clone();
                            let text = format!(
                                "{} on {}",
                                g.actions.iter().map(|a| a.as_str()).collect::<Vec<_>>().join(", "),
                                g.resources.iter().map(|a| a.as_str()).collect::<Vec<_>>().join(", ")
                            );
                            let managed = g.managed;
                            view! {
                                <li>
                                    <span>{text}</span>
                                    {managed.then(|| view! { <span class="tag">"managed"</span> })}
                                    <button
                                        class="button link"
                                        disabled=move || !editor.editable()
                                        on:click=move |_| {
                                            editor.dispatch(Change::RemoveRoleGrant { node: id.clone(), grant: g.clone() });
                                        }
                                    >
                                        "Remove"
                                    </button>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </section>
        })
    }
}

#[component]
fn EdgeForm(editor: Editor, id: wiring::ids::EdgeId) -> impl IntoView {
    let edge = {
        let id = id.clone();
        Memo::new(move |_| editor.graph.with(|g| g.edges.get(&id).cloned()))
    };
    // Through text rather than `to_value`/`from_value`, so the model's serde code is
    // compiled for one input and one output only (it is a large part of the download).
    let current = Memo::new(move |_| {
        edge.get()
            .and_then(|e| serde_json::from_str::<Value>(&serde_json::to_string(&e).ok()?).ok())
    });
    let errors = RwSignal::new(Vec::<(String, String)>::new());
    let commit = {
        let id = id.clone();
        Callback::new(move |(field, text): (Field, String)| {
            let result = parse_input(&text, field).and_then(|v| {
                let mut json = current.get_untracked().ok_or("The edge is gone.")?;
                set(&mut json, field.path, v);
                serde_json::from_str::<Edge>(&json.to_string()).map_err(|e| clean(&e.to_string()))
            });
            match result {
                Ok(new) => {
                    errors.update(|e| e.retain(|(p, _)| p != field.path));
                    if edge.get_untracked().as_ref() != Some(&new) {
                        editor.dispatch(Change::ReplaceEdge {
                            id: id.clone(),
                            edge: new,
                        });
                    }
                }
                Err(msg) => errors.update(|e| {
                    e.retain(|(p, _)| p != field.path);
                    e.push((field.path.to_owned(), msg));
                }),
            }
        })
    };
    move || {
        let e = edge.get()?;
        let fields = editor.graph.with_untracked(|g| edge_fields(g, &e));
        let title = editor
            .graph
            .with_untracked(|g| element_label(g, &Element::Edge(id.clone())));
        Some(view! {
            <h2 id="inspector-title">{title}</h2>
            {fields.into_iter().map(|fl| field_view(editor, fl, current, errors, commit)).collect_view()}
            <button
                class="button danger small"
                disabled=move || !editor.editable()
                on:click={
                    let id = id.clone();
                    move |_| {
                        editor.dispatch(Change::RemoveEdge { id: id.clone() });
                    }
                }
            >
                "Delete edge"
            </button>
        })
    }
}

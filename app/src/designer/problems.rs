//! The Problems panel: every finding by severity. Clicking one selects its element, pans
//! to it and focuses the field at fault; Fix applies its fix as a normal, undoable change.

use super::editor::{Editor, NODE_H, NODE_W, element_label};
use leptos::prelude::*;
use wiring::{Change, Element, Finding, Severity, model::Point};

/// Applies a finding's fix as one undoable step.
pub fn apply_fix(editor: &Editor, f: &Finding) {
    if let Some(fix) = &f.fix
        && editor.dispatch(Change::Batch {
            changes: fix.changes.clone(),
        })
    {
        editor.announcement.set(format!("Fixed: {}", fix.summary));
    }
}

/// Applies every grant fix (statements, role actions, trust) as one undoable step, until
/// none is missing: a fixed grant can expose the next one behind it (the same fixpoint as
/// `wiring::fix_all_grants`, but collected as changes so that one undo takes them all back).
pub fn fix_all_grants(editor: &Editor) {
    let mut probe = editor.graph.get_untracked();
    let mut changes: Vec<Change> = Vec::new();
    for _ in 0..5 {
        let round = wiring::grant_changes(&wiring::validate(&probe));
        // Two fixes can add the same grant; the second changes nothing and is left out.
        let applied: Vec<Change> = round
            .into_iter()
            .filter(|c| wiring::apply(&mut probe, c).is_ok())
            .collect();
        if applied.is_empty() {
            break;
        }
        changes.extend(applied);
    }
    let n = changes.len();
    if n == 0 {
        editor.announcement.set("No missing grants".into());
        return;
    }
    if editor.dispatch(Change::Batch { changes }) {
        editor
            .announcement
            .set(format!("Fixed all grants ({n} changes)"));
    }
}

/// Selects `el` and brings it into view.
pub fn reveal(editor: &Editor, el: &Element) {
    editor.select_only(el.clone());
    let at = editor.graph.with_untracked(|g| match el {
        Element::Node(id) => g.layout.get(id).copied(),
        Element::Edge(id) => g.edges.get(id).and_then(|e| {
            let (a, b) = (g.layout.get(&e.from)?, g.layout.get(&e.to)?);
            Some(Point {
                x: (a.x + b.x) / 2.0,
                y: (a.y + b.y) / 2.0,
            })
        }),
        Element::Graph => None,
    });
    if let Some(p) = at {
        editor.pan_to(Point {
            x: p.x + NODE_W / 2.0,
            y: p.y + NODE_H / 2.0,
        });
    }
}

/// The panel.
#[component]
pub fn Problems(editor: Editor) -> impl IntoView {
    let grant_fixes = Memo::new(move |_| {
        editor.findings.with(|fs| {
            fs.iter()
                .filter(|f| f.fix.as_ref().is_some_and(|x| x.grant))
                .count()
        })
    });
    let counts = Memo::new(move |_| editor.findings.with(|fs| wiring::Summary::of(fs)));
    let items = move || {
        editor
            .findings
            .get()
            .into_iter()
            .enumerate()
            .collect::<Vec<_>>()
    };
    view! {
        <section class="problems" aria-labelledby="problems-title">
            <header>
                <h2 id="problems-title">
                    "Problems "
                    <span class="count error" title="errors">{move || counts.get().errors}</span>
                    " "
                    <span class="count warning" title="warnings">{move || counts.get().warnings}</span>
                </h2>
                <button
                    class="button primary small"
                    disabled=move || grant_fixes.get() == 0 || !editor.editable()
                    on:click=move |_| fix_all_grants(&editor)
                >
                    {move || format!("Fix all grants ({})", grant_fixes.get())}
                </button>
            </header>
            <Show when=move || editor.findings.with(Vec::is_empty)>
                <p class="empty">"No problems: AWS will accept this wiring."</p>
            </Show>
            <ul class="finding-list" role="list">
                <For
                    each=items
                    key=|(i, f)| (*i, f.code, f.at.clone(), f.message.clone())
                    let:item
                >
                    <FindingItem editor=editor finding=item.1 />
                </For>
            </ul>
        </section>
    }
}

#[component]
fn FindingItem(editor: Editor, finding: Finding) -> impl IntoView {
    let sev = match finding.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    };
    let where_ = editor
        .graph
        .with_untracked(|g| element_label(g, &finding.at));
    let f = finding.clone();
    let go = move |_| {
        reveal(&editor, &f.at);
        editor.focus_field.set(f.field.clone());
    };
    let fix = finding.fix.clone().map(|x| {
        let f = finding.clone();
        view! {
            <button
                class="button small"
                title=x.summary.clone()
                disabled=move || !editor.editable()
                on:click=move |ev| {
                    ev.stop_propagation();
                    apply_fix(&editor, &f);
                }
            >
                "Fix"
            </button>
        }
    });
    view! {
        <li class=format!("finding {sev}") data-code=finding.code.as_str()>
            <button class="finding-main" on:click=go>
                <span class=format!("sev {sev}")>{sev}</span>
                <span class="finding-where">{where_}</span>
                <span class="finding-message">{finding.message.clone()}</span>
                <code class="finding-code">{finding.code.as_str()}</code>
            </button>
            {fix}
        </li>
    }
}

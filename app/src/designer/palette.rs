//! The palette: every node kind, grouped as the catalog groups them, with search. Drag a
//! kind onto the canvas, or press Enter on it to place it in the middle of the view.

use super::{canvas::add_node, editor::Editor};
use leptos::prelude::*;
use wiring::{
    catalog::{self, Group},
    model::Point,
};

/// The palette.
#[component]
pub fn Palette(editor: Editor) -> impl IntoView {
    let query = RwSignal::new(String::new());
    let place = move |key: &'static str| {
        let c = editor.centre();
        add_node(
            &editor,
            key,
            Point {
                x: c.x - super::editor::NODE_W / 2.0,
                y: c.y - super::editor::NODE_H / 2.0,
            },
        );
    };
    view! {
        <aside class="palette" aria-label="Palette">
            <label class="visually-hidden" for="palette-search">
                "Search services"
            </label>
            <input
                id="palette-search"
                type="search"
                placeholder="Search services…"
                prop:value=move || query.get()
                on:input=move |ev| query.set(event_target_value(&ev))
            />
            {Group::ALL
                .into_iter()
                .map(|group| {
                    let items = move || {
                        let q = query.get().to_lowercase();
                        catalog::entries()
                            .iter()
                            .filter(|e| e.group == group)
                            .filter(|e| q.is_empty() || e.label.to_lowercase().contains(&q) || e.key.contains(&q) || e.doc.to_lowercase().contains(&q))
                            .collect::<Vec<_>>()
                    };
                    view! {
                        <Show when=move || !items().is_empty()>
                            <section class="palette-group">
                                <h2>{group.label()}</h2>
                                <ul role="list">
                                    {move || {
                                        items()
                                            .into_iter()
                                            .map(|e| {
                                                let key = e.key;
                                                view! {
                                                    <li>
                                                        <button
                                                            class="palette-item"
                                                            data-kind=key
                                                            draggable="true"
                                                            title=e.doc
                                                            on:dragstart=move |ev: web_sys::DragEvent| {
                                                                if let Some(dt) = ev.data_transfer() {
                                                                    let _ = dt.set_data("application/x-eventloom-kind", key);
                                                                    dt.set_effect_allowed("copy");
                                                                }
                                                            }
                                                            on:click=move |_| place(key)
                                                            disabled=move || !editor.editable()
                                                        >
                                                            <span class="palette-icon" aria-hidden="true">{e.icon}</span>
                                                            <span>{e.label}</span>
                                                        </button>
                                                    </li>
                                                }
                                            })
                                            .collect_view()
                                    }}
                                </ul>
                            </section>
                        </Show>
                    }
                })
                .collect_view()}
        </aside>
    }
}

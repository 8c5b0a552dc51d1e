//! The landing page: what Eventloom does and where to start.

use leptos::prelude::*;

/// The landing page.
#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <section class="page home">
            <h1>"Design Lambda event wiring that AWS will accept"</h1>
            <p class="lede">
                "Draw how sources trigger functions and where their results go. "
                "Eventloom lists every missing grant with its exact fix, keeps each draft's history, "
                "and applies approved wiring to AWS or the local sandbox."
            </p>
            <p>
                <a class="button primary" href="/drafts">
                    "Open drafts"
                </a>
            </p>
        </section>
    }
}

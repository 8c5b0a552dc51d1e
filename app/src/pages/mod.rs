//! The application's pages, one module each.

mod auth;
pub(crate) mod deploy;
mod drafts;
mod home;
mod review;
mod team;

pub use auth::{JoinPage, SignInPage, SignUpPage};
pub use deploy::{DeployPage, TargetsPage};
pub use drafts::DraftsPage;
pub use home::HomePage;
pub use review::ReviewPage;
pub use team::TeamPage;

use leptos::prelude::*;

/// Rendered for any path no route matches; the server answers it with 404.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        resp.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <section class="page">
            <h1>"Page not found"</h1>
            <p>
                "There is nothing at this address. " <a href="/drafts">"Go to your drafts"</a> "."
            </p>
        </section>
    }
}

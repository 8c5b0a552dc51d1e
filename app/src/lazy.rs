//! The pages loaded on demand: each is a lazy route, so its code (and the parts of the core
//! only it uses) arrives in its own wasm chunk when the page is first opened, not with
//! every page. Sign-in, sign-up and the drafts list stay in the main module.

use leptos::prelude::*;
use leptos_router::{LazyRoute, lazy_route};

macro_rules! lazy_page {
    ($(#[$doc:meta])* $route:ident => $page:path) => {
        $(#[$doc])*
        pub struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            fn view(this: Self) -> AnyView {
                let _ = this;
                view! { <$page /> }.into_any()
            }
        }
    };
}

lazy_page!(
    /// `/drafts/:id`.
    DesignerRoute => crate::designer::DesignerPage
);
lazy_page!(
    /// `/drafts/:id/history`.
    HistoryRoute => crate::designer::HistoryPage
);
lazy_page!(
    /// `/drafts/:id/v/:n`.
    VersionRoute => crate::designer::VersionPage
);
lazy_page!(
    /// `/bench`.
    BenchRoute => crate::designer::BenchPage
);
lazy_page!(
    /// `/drafts/:id/deploy`.
    DeployRoute => crate::pages::DeployPage
);
lazy_page!(
    /// `/settings/targets`.
    TargetsRoute => crate::pages::TargetsPage
);
lazy_page!(
    /// `/drafts/:id/review`.
    ReviewRoute => crate::pages::ReviewPage
);
lazy_page!(
    /// `/settings/team`.
    TeamRoute => crate::pages::TeamPage
);

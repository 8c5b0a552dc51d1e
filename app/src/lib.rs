//! Eventloom's Leptos UI: the page shell, routes and the server functions the pages call.
#![forbid(unsafe_code)]
// Deeply nested view types (the designer) exceed the default limit.
#![recursion_limit = "512"]

pub mod api;
pub mod designer;
mod lazy;
pub mod pages;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::{
    ParamSegment, StaticSegment,
    components::{A, Route, Router, Routes},
};

/// The HTML document around every page; the server renders it, the browser hydrates `<body>`.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <link rel="icon" type="image/svg+xml" href="/favicon.svg" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The application: navigation, routes and the hydration marker.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();

    view! {
        <Stylesheet id="eventloom" href="/pkg/eventloom.css" />
        <Title text="Eventloom" />
        <Router>
            <header class="topbar">
                <A href="/" attr:class="brand">
                    "Eventloom"
                </A>
                <nav aria-label="Main">
                    <A href="/drafts">"Drafts"</A>
                    <InboxBadge />
                    <A href="/settings/targets">"Deploy targets"</A>
                    <A href="/settings/team">"Team"</A>
                </nav>
                <ThemeToggle />
                <Account />
                <HydrationMarker />
            </header>
            <main id="main">
                <Routes fallback=|| view! { <pages::NotFound /> }>
                    <Route path=StaticSegment("") view=pages::HomePage />
                    <Route path=StaticSegment("drafts") view=pages::DraftsPage />
                    <Route path=StaticSegment("signin") view=pages::SignInPage />
                    <Route path=StaticSegment("signup") view=pages::SignUpPage />
                    <Route path=(StaticSegment("join"), ParamSegment("token")) view=pages::JoinPage />
                    <Route path=(StaticSegment("drafts"), ParamSegment("id")) view={leptos_router::Lazy::<lazy::DesignerRoute>::new()} />
                    <Route path=(StaticSegment("drafts"), ParamSegment("id"), StaticSegment("history")) view={leptos_router::Lazy::<lazy::HistoryRoute>::new()} />
                    <Route path=(StaticSegment("drafts"), ParamSegment("id"), StaticSegment("deploy")) view={leptos_router::Lazy::<lazy::DeployRoute>::new()} />
                    <Route path=(StaticSegment("drafts"), ParamSegment("id"), StaticSegment("review")) view={leptos_router::Lazy::<lazy::ReviewRoute>::new()} />
                    <Route path=(StaticSegment("settings"), StaticSegment("targets")) view={leptos_router::Lazy::<lazy::TargetsRoute>::new()} />
                    <Route path=(StaticSegment("settings"), StaticSegment("team")) view={leptos_router::Lazy::<lazy::TeamRoute>::new()} />
                    <Route path=(StaticSegment("drafts"), ParamSegment("id"), StaticSegment("v"), ParamSegment("n")) view={leptos_router::Lazy::<lazy::VersionRoute>::new()} />
                    <Route path=StaticSegment("bench") view={leptos_router::Lazy::<lazy::BenchRoute>::new()} />
                </Routes>
            </main>
        </Router>
    }
}

/// Review requests waiting for the signed-in user, as a badge linking to the list.
#[component]
fn InboxBadge() -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    let inbox = Resource::new(move || location.pathname.get(), |_| api::inbox());
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match inbox.await {
                    Ok(list) if !list.is_empty() => {
                        let n = list.len();
                        view! {
                            <A href="/drafts#reviews" attr:class="inbox" attr:data-testid="inbox-badge">
                                "Reviews " <span class="count-badge" aria-label=format!("{n} waiting for you")>{n.to_string()}</span>
                            </A>
                        }.into_any()
                    }
                    _ => ().into_any(),
                }
            })}
        </Transition>
    }
}

/// The signed-in user and a sign-out button, or a sign-in link.
#[component]
fn Account() -> impl IntoView {
    // Sign-in, sign-up and sign-out all navigate, so re-reading on navigation keeps this current.
    let location = leptos_router::hooks::use_location();
    let me = Resource::new(move || location.pathname.get(), |_| api::me());
    let sign_out = ServerAction::<api::SignOutCall>::new();
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(Some(me)) => view! {
                        <span class="account">
                            <span class="who" title=me.email.clone()>{me.display_name.clone()} " · " {me.team_name.clone()}</span>
                            <ActionForm action=sign_out attr:class="inline">
                                <button type="submit" class="button link">"Sign out"</button>
                            </ActionForm>
                        </span>
                    }.into_any(),
                    _ => view! { <A href="/signin" attr:class="account">"Sign in"</A> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Light, dark, or the system's choice; remembered in this browser.
#[component]
fn ThemeToggle() -> impl IntoView {
    let theme = RwSignal::new(String::from("system"));
    let apply = |t: &str| {
        if let Some(root) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            let _ = if t == "system" {
                root.remove_attribute("data-theme")
            } else {
                root.set_attribute("data-theme", t)
            };
        }
        if let Some(s) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
            let _ = s.set_item("eventloom-theme", t);
        }
    };
    Effect::new(move |_| {
        let saved = web_sys::window()
            .and_then(|w| w.local_storage().ok().flatten())
            .and_then(|s| s.get_item("eventloom-theme").ok().flatten())
            .unwrap_or_else(|| "system".into());
        apply(&saved);
        theme.set(saved);
    });
    let next = move |_| {
        let t = match theme.get_untracked().as_str() {
            "system" => "dark",
            "dark" => "light",
            _ => "system",
        };
        apply(t);
        theme.set(t.into());
    };
    view! {
        <button class="button link theme-toggle" on:click=next title="Colour theme: system, dark or light">
            {move || format!("Theme: {}", theme.get())}
        </button>
    }
}

/// Set once the whole page is hydrated, lazily loaded page included. Browser only: a wasm
/// instance holds one page, so one flag per process is one flag per page.
#[cfg(feature = "hydrate")]
fn hydrated_flag() -> ArcRwSignal<bool> {
    static FLAG: std::sync::OnceLock<ArcRwSignal<bool>> = std::sync::OnceLock::new();
    FLAG.get_or_init(|| ArcRwSignal::new(false)).clone()
}

/// Shows whether the page is interactive yet. Only the browser entry point flips it, after
/// hydration has finished (a lazy page hydrates once its chunk has loaded, after the shell),
/// so tests wait for `data-hydrated="true"`.
#[component]
fn HydrationMarker() -> impl IntoView {
    #[cfg(feature = "hydrate")]
    let hydrated = {
        let flag = hydrated_flag();
        Signal::derive(move || flag.get())
    };
    // A page being rendered on the server is never interactive. A process-wide signal here
    // would be subscribed to by every request on every worker thread at once, and it
    // deadlocked one (a render's subscription racing another's cleanup).
    #[cfg(not(feature = "hydrate"))]
    let hydrated = Signal::derive(|| false);
    view! {
        <span
            class="hydration"
            data-hydrated=move || hydrated.get().to_string()
            title=move || {
                if hydrated.get() { "Interactive" } else { "Loading scripts…" }
            }
        >
            {move || if hydrated.get() { "live" } else { "loading" }}
        </span>
    }
}

/// The browser entry point: attaches the reactive system to the server-rendered HTML.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Lazy routes load their chunk before they hydrate, so hydration is asynchronous; the
    // marker turns once all of it is done.
    // hydrate_from_async sets up leptos's executor itself, so the future that calls it is
    // driven by wasm-bindgen-futures directly (leptos's spawn_local needs the executor first).
    wasm_bindgen_futures::spawn_local(async {
        let handle = leptos::mount::hydrate_from_async(leptos::tachys::dom::body(), App).await;
        handle.forget();
        hydrated_flag().set(true);
    });
}

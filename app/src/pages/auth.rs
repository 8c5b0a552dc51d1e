//! Sign in, sign up, and joining a team from an invitation link.

use crate::api::{SignInCall, SignUpCall};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// Shows the error of the last submission, if any.
fn form_error<T: Clone + Send + Sync + 'static>(
    value: impl Get<Value = Option<Result<T, crate::api::ApiError>>> + Send + Sync + 'static,
) -> impl IntoView {
    move || {
        value
            .get()
            .and_then(|r| r.err())
            .map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })
    }
}

/// The sign-in form.
#[component]
pub fn SignInPage() -> impl IntoView {
    let action = ServerAction::<SignInCall>::new();
    view! {
        <section class="page narrow">
            <h1>"Sign in"</h1>
            <ActionForm action=action attr:class="stack">
                <label for="signin-email">"Email"</label>
                <input id="signin-email" type="email" name="email" autocomplete="username" required />
                <label for="signin-password">"Password"</label>
                <input
                    id="signin-password"
                    type="password"
                    name="password"
                    autocomplete="current-password"
                    required
                />
                <button type="submit" class="button primary">
                    "Sign in"
                </button>
            </ActionForm>
            {form_error(action.value())}
            <p>"New to Eventloom? " <a href="/signup">"Create an account"</a></p>
        </section>
    }
}

/// The sign-up form; with `invitation`, the account joins the inviting team.
#[component]
fn SignUpForm(#[prop(optional)] invitation: Option<String>) -> impl IntoView {
    let action = ServerAction::<SignUpCall>::new();
    let joining = invitation.is_some();
    view! {
        <ActionForm action=action attr:class="stack">
            <label for="signup-name">"Your name"</label>
            <input id="signup-name" type="text" name="display_name" autocomplete="name" required maxlength="80" />
            <label for="signup-email">"Email"</label>
            <input id="signup-email" type="email" name="email" autocomplete="username" required />
            <label for="signup-password">"Password (at least 12 characters)"</label>
            <input
                id="signup-password"
                type="password"
                name="password"
                autocomplete="new-password"
                minlength="12"
                required
            />
            {if joining {
                view! { <input type="hidden" name="invitation" value=invitation.clone().unwrap_or_default() /> }.into_any()
            } else {
                view! {
                    <label for="signup-team">"Team name"</label>
                    <input id="signup-team" type="text" name="team_name" maxlength="80" placeholder="Platform team" />
                }
                    .into_any()
            }}
            <button type="submit" class="button primary">
                {if joining { "Join the team" } else { "Create account" }}
            </button>
        </ActionForm>
        {form_error(action.value())}
    }
}

/// Creates an account and a team.
#[component]
pub fn SignUpPage() -> impl IntoView {
    view! {
        <section class="page narrow">
            <h1>"Create an account"</h1>
            <p class="lede">"You will be the admin of a new team. To join an existing team, open the invitation link an admin gave you."</p>
            <SignUpForm />
            <p>"Have an account? " <a href="/signin">"Sign in"</a></p>
        </section>
    }
}

/// Joins a team from an invitation link `/join/TOKEN`.
#[component]
pub fn JoinPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    view! {
        <section class="page narrow">
            <h1>"Join your team"</h1>
            <p class="lede">"Create your account to accept the invitation."</p>
            {move || view! { <SignUpForm invitation=token() /> }}
        </section>
    }
}

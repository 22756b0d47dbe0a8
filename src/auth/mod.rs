//! Accounts: log in, register, log out, and who is logged in.
pub mod api;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod session;

use crate::error::AppError;
use crate::types::CurrentUser;
use crate::ui::{FieldError, FormError};
use api::{Login, Logout, Register};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};

/// Who is logged in, refreshed after every log in, register and log out.
#[derive(Clone, Copy)]
pub struct Auth {
    pub user: Resource<Result<Option<CurrentUser>, AppError>>,
    pub login: ServerAction<Login>,
    pub register: ServerAction<Register>,
    pub logout: ServerAction<Logout>,
}

impl Auth {
    pub fn provide() -> Self {
        let login = ServerAction::<Login>::new();
        let register = ServerAction::<Register>::new();
        let logout = ServerAction::<Logout>::new();
        let user = Resource::new(
            move || {
                (
                    login.version().get(),
                    register.version().get(),
                    logout.version().get(),
                )
            },
            |_| api::get_current_user(),
        );
        let auth = Auth {
            user,
            login,
            register,
            logout,
        };
        provide_context(auth);
        auth
    }

    pub fn get() -> Self {
        expect_context::<Auth>()
    }
}

/// Where to go after logging in: a local path from `?next=`, else the challenge page.
fn next_path() -> impl Fn() -> String {
    let query = use_query_map();
    move || {
        query
            .read()
            .get("next")
            .filter(|n| n.starts_with('/') && !n.starts_with("//"))
            .unwrap_or_else(|| "/challenge".to_owned())
    }
}

fn redirect_on_success(succeeded: impl Fn() -> bool + 'static) {
    let navigate = use_navigate();
    let next = next_path();
    Effect::new(move |_| {
        if succeeded() {
            navigate(&next(), Default::default());
        }
    });
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let auth = Auth::get();
    let action = auth.login;
    redirect_on_success(move || matches!(action.value().get(), Some(Ok(_))));
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    view! {
        <section class="auth-card">
            <h1>"Log in"</h1>
            <p class="muted">"Welcome back. Pick up where you left off."</p>
            <ActionForm action=action attr:class="stack" attr:novalidate=true>
                <FormError error=error />
                <label for="login-email">"Email"</label>
                <input id="login-email" type="email" name="email" autocomplete="email" required maxlength="254" />
                <FieldError error=error field="email" />
                <label for="login-password">"Password"</label>
                <input id="login-password" type="password" name="password" autocomplete="current-password" required maxlength="128" />
                <FieldError error=error field="password" />
                <button type="submit" class="primary" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "Logging in…" } else { "Log in" }}
                </button>
            </ActionForm>
            <p class="muted">"New here? " <A href="/register">"Create an account"</A></p>
        </section>
    }
}

#[component]
pub fn RegisterPage() -> impl IntoView {
    let auth = Auth::get();
    let action = auth.register;
    redirect_on_success(move || matches!(action.value().get(), Some(Ok(_))));
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    // The browser's offset, so the daily AI quota resets at the user's own midnight.
    let utc_offset = RwSignal::new(String::new());
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        let minutes_west = js_sys::Date::new_0().get_timezone_offset();
        utc_offset.set((-(minutes_west as i32)).to_string());
    });
    view! {
        <section class="auth-card">
            <h1>"Create your account"</h1>
            <p class="muted">"Your answers and progress are kept for you."</p>
            <ActionForm action=action attr:class="stack" attr:novalidate=true>
                <FormError error=error />
                <input type="hidden" name="utc_offset_minutes" prop:value=move || utc_offset.get() />
                <label for="reg-name">"Name " <span class="muted">"(optional)"</span></label>
                <input id="reg-name" type="text" name="display_name" autocomplete="nickname" maxlength="80" />
                <FieldError error=error field="display_name" />
                <label for="reg-email">"Email"</label>
                <input id="reg-email" type="email" name="email" autocomplete="email" required maxlength="254" />
                <FieldError error=error field="email" />
                <label for="reg-password">"Password"</label>
                <input id="reg-password" type="password" name="password" autocomplete="new-password" required minlength="10" maxlength="128" aria-describedby="reg-password-hint" />
                <small id="reg-password-hint" class="muted">"At least 10 characters."</small>
                <FieldError error=error field="password" />
                <button type="submit" class="primary" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "Creating account…" } else { "Create account" }}
                </button>
            </ActionForm>
            <p class="muted">"Already have an account? " <A href="/login">"Log in"</A></p>
        </section>
    }
}

/// The right end of the nav bar: the user's name and Log out, or Log in / Sign up.
#[component]
pub fn UserMenu() -> impl IntoView {
    let auth = Auth::get();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(())) = auth.logout.value().get() {
            navigate("/", Default::default());
        }
    });
    view! {
        <Transition fallback=|| view! { <span class="muted">"…"</span> }>
            {move || {
                auth.user.get().map(|user| match user {
                    Ok(Some(user)) => view! {
                        <span class="user-name" data-testid="user-name">{user.display_name}</span>
                        <ActionForm action=auth.logout attr:class="inline">
                            <button type="submit" class="link">"Log out"</button>
                        </ActionForm>
                    }.into_any(),
                    _ => view! {
                        <A href="/login">"Log in"</A>
                        <A href="/register" attr:class="button primary small">"Sign up"</A>
                    }.into_any(),
                })
            }}
        </Transition>
    }
}

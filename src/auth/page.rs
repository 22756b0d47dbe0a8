//! The account pages (log in, register), the nav's user menu, and `Auth`, the app-wide
//! "who is logged in". Both forms are plain HTML forms the server answers, so they work
//! before (or without) the WebAssembly bundle; with it, they submit in place.
use super::api::{Login, Logout, Register};
use super::model::{after_login, CurrentUser};
use crate::error::AppError;
use crate::ui::{use_browser_utc_offset, FieldError, FormError};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};

/// Who is logged in. `version` moves on every log in, registration and log out; resources
/// that depend on the user key on it.
#[derive(Clone, Copy)]
pub struct Auth {
    pub user: Resource<Result<Option<CurrentUser>, AppError>>,
    version: RwSignal<u32>,
    pub logout: ServerAction<Logout>,
}

impl Auth {
    pub fn provide() -> Self {
        let version = RwSignal::new(0u32);
        let logout = ServerAction::<Logout>::new();
        let user = Resource::new(move || version.get(), |_| super::api::get_current_user());
        let auth = Auth {
            user,
            version,
            logout,
        };
        Effect::new(move |_| {
            if logout.version().get() > 0 {
                version.update(|v| *v += 1);
            }
        });
        provide_context(auth);
        auth
    }

    pub fn get() -> Self {
        expect_context::<Auth>()
    }

    /// Tracks the session: read it in a resource's source to refetch on every change.
    pub fn version(&self) -> u32 {
        self.version.get()
    }

    fn session_changed(&self) {
        self.version.update(|v| *v += 1);
    }
}

/// The state of a log-in or registration form: its last error, and where to go after.
/// A success refreshes who is logged in and goes on to `next`.
struct SignInForm {
    error: Signal<Option<AppError>>,
    pending: Signal<bool>,
    next: Memo<String>,
}

impl SignInForm {
    fn of(value: Signal<Option<Result<CurrentUser, AppError>>>, pending: Signal<bool>) -> Self {
        let query = use_query_map();
        let next = Memo::new(move |_| after_login(query.read().get("next").as_deref()));
        let auth = Auth::get();
        let navigate = use_navigate();
        Effect::new(move |_| {
            if matches!(value.get(), Some(Ok(_))) {
                auth.session_changed();
                navigate(&next.get_untracked(), Default::default());
            }
        });
        SignInForm {
            error: Signal::derive(move || value.get().and_then(Result::err)),
            pending,
            next,
        }
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    // Created here, inside the routes, so an error from a form posted without JavaScript
    // (it comes back in the URL) shows too.
    let action = ServerAction::<Login>::new();
    let SignInForm {
        error,
        pending,
        next,
    } = SignInForm::of(action.value().into(), action.pending().into());
    view! {
        <section class="auth-card">
            <h1>"Log in"</h1>
            <p class="muted">"Welcome back. Pick up where you left off."</p>
            <ActionForm action=action attr:class="stack" attr:novalidate=true>
                <FormError error=error />
                <input type="hidden" name="next" value=move || next.get() />
                <label for="login-email">"Email"</label>
                <input id="login-email" type="email" name="email" autocomplete="email" required maxlength="254"
                    aria-invalid=field_invalid(error, "email") aria-describedby="login-email-error" />
                <FieldError error=error field="email" id="login-email-error" />
                <label for="login-password">"Password"</label>
                <input id="login-password" type="password" name="password" autocomplete="current-password" required maxlength="128"
                    aria-invalid=field_invalid(error, "password") aria-describedby="login-password-error" />
                <FieldError error=error field="password" id="login-password-error" />
                <button type="submit" class="primary" disabled=pending>
                    {move || if pending.get() { "Logging in…" } else { "Log in" }}
                </button>
            </ActionForm>
            <p class="muted">"New here? " <A href="/register">"Create an account"</A></p>
        </section>
    }
}

#[component]
pub fn RegisterPage() -> impl IntoView {
    let action = ServerAction::<Register>::new();
    let SignInForm {
        error,
        pending,
        next,
    } = SignInForm::of(action.value().into(), action.pending().into());
    // The browser's offset, so the daily AI quota resets at the user's own midnight.
    let utc_offset = use_browser_utc_offset();
    view! {
        <section class="auth-card">
            <h1>"Create your account"</h1>
            <p class="muted">"Your answers and progress are kept for you."</p>
            <ActionForm action=action attr:class="stack" attr:novalidate=true>
                <FormError error=error />
                <input type="hidden" name="utc_offset_minutes" value=move || utc_offset.get() />
                <input type="hidden" name="next" value=move || next.get() />
                <label for="reg-name">"Name " <span class="muted">"(optional)"</span></label>
                <input id="reg-name" type="text" name="display_name" autocomplete="nickname" maxlength="80"
                    aria-invalid=field_invalid(error, "display_name") aria-describedby="reg-name-error" />
                <FieldError error=error field="display_name" id="reg-name-error" />
                <label for="reg-email">"Email"</label>
                <input id="reg-email" type="email" name="email" autocomplete="email" required maxlength="254"
                    aria-invalid=field_invalid(error, "email") aria-describedby="reg-email-error" />
                <FieldError error=error field="email" id="reg-email-error" />
                <label for="reg-password">"Password"</label>
                <input id="reg-password" type="password" name="password" autocomplete="new-password" required minlength="10" maxlength="128"
                    aria-invalid=field_invalid(error, "password") aria-describedby="reg-password-hint reg-password-error" />
                <small id="reg-password-hint" class="muted">"At least 10 characters."</small>
                <FieldError error=error field="password" id="reg-password-error" />
                <button type="submit" class="primary" disabled=pending>
                    {move || if pending.get() { "Creating account…" } else { "Create account" }}
                </button>
            </ActionForm>
            <p class="muted">"Already have an account? " <A href="/login">"Log in"</A></p>
        </section>
    }
}

/// `aria-invalid` for an input: "true" while the last error is about `field`.
fn field_invalid(
    error: Signal<Option<AppError>>,
    field: &'static str,
) -> impl Fn() -> &'static str {
    move || {
        if error.with(|e| e.as_ref().and_then(|e| e.message_for(field)).is_some()) {
            "true"
        } else {
            "false"
        }
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

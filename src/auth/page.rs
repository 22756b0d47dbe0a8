//! The account pages (log in, register), the nav's user menu, and `Auth`, the app-wide
//! "who is logged in". Both forms are plain HTML forms the server answers, so they work
//! before (or without) the WebAssembly bundle; with it (each form is an island), they
//! submit in place and show errors next to the fields.
use super::api::{Login, Logout, Register};
use super::model::{after_login, after_register, AuthFailure, CurrentUser, ProviderLink};
use crate::error::AppError;
use crate::ui::{
    form_error, go_to, use_browser_time_zone, use_island_ready, FieldError, FormError, Shipped,
};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_query_map;

/// Who is logged in, read once per page the server renders.
#[derive(Clone, Copy)]
pub struct Auth {
    pub user: Resource<Result<Option<CurrentUser>, AppError>>,
}

impl Auth {
    pub fn provide() -> Self {
        let auth = Auth {
            user: Resource::new(|| (), |_| Box::pin(super::api::get_current_user())),
        };
        provide_context(auth);
        auth
    }

    pub fn get() -> Self {
        expect_context::<Auth>()
    }
}

/// What a sign-in form starts with: where to go after, and the error of a form posted
/// without JavaScript (the server sends it back in the address).
struct SignInStart {
    next: String,
    error: Option<AppError>,
}

impl SignInStart {
    /// `after`: where to go when the address names no `next`.
    fn read<S: ServerFn<Error = AppError>>(after: fn(Option<&str>) -> String) -> Self {
        let next = use_query_map().with_untracked(|q| after(q.get("next").as_deref()));
        SignInStart {
            next,
            error: form_error::<S>(),
        }
    }
}

/// A log-in or registration form in the browser: its action, its error (the first one from
/// the start, until the form is sent), whether it is on its way, and where it goes after.
/// A success loads `next`, where the server shows the signed-in user.
struct SignInForm<S: ServerFn + 'static> {
    action: ServerAction<S>,
    error: Signal<Option<AppError>>,
    pending: Signal<bool>,
    next: String,
}

impl<S> SignInForm<S>
where
    S: ServerFn<Output = CurrentUser, Error = AppError> + Clone + Send + Sync + 'static,
{
    fn start(next: String, first_error: Option<AppError>) -> Self {
        use_island_ready();
        let action = ServerAction::<S>::new();
        let target = next.clone();
        Effect::new(move |_| {
            if matches!(action.value().get(), Some(Ok(_))) {
                go_to(&target);
            }
        });
        SignInForm {
            action,
            error: Signal::derive(move || match action.value().get() {
                Some(result) => result.err(),
                None => first_error.clone(),
            }),
            pending: action.pending().into(),
            next,
        }
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let SignInStart { next, error } = SignInStart::read::<Login>(after_login);
    let providers = Resource::new(|| (), |_| Box::pin(super::api::providers()));
    let (failure, signed_out) = use_query_map().with_untracked(|q| {
        (
            q.get("auth_error")
                .and_then(|code| AuthFailure::from_code(&code)),
            q.get("signed_out").filter(|id| !id.is_empty()),
        )
    });
    let provider_next = next.clone();
    view! {
        <section class="auth-card">
            <h1>"Log in"</h1>
            <p class="muted">"Welcome back. Pick up where you left off."</p>
            <Suspense fallback=|| ()>
                {move || {
                    let next = provider_next.clone();
                    providers.get().map(|list| {
                        let list = list.unwrap_or_default();
                        let name_of = |id: &str| {
                            list.iter().find(|p| p.id == id).map_or_else(|| "The provider".to_owned(), |p| p.name.clone())
                        };
                        let provider = use_query_map().with_untracked(|q| q.get("provider")).unwrap_or_default();
                        let failure = failure.map(|f| f.message(&name_of(&provider)));
                        let signed_out = signed_out.clone().map(|id| (name_of(&id), id));
                        view! {
                            {failure.map(|m| view! { <p class="form-error" role="alert" data-testid="auth-error">{m}</p> })}
                            {signed_out.map(|(name, id)| view! {
                                <p class="notice" role="status" data-testid="signed-out">
                                    "You are signed out here. "
                                    <a href=format!("/auth/logout/{id}") data-testid="provider-logout">{format!("Also sign out of {name}")}</a>
                                </p>
                            })}
                            <ProviderButtons providers=list next />
                        }
                    })
                }}
            </Suspense>
            <LoginForm next=next first_error=Shipped(error) />
            <p class="muted">"New here? " <a href="/register">"Create an account"</a></p>
        </section>
    }
}

/// "Sign in with …" for each configured provider: plain links (the server redirects on to
/// the provider); `public/signin.js` adds the browser's time zone to them, for an account
/// the first sign-in makes.
#[component]
fn ProviderButtons(providers: Vec<ProviderLink>, next: String) -> impl IntoView {
    let any = !providers.is_empty();
    let query = format!("?next={}", crate::ui::encode_query_value(&next));
    let links = providers
        .into_iter()
        .map(|p| {
            let href = format!("/auth/login/{}{query}", p.id);
            view! { <a class="button provider" href=href data-signin-link="">{format!("Sign in with {}", p.name)}</a> }
        })
        .collect_view();
    any.then(|| {
        view! {
            <div class="stack provider-list">{links}</div>
            <p class="divider muted">"or with your email"</p>
            <script type="module" src="/signin.js" nonce=leptos::nonce::use_nonce()></script>
        }
    })
}

#[island(lazy)]
fn LoginForm(next: String, first_error: Shipped<Option<AppError>>) -> impl IntoView {
    let SignInForm {
        action,
        error,
        pending,
        next,
    } = SignInForm::<Login>::start(next, first_error.0);
    view! {
        <ActionForm action=action attr:class="stack" attr:novalidate=true>
            <FormError error=error />
            <input type="hidden" name="next" value=next />
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
    }
}

#[component]
pub fn RegisterPage() -> impl IntoView {
    let SignInStart { next, error } = SignInStart::read::<Register>(after_register);
    view! {
        <section class="auth-card">
            <h1>"Create your account"</h1>
            <p class="muted">"Your answers and progress are kept for you."</p>
            <RegisterForm next=next first_error=Shipped(error) />
            <p class="muted">"Already have an account? " <a href="/login">"Log in"</a></p>
        </section>
    }
}

#[island(lazy)]
fn RegisterForm(next: String, first_error: Shipped<Option<AppError>>) -> impl IntoView {
    let SignInForm {
        action,
        error,
        pending,
        next,
    } = SignInForm::<Register>::start(next, first_error.0);
    // The browser's offset, so the daily AI quota resets at the user's own midnight.
    let time_zone = use_browser_time_zone();
    view! {
        <ActionForm action=action attr:class="stack" attr:novalidate=true>
            <FormError error=error />
            <input type="hidden" name="time_zone" value=move || time_zone.get() />
            <input type="hidden" name="next" value=next />
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

/// The phone menu's last entry: "Log out" for a signed-in learner (the bar has no room for
/// it on a phone), else "Log in".
#[component]
pub fn MenuSignOut() -> impl IntoView {
    let auth = Auth::get();
    view! {
        <Suspense fallback=|| ()>
            {move || auth.user.get().map(|user| match user {
                Ok(Some(_)) => view! {
                    <form method="post" action=Logout::PATH class="menu-logout">
                        <button type="submit" class="link">"Log out"</button>
                    </form>
                }.into_any(),
                _ => view! { <a href="/login">"Log in"</a> }.into_any(),
            })}
        </Suspense>
    }
}

/// The right end of the nav bar: the user's name and Log out, or Log in / Sign up. Log out
/// is a plain form: the server ends the session and sends the browser to `/`.
#[component]
pub fn UserMenu() -> impl IntoView {
    let auth = Auth::get();
    view! {
        <Suspense fallback=|| view! { <span class="muted">"…"</span> }>
            {move || {
                auth.user.get().map(|user| match user {
                    Ok(Some(user)) => view! {
                        {(user.role == crate::types::Role::Admin).then(|| view! { <a href="/admin" data-testid="admin-link">"Admin"</a> })}
                        <a href="/settings" class="user-name" data-testid="user-name" title="Settings">{user.display_name}</a>
                        <form method="post" action=Logout::PATH class="inline nav-logout">
                            <button type="submit" class="link">"Log out"</button>
                        </form>
                    }.into_any(),
                    _ => view! {
                        <a href="/login" class="nav-login">"Log in"</a>
                        <a href="/register" class="button primary small">"Sign up"</a>
                    }.into_any(),
                })
            }}
        </Suspense>
    }
}

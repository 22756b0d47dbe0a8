//! The route inventory: every route and server function the app answers, with who may call
//! it, how it is protected from cross-site requests and which rate-limit class it is in.
//! The rate-limit layer reads its class from here, and a test fails when the router
//! answers a path that is not listed (or this lists one it does not answer), so a new
//! route gets a line here, not new protection code.

/// Who may call a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone; answers may still differ for a signed-in user.
    Public,
    /// A session is required: 401 without one.
    SignedIn,
    /// `Authorization: Bearer $METRICS_TOKEN` (404 when no token is configured).
    MetricsToken,
    /// An admin's session (`ADMIN_EMAILS`): 401 without a session, 403 for anyone else,
    /// checked here before the handler (which checks again).
    Admin,
    /// A signed message from another server (the Clerk webhook): 401 without a valid
    /// signature, 404 when no secret is configured.
    SignedMessage,
}

/// How a route is kept from being triggered by another site.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Csrf {
    /// `GET`: changes nothing, so nothing to forge.
    SafeMethod,
    /// Refused (403) unless the browser says the request is same-origin (`csrf_guard`).
    SameOrigin,
    /// A `GET` that a sign-in provider sends the browser to, or that sends it there: it
    /// writes only a short-lived sign-in flow bound to this browser by a cookie, and the
    /// callback changes an account or a session only after `state` (with that cookie),
    /// PKCE and the nonce verify.
    SignInRedirect,
}

/// What the shared rate limiter counts for a route (limits in `Config::limits`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RateClass {
    /// Not counted: reads and writes bounded by a session and by cheap work.
    Unlimited,
    /// Sign-in attempts per client address; each account also backs off after failures.
    SignIn,
    /// Accounts created per client address.
    Register,
    /// AI generations started per user (also: one at a time, a daily cap on attempts).
    Generate,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Page,
    ServerFn,
    /// Server-sent events.
    Stream,
    /// A file to download (a plain GET route).
    Download,
    /// A file sent up as a multipart form (a plain POST route; its own body limit).
    Upload,
    /// A plain GET route answered with a redirect (external sign-in).
    Redirect,
    /// A message from another server (a webhook).
    Webhook,
    Operations,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Route {
    pub method: &'static str,
    pub path: &'static str,
    pub kind: Kind,
    pub access: Access,
    pub csrf: Csrf,
    pub rate: RateClass,
}

const fn page(path: &'static str) -> Route {
    Route {
        method: "GET",
        path,
        kind: Kind::Page,
        access: Access::Public,
        csrf: Csrf::SafeMethod,
        rate: RateClass::Unlimited,
    }
}

const fn server_fn(path: &'static str, access: Access, rate: RateClass) -> Route {
    Route {
        method: "POST",
        path,
        kind: Kind::ServerFn,
        access,
        csrf: Csrf::SameOrigin,
        rate,
    }
}

const fn sign_in_redirect(path: &'static str, access: Access, rate: RateClass) -> Route {
    Route {
        method: "GET",
        path,
        kind: Kind::Redirect,
        access,
        csrf: Csrf::SignInRedirect,
        rate,
    }
}

const fn operations(path: &'static str, access: Access) -> Route {
    Route {
        method: "GET",
        path,
        kind: Kind::Operations,
        access,
        csrf: Csrf::SafeMethod,
        rate: RateClass::Unlimited,
    }
}

use Access::{Public, SignedIn};
use RateClass::Unlimited;

/// Pages show a sign-in prompt instead of data when signed out, so they are `Public`.
pub const ROUTES: &[Route] = &[
    page("/"),
    page("/challenge"),
    page("/history"),
    page("/topics"),
    page("/quiz"),
    page("/quiz/{id}"),
    page("/quiz/{id}/result"),
    page("/review"),
    page("/notes"),
    page("/settings"),
    page("/admin"),
    page("/wizard"),
    page("/plan"),
    page("/progress"),
    page("/login"),
    page("/register"),
    Route {
        method: "GET",
        path: "/settings/export",
        kind: Kind::Download,
        access: SignedIn,
        csrf: Csrf::SafeMethod,
        rate: Unlimited,
    },
    Route {
        method: "GET",
        path: "/settings/export.csv",
        kind: Kind::Download,
        access: SignedIn,
        csrf: Csrf::SafeMethod,
        rate: Unlimited,
    },
    Route {
        method: "POST",
        path: "/settings/import",
        kind: Kind::Upload,
        access: SignedIn,
        csrf: Csrf::SameOrigin,
        rate: Unlimited,
    },
    sign_in_redirect("/auth/login/{provider}", Public, RateClass::SignIn),
    sign_in_redirect("/auth/link/{provider}", Public, RateClass::SignIn),
    sign_in_redirect("/auth/callback/{provider}", Public, RateClass::SignIn),
    sign_in_redirect("/auth/logout/{provider}", Public, Unlimited),
    Route {
        method: "POST",
        path: "/webhooks/clerk",
        kind: Kind::Webhook,
        access: Access::SignedMessage,
        csrf: Csrf::SameOrigin,
        rate: Unlimited,
    },
    operations("/healthz", Public),
    operations("/readyz", Public),
    operations("/metrics", Access::MetricsToken),
    Route {
        method: "POST",
        path: "/api/challenge/generate",
        kind: Kind::Stream,
        access: SignedIn,
        csrf: Csrf::SameOrigin,
        rate: RateClass::Generate,
    },
    server_fn("/api/me", Public, Unlimited),
    server_fn("/api/register", Public, RateClass::Register),
    server_fn("/api/login", Public, RateClass::SignIn),
    server_fn("/api/logout", Public, Unlimited),
    server_fn("/api/topics", Public, Unlimited),
    server_fn("/api/challenge/setup", Public, Unlimited),
    server_fn("/api/challenge/current", Public, Unlimited),
    server_fn("/api/challenge/next", SignedIn, Unlimited),
    server_fn("/api/challenge/get", SignedIn, Unlimited),
    server_fn("/api/challenge/answer", SignedIn, Unlimited),
    server_fn("/api/challenge/ai-status", Public, Unlimited),
    server_fn("/api/history", SignedIn, Unlimited),
    server_fn("/api/stats", Public, Unlimited),
    server_fn("/api/topics/mine", SignedIn, Unlimited),
    server_fn("/api/topics/save", SignedIn, Unlimited),
    server_fn("/api/topics/create", SignedIn, Unlimited),
    server_fn("/api/topics/delete", SignedIn, Unlimited),
    server_fn("/api/quiz/start", SignedIn, Unlimited),
    server_fn("/api/quiz/view", SignedIn, Unlimited),
    server_fn("/api/quiz/answer", SignedIn, Unlimited),
    server_fn("/api/quiz/answered", SignedIn, Unlimited),
    server_fn("/api/quiz/pause", SignedIn, Unlimited),
    server_fn("/api/quiz/resume", SignedIn, Unlimited),
    server_fn("/api/quiz/result", SignedIn, Unlimited),
    server_fn("/api/review/queue", SignedIn, Unlimited),
    server_fn("/api/review/answer", SignedIn, Unlimited),
    server_fn("/api/review/reviewed", SignedIn, Unlimited),
    server_fn("/api/review/rate", SignedIn, Unlimited),
    server_fn("/api/review/flag", SignedIn, Unlimited),
    server_fn("/api/notes/mine", SignedIn, Unlimited),
    server_fn("/api/notes/save", SignedIn, Unlimited),
    server_fn("/api/notes/delete", SignedIn, Unlimited),
    server_fn("/api/settings/mine", SignedIn, Unlimited),
    server_fn("/api/settings/profile", SignedIn, Unlimited),
    server_fn("/api/settings/sessions/end", SignedIn, Unlimited),
    server_fn("/api/settings/sessions/end-others", SignedIn, Unlimited),
    server_fn("/api/settings/logins/unlink", SignedIn, Unlimited),
    server_fn("/api/settings/delete-account", SignedIn, Unlimited),
    server_fn("/api/auth/providers", Public, Unlimited),
    server_fn("/api/wizard/view", SignedIn, Unlimited),
    server_fn("/api/wizard/step", SignedIn, Unlimited),
    server_fn("/api/wizard/create", SignedIn, Unlimited),
    server_fn("/api/plan/dashboard", Public, Unlimited),
    server_fn("/api/plan/mine", SignedIn, Unlimited),
    server_fn("/api/plan/quiz-defaults", Public, Unlimited),
    server_fn("/api/progress", SignedIn, Unlimited),
    server_fn("/api/admin/overview", Access::Admin, Unlimited),
];

/// The inventory line for a request, if the path is one of the app's routes (static files
/// and unknown paths are not).
pub fn find(method: &str, path: &str) -> Option<&'static Route> {
    ROUTES
        .iter()
        .find(|route| route.method == method && path_matches(route.path, path))
}

/// Whether `path` is one of `pattern`'s (`{name}` stands for one non-empty segment).
fn path_matches(pattern: &str, path: &str) -> bool {
    if !pattern.contains('{') {
        return pattern == path;
    }
    let mut segments = path.split('/');
    pattern.split('/').all(|expected| match segments.next() {
        Some(segment) if expected.starts_with('{') => !segment.is_empty(),
        Some(segment) => segment == expected,
        None => false,
    }) && segments.next().is_none()
}

/// The inventory's access claims, enforced before anything reads the request: a
/// `SignedIn` route without a session cookie is 401 (whether the session is still valid is
/// the handler's check, which every such route also makes); an `Admin` route is 401
/// without a valid session and 403 for a caller who is not an admin.
pub async fn enforce_access(
    axum::extract::State(state): axum::extract::State<crate::state::AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use crate::error::AppError;
    use axum::response::IntoResponse;
    let access = find(request.method().as_str(), request.uri().path()).map(|route| route.access);
    match access {
        Some(Access::SignedIn) => {
            let cookie = crate::auth::server::session::cookie_name(&state.config);
            if crate::auth::server::session::token_from_headers(request.headers(), cookie)
                .is_none()
            {
                return AppError::Unauthorized.into_response();
            }
        }
        Some(Access::Admin) => {
            let caller = crate::auth::server::session::caller(
                &state,
                request.headers(),
                request.extensions().get(),
            )
            .await;
            match caller {
                Ok(Some(user)) if user.role == crate::types::Role::Admin => {}
                Ok(Some(_)) => return AppError::Forbidden.into_response(),
                Ok(None) => return AppError::Unauthorized.into_response(),
                Err(err) => return err.into_response(),
            }
        }
        _ => {}
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_route_with_a_parameter_matches_one_segment() {
        assert!(path_matches("/auth/callback/{provider}", "/auth/callback/github"));
        assert!(!path_matches("/auth/callback/{provider}", "/auth/callback/"));
        assert!(!path_matches("/auth/callback/{provider}", "/auth/callback/a/b"));
        assert!(!path_matches("/auth/callback/{provider}", "/auth/callbacks/a"));
        assert_eq!(
            find("GET", "/auth/callback/testidp").map(|r| r.rate),
            Some(RateClass::SignIn)
        );
        assert_eq!(find("GET", "/quiz/17").map(|r| r.kind), Some(Kind::Page));
    }
}

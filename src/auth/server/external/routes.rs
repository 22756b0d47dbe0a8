//! The sign-in routes, plain GETs the browser is sent along:
//! - `/auth/login/{provider}`: starts a sign-in, sends the browser to the provider;
//! - `/auth/link/{provider}`: the same for a signed-in user linking another login;
//! - `/auth/callback/{provider}`: where the provider sends it back; an account and a
//!   session are touched only after the flow, PKCE and (OIDC) the ID token verified;
//! - `/auth/logout/{provider}`: the provider's own logout (RP-initiated), offered after
//!   signing out here.
//!
//! Failures come back to `/login` (or the settings, for a link) as a code the page
//! turns into a message; the details are in the log.
use super::config::ProviderConfig;
use super::flow::{self, CallbackQuery, Purpose};
use super::identities;
use crate::auth::model::{after_login, AuthFailure};
use crate::auth::server::accounts::{self, Device, SessionPolicy};
use crate::auth::server::session::{self, SessionOnce};
use crate::config::Config;
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;

/// The cookie that binds a flow to the browser that started it.
fn flow_cookie_name(config: &Config) -> &'static str {
    if config.is_https() {
        "__Host-pc_auth_flow"
    } else {
        "pc_auth_flow"
    }
}

/// Where `provider` sends the browser back: exactly `PUBLIC_URL` + `/auth/callback/<id>`.
pub fn redirect_uri(config: &Config, provider: &str) -> url::Url {
    let mut url = config.public_url.clone();
    url.set_path(&format!("/auth/callback/{provider}"));
    url.set_query(None);
    url.set_fragment(None);
    url
}

fn find<'a>(config: &'a Config, id: &str) -> Option<&'a ProviderConfig> {
    config.providers.iter().find(|p| p.id == id)
}

fn see_other(location: &str, cookies: Vec<HeaderValue>) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(location) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    for cookie in cookies {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

/// Back to `page` (`/login` or `/settings`) with the failure's code.
fn failed(config: &Config, page: &str, failure: AuthFailure, provider: Option<&str>) -> Response {
    let mut location = format!("{page}?auth_error={}", failure.code());
    if let Some(id) = provider {
        location.push_str("&provider=");
        location.push_str(id);
    }
    if page == "/settings" {
        location.push_str("#logins");
    }
    see_other(&location, vec![clear_flow_cookie(config)])
}

/// Removes the flow's cookie: a callback is its flow's last use, whatever came of it.
fn clear_flow_cookie(config: &Config) -> HeaderValue {
    session::named_cookie(config, flow_cookie_name(config), "", 0)
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct StartQuery {
    next: Option<String>,
    /// The browser's IANA zone (added to the link by `public/signin.js`).
    tz: Option<String>,
}

async fn begin(state: &AppState, id: &str, purpose: Purpose, page: &str) -> Response {
    let config = &state.config;
    let Some(provider) = find(config, id) else {
        return failed(config, page, AuthFailure::UnknownProvider, None);
    };
    let redirect = redirect_uri(config, &provider.id);
    match flow::start(&state.db, &state.auth_http, provider, &redirect, purpose).await {
        Ok(started) => {
            let cookie = session::named_cookie(
                config,
                flow_cookie_name(config),
                &started.browser_token,
                flow::FLOW_LIFETIME.num_seconds(),
            );
            see_other(started.authorize_url.as_str(), vec![cookie])
        }
        Err(failure) => failed(config, page, failure, Some(&provider.id)),
    }
}

pub async fn login(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<StartQuery>,
) -> Response {
    let zone = query.tz.filter(|tz| tz.len() <= 64);
    let purpose = Purpose {
        link_user: None,
        next: after_login(query.next.as_deref()),
        time_zone: zone,
    };
    begin(&state, &id, purpose, "/login").await
}

pub async fn link(
    State(state): State<AppState>,
    Path(id): Path<String>,
    once: Option<Extension<SessionOnce>>,
    headers: HeaderMap,
) -> Response {
    let user = match session::caller(&state, &headers, once.as_deref()).await {
        Ok(Some(user)) => user,
        Ok(None) => return failed(&state.config, "/login", AuthFailure::NotSignedIn, None),
        Err(err) => return err.into_response(),
    };
    let purpose = Purpose {
        link_user: Some(user.id),
        next: "/settings".to_owned(),
        time_zone: None,
    };
    begin(&state, &id, purpose, "/settings").await
}

pub async fn callback(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<CallbackQuery>,
    once: Option<Extension<SessionOnce>>,
    headers: HeaderMap,
) -> Response {
    let config = &state.config;
    let Some(provider) = find(config, &id) else {
        return failed(config, "/login", AuthFailure::UnknownProvider, None);
    };
    let browser = session::token_from_headers(&headers, flow_cookie_name(config));
    let redirect = redirect_uri(config, &provider.id);
    let finished = match flow::finish(
        &state.db,
        &state.auth_http,
        provider,
        &redirect,
        &query,
        browser.as_deref(),
    )
    .await
    {
        Ok(finished) => finished,
        Err(failure) => return failed(config, "/login", failure, Some(&provider.id)),
    };
    let clear_flow = clear_flow_cookie(config);

    if let Some(link_user) = finished.link_user {
        let caller = session::caller(&state, &headers, once.as_deref()).await;
        if !matches!(&caller, Ok(Some(user)) if user.id == link_user) {
            return failed(
                config,
                "/login",
                AuthFailure::NotSignedIn,
                Some(&provider.id),
            );
        }
        return match identities::link(&state.db, link_user, &provider.id, &finished.profile).await {
            Ok(()) => see_other(
                &format!("/settings?linked={}#logins", provider.id),
                vec![clear_flow],
            ),
            Err(failure) => failed(config, "/settings", failure, Some(&provider.id)),
        };
    }

    let signed_in = async {
        let mut user = identities::sign_in(
            &state.db,
            &provider.id,
            &finished.profile,
            finished.time_zone.as_deref(),
        )
        .await?;
        let internal = |err: crate::error::AppError| {
            tracing::error!(error = %err, "external sign-in: cannot start the session");
            AuthFailure::Internal
        };
        accounts::grant_listed_admin(&state.db, &mut user, &config.admin_emails)
            .await
            .map_err(internal)?;
        // A new session id at every sign-in; the one the browser had (if any) ends.
        session::end_previous(&state, &headers)
            .await
            .map_err(internal)?;
        accounts::create_session_via(
            &state.db,
            user.id,
            SessionPolicy::of(config),
            &Device::of_headers(&headers),
            Some(&provider.id),
        )
        .await
        .map_err(internal)
    }
    .await;
    match signed_in {
        Ok(token) => see_other(
            &finished.next,
            vec![clear_flow, session::session_cookie(config, &token)],
        ),
        Err(failure) => failed(config, "/login", failure, Some(&provider.id)),
    }
}

/// Sends the browser to the provider's logout, which comes back to `/login`.
pub async fn provider_logout(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let config = &state.config;
    let Some(provider) = find(config, &id) else {
        return see_other("/login", Vec::new());
    };
    let mut after = config.public_url.clone();
    after.set_path("/login");
    after.set_query(None);
    match flow::end_session_url(&state.auth_http, provider, &after).await {
        Some(url) => see_other(url.as_str(), Vec::new()),
        None => failed(
            config,
            "/login",
            AuthFailure::Unavailable,
            Some(&provider.id),
        ),
    }
}

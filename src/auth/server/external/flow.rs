//! One sign-in at a provider, from the redirect there to the profile it vouches for.
//!
//! `start` stores the flow (the hash of its `state`, the PKCE verifier, the nonce, the
//! hash of a cookie that binds it to this browser) and returns the provider's address.
//! `finish` takes the flow with the callback's `state` (deleting it, so a second callback
//! finds nothing), checks it belongs to this browser, and only then talks to the
//! provider: the code with the PKCE verifier for tokens, and for OpenID Connect the ID
//! token verified against the provider's keys (signature, issuer, audience, expiry,
//! nonce). Nothing of an account is touched here.
use super::config::{ProviderConfig, ProviderKind};
use crate::auth::model::AuthFailure;
use crate::auth::server::accounts::{hash_token, random_token};
use crate::entities::auth_flow;
use crate::types::UserId;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreGenderClaim};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, EmptyAdditionalClaims, IssuerUrl, Nonce,
    PkceCodeChallenge, PkceCodeVerifier, ProviderMetadataWithLogout, RedirectUrl, Scope,
    TokenResponse,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
};
use url::Url;

/// How long a sign-in may stay at the provider.
pub const FLOW_LIFETIME: chrono::Duration = chrono::Duration::minutes(10);

/// What the provider vouches for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExternalProfile {
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub name: Option<String>,
}

/// A flow just started: where to send the browser, and the cookie that binds it.
pub struct Started {
    pub authorize_url: Url,
    pub browser_token: String,
}

/// What the flow was started for.
pub struct Purpose {
    /// A signed-in user linking this provider to their account.
    pub link_user: Option<UserId>,
    /// Where to go afterwards (a local path).
    pub next: String,
    /// The browser's IANA zone, for an account the flow creates.
    pub time_zone: Option<String>,
}

/// What `finish` hands back besides the profile.
pub struct Finished {
    pub profile: ExternalProfile,
    pub link_user: Option<UserId>,
    pub next: String,
    pub time_zone: Option<String>,
}

/// The callback's query, as the provider sends it.
#[derive(Debug, Default, serde::Deserialize)]
pub struct CallbackQuery {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
    /// RFC 9207: the issuer that answered (checked when present).
    pub iss: Option<String>,
}

async fn discover(
    http: &reqwest::Client,
    issuer: &str,
) -> Result<ProviderMetadataWithLogout, AuthFailure> {
    let issuer = IssuerUrl::new(issuer.to_owned()).map_err(|_| AuthFailure::Unavailable)?;
    ProviderMetadataWithLogout::discover_async(issuer, http)
        .await
        .map_err(|err| {
            tracing::warn!(error = %err, "OpenID Connect discovery failed");
            AuthFailure::Unavailable
        })
}

/// The OpenID Connect client of `provider`, as its discovery document describes it.
type OidcClient = CoreClient<
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointMaybeSet,
    openidconnect::EndpointMaybeSet,
>;

fn oidc_client(
    metadata: ProviderMetadataWithLogout,
    provider: &ProviderConfig,
    redirect: &Url,
) -> OidcClient {
    CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(provider.client_id.clone()),
        Some(ClientSecret::new(
            provider.client_secret.expose().to_owned(),
        )),
    )
    .set_redirect_uri(RedirectUrl::from_url(redirect.clone()))
}

/// Starts a sign-in at `provider`; the flow is stored before the browser leaves.
pub async fn start(
    db: &DatabaseConnection,
    http: &reqwest::Client,
    provider: &ProviderConfig,
    redirect: &Url,
    purpose: Purpose,
) -> Result<Started, AuthFailure> {
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let scopes = provider.scopes.iter().map(|s| Scope::new(s.clone()));
    let (authorize_url, state, nonce) = match &provider.kind {
        ProviderKind::Oidc { issuer } => {
            let metadata = discover(http, issuer).await?;
            let client = oidc_client(metadata, provider, redirect);
            let (url, state, nonce) = client
                .authorize_url(
                    CoreAuthenticationFlow::AuthorizationCode,
                    CsrfToken::new_random,
                    Nonce::new_random,
                )
                .add_scopes(scopes)
                .set_pkce_challenge(challenge)
                .url();
            (url, state, Some(nonce.secret().clone()))
        }
        ProviderKind::OAuth2(endpoints) => {
            let client = oauth2_client(
                provider,
                &endpoints.auth_url,
                &endpoints.token_url,
                redirect,
            );
            let (url, state) = client
                .authorize_url(CsrfToken::new_random)
                .add_scopes(scopes)
                .set_pkce_challenge(challenge)
                .url();
            (url, state, None)
        }
    };
    let browser_token = random_token();
    auth_flow::ActiveModel {
        state_hash: Set(hash_token(state.secret())),
        browser_hash: Set(hash_token(&browser_token)),
        provider: Set(provider.id.clone()),
        pkce_verifier: Set(verifier.secret().clone()),
        nonce: Set(nonce),
        link_user_id: Set(purpose.link_user.map(|u| u.0)),
        next: Set(purpose.next),
        time_zone: Set(purpose.time_zone),
        expires_at: Set(chrono::Utc::now() + FLOW_LIFETIME),
    }
    .insert(db)
    .await
    .map_err(|err| {
        tracing::error!(error = %err, "cannot store a sign-in flow");
        AuthFailure::Internal
    })?;
    Ok(Started {
        authorize_url,
        browser_token,
    })
}

type OAuth2Client = oauth2::basic::BasicClient<
    oauth2::EndpointSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointSet,
>;

fn oauth2_client(
    provider: &ProviderConfig,
    auth_url: &Url,
    token_url: &Url,
    redirect: &Url,
) -> OAuth2Client {
    oauth2::basic::BasicClient::new(oauth2::ClientId::new(provider.client_id.clone()))
        .set_client_secret(oauth2::ClientSecret::new(
            provider.client_secret.expose().to_owned(),
        ))
        .set_auth_uri(oauth2::AuthUrl::from_url(auth_url.clone()))
        .set_token_uri(oauth2::TokenUrl::from_url(token_url.clone()))
        .set_redirect_uri(oauth2::RedirectUrl::from_url(redirect.clone()))
}

/// Takes the flow the callback names (it is gone afterwards, whatever follows), if it is
/// this provider's, this browser's and still live.
async fn take_flow(
    db: &DatabaseConnection,
    provider: &ProviderConfig,
    state: Option<&str>,
    browser_token: Option<&str>,
) -> Result<auth_flow::Model, AuthFailure> {
    let state = state
        .filter(|s| !s.is_empty() && s.len() <= 512)
        .ok_or(AuthFailure::State)?;
    // One DELETE … RETURNING: only the request that deletes the row goes on, so a second
    // callback (or a second instance racing this one) finds nothing to take.
    let flow = auth_flow::Entity::delete_by_id(hash_token(state))
        .exec_with_returning(db)
        .await
        .map_err(|err| {
            tracing::error!(error = %err, "cannot take a sign-in flow");
            AuthFailure::Internal
        })?
        .ok_or(AuthFailure::State)?;
    let this_browser = browser_token.is_some_and(|token| hash_token(token) == flow.browser_hash);
    if flow.provider != provider.id || !this_browser || flow.expires_at <= chrono::Utc::now() {
        return Err(AuthFailure::State);
    }
    Ok(flow)
}

/// Completes a sign-in: the flow first, then the provider's answer, then its tokens.
pub async fn finish(
    db: &DatabaseConnection,
    http: &reqwest::Client,
    provider: &ProviderConfig,
    redirect: &Url,
    query: &CallbackQuery,
    browser_token: Option<&str>,
) -> Result<Finished, AuthFailure> {
    let flow = take_flow(db, provider, query.state.as_deref(), browser_token).await?;
    if let Some(error) = &query.error {
        tracing::info!(
            provider = %provider.id,
            error = %error.chars().take(64).collect::<String>(),
            description = %query.error_description.as_deref().unwrap_or("").chars().take(200).collect::<String>(),
            "the provider answered the sign-in with an error"
        );
        return Err(if error == "access_denied" {
            AuthFailure::Cancelled
        } else {
            AuthFailure::Provider
        });
    }
    let code = query
        .code
        .as_deref()
        .filter(|c| !c.is_empty() && c.len() <= 2048)
        .ok_or(AuthFailure::Provider)?;
    let verifier = PkceCodeVerifier::new(flow.pkce_verifier.clone());
    let profile = match &provider.kind {
        ProviderKind::Oidc { issuer } => {
            let nonce = Nonce::new(flow.nonce.clone().ok_or(AuthFailure::State)?);
            oidc_profile(
                http, provider, issuer, redirect, query, code, verifier, &nonce,
            )
            .await?
        }
        ProviderKind::OAuth2(endpoints) => {
            let client = oauth2_client(
                provider,
                &endpoints.auth_url,
                &endpoints.token_url,
                redirect,
            );
            let token = client
                .exchange_code(oauth2::AuthorizationCode::new(code.to_owned()))
                .set_pkce_verifier(verifier)
                .request_async(http)
                .await
                .map_err(|err| exchange_failed(provider, &err))?;
            let access = oauth2::TokenResponse::access_token(&token).secret();
            super::userinfo::read(
                http,
                &endpoints.userinfo_url,
                endpoints.emails_url.as_ref(),
                access,
            )
            .await?
        }
    };
    Ok(Finished {
        profile,
        link_user: flow.link_user_id.map(UserId),
        next: flow.next,
        time_zone: flow.time_zone,
    })
}

fn exchange_failed(provider: &ProviderConfig, err: &dyn std::error::Error) -> AuthFailure {
    tracing::warn!(provider = %provider.id, error = %err, "the provider refused the code");
    AuthFailure::Exchange
}

#[allow(clippy::too_many_arguments)]
async fn oidc_profile(
    http: &reqwest::Client,
    provider: &ProviderConfig,
    issuer: &str,
    redirect: &Url,
    query: &CallbackQuery,
    code: &str,
    verifier: PkceCodeVerifier,
    nonce: &Nonce,
) -> Result<ExternalProfile, AuthFailure> {
    let metadata = discover(http, issuer).await?;
    if let Some(iss) = &query.iss {
        if iss != metadata.issuer().as_str() {
            tracing::warn!(provider = %provider.id, "the callback names another issuer");
            return Err(AuthFailure::Verification);
        }
    }
    let client = oidc_client(metadata, provider, redirect);
    let tokens = client
        .exchange_code(AuthorizationCode::new(code.to_owned()))
        .map_err(|_| AuthFailure::Unavailable)?
        .set_pkce_verifier(verifier)
        .request_async(http)
        .await
        .map_err(|err| exchange_failed(provider, &err))?;
    let id_token = tokens.id_token().ok_or_else(|| {
        tracing::warn!(provider = %provider.id, "the token response has no ID token");
        AuthFailure::Verification
    })?;
    let claims: &openidconnect::IdTokenClaims<EmptyAdditionalClaims, CoreGenderClaim> = id_token
        .claims(&client.id_token_verifier(), nonce)
        .map_err(|err| {
            tracing::warn!(provider = %provider.id, error = %err, "ID token refused");
            AuthFailure::Verification
        })?;
    Ok(ExternalProfile {
        subject: claims.subject().as_str().to_owned(),
        email: claims.email().map(|e| e.as_str().to_owned()),
        email_verified: claims.email_verified() == Some(true),
        name: claims
            .name()
            .and_then(|n| n.get(None))
            .map(|n| n.as_str().to_owned()),
    })
}

/// Where the provider ends its own session (RP-initiated logout), if it says so.
pub async fn end_session_url(
    http: &reqwest::Client,
    provider: &ProviderConfig,
    after: &Url,
) -> Option<Url> {
    let ProviderKind::Oidc { issuer } = &provider.kind else {
        return None;
    };
    let metadata = discover(http, issuer).await.ok()?;
    let mut url = metadata
        .additional_metadata()
        .end_session_endpoint
        .as_ref()?
        .url()
        .clone();
    url.query_pairs_mut()
        .append_pair("client_id", &provider.client_id)
        .append_pair("post_logout_redirect_uri", after.as_str());
    Some(url)
}

/// Deletes flows that never came back.
pub async fn delete_expired(
    db: &DatabaseConnection,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<u64, sea_orm::DbErr> {
    Ok(auth_flow::Entity::delete_many()
        .filter(auth_flow::Column::ExpiresAt.lte(now))
        .exec(db)
        .await?
        .rows_affected)
}

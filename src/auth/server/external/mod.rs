//! Sign-in through external providers: OpenID Connect (discovery, code + PKCE + state +
//! nonce, the ID token verified against the provider's keys) and plain OAuth2 (GitHub
//! style: code + PKCE → token → userinfo). Providers come from the configuration
//! (`config`); a flow is stored between the redirect and the callback (`flow`); a
//! profile becomes an account, or is linked to one (`identities`); the HTTP routes are in
//! `routes`.
mod config;
pub mod flow;
pub mod identities;
pub mod routes;
mod userinfo;

pub use config::{ProviderConfig, ProviderKind};

/// The HTTP client that talks to providers: it follows no redirects (a provider's answer
/// is taken as it is), and gives up after 10 s.
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(std::time::Duration::from_secs(5))
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .expect("the TLS backend initialises")
}

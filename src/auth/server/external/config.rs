//! The external providers, from the environment: `AUTH_PROVIDERS` lists their ids, and
//! each id's variables (`AUTH_<ID>_…`) say what it is. An `ISSUER` makes it OpenID
//! Connect (discovery, ID token); an `AUTH_URL` + `TOKEN_URL` + `USERINFO_URL` makes it
//! plain OAuth2 (GitHub style). Checked at start: a missing or malformed value stops the
//! app with the variable's name.
use crate::config::{ConfigError, Secret};
use url::Url;

#[derive(Clone, Debug)]
pub enum ProviderKind {
    /// OpenID Connect: endpoints and keys from the issuer's discovery document. The issuer
    /// is kept as written: it must equal the `issuer` the provider states, character for
    /// character (a trailing `/` included).
    Oidc { issuer: String },
    /// Plain OAuth2: the code is exchanged for an access token that reads the user.
    OAuth2(Box<OAuth2Endpoints>),
}

#[derive(Clone, Debug)]
pub struct OAuth2Endpoints {
    pub auth_url: Url,
    pub token_url: Url,
    pub userinfo_url: Url,
    /// GitHub's `/user/emails`: where a verified primary email is found.
    pub emails_url: Option<Url>,
}

#[derive(Clone, Debug)]
pub struct ProviderConfig {
    /// In URLs and stored with each identity: lower-case letters, digits and `-`.
    pub id: String,
    /// "Sign in with {name}".
    pub name: String,
    pub kind: ProviderKind,
    pub client_id: String,
    pub client_secret: Secret,
    pub scopes: Vec<String>,
}

impl ProviderConfig {
    /// How the login page and the settings offer it.
    pub fn link(&self) -> crate::auth::model::ProviderLink {
        crate::auth::model::ProviderLink {
            id: self.id.clone(),
            name: self.name.clone(),
        }
    }

    pub fn is_oidc(&self) -> bool {
        matches!(self.kind, ProviderKind::Oidc { .. })
    }

    /// Every provider `AUTH_PROVIDERS` names (none when it is unset).
    pub fn all_from(lookup: &impl Fn(&str) -> Option<String>) -> Result<Vec<Self>, ConfigError> {
        let listed = lookup("AUTH_PROVIDERS").unwrap_or_default();
        let mut providers: Vec<ProviderConfig> = Vec::new();
        for id in listed.split(',').map(str::trim).filter(|id| !id.is_empty()) {
            let valid = id.len() <= 40
                && id
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            if !valid {
                return Err(ConfigError::shown(
                    "AUTH_PROVIDERS",
                    &listed,
                    format!(
                        "`{id}`: a provider id is lower-case letters, digits and `-` (at most 40)"
                    ),
                ));
            }
            if listed.split(',').filter(|other| other.trim() == id).count() > 1 {
                return Err(ConfigError::shown(
                    "AUTH_PROVIDERS",
                    &listed,
                    format!("`{id}` is listed twice"),
                ));
            }
            providers.push(Self::one(id, lookup)?);
        }
        Ok(providers)
    }

    fn one(id: &str, lookup: &impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let prefix = format!("AUTH_{}_", id.to_ascii_uppercase().replace('-', "_"));
        let var = |suffix: &str| format!("{prefix}{suffix}");
        let value = |suffix: &str| {
            lookup(&var(suffix))
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let url = |suffix: &str| -> Result<Option<Url>, ConfigError> {
            let Some(raw) = value(suffix) else {
                return Ok(None);
            };
            let parsed = Url::parse(&raw)
                .map_err(|e| ConfigError::shown(var(suffix), &raw, format!("not a URL ({e})")))?;
            if !matches!(parsed.scheme(), "http" | "https") {
                return Err(ConfigError::shown(
                    var(suffix),
                    &raw,
                    "expected an http:// or https:// URL",
                ));
            }
            Ok(Some(parsed))
        };
        let required = |suffix: &str, what: &str| {
            value(suffix)
                .ok_or_else(|| ConfigError::hidden(var(suffix), format!("must be set: {what}")))
        };
        let issuer = url("ISSUER")?.and(value("ISSUER"));
        let endpoints = (url("AUTH_URL")?, url("TOKEN_URL")?, url("USERINFO_URL")?);
        let kind = match (issuer, endpoints) {
            (Some(issuer), (None, None, None)) => ProviderKind::Oidc { issuer },
            (None, (Some(auth_url), Some(token_url), Some(userinfo_url))) => {
                ProviderKind::OAuth2(Box::new(OAuth2Endpoints {
                    auth_url,
                    token_url,
                    userinfo_url,
                    emails_url: url("EMAILS_URL")?,
                }))
            }
            (Some(_), _) => {
                return Err(ConfigError::hidden(
                    var("ISSUER"),
                    "give either an issuer (OpenID Connect) or AUTH_URL, TOKEN_URL and USERINFO_URL (OAuth2), not both",
                ))
            }
            (None, _) => {
                return Err(ConfigError::hidden(
                    var("ISSUER"),
                    "must be set (OpenID Connect), or else AUTH_URL, TOKEN_URL and USERINFO_URL (OAuth2)",
                ))
            }
        };
        let default_scopes = if matches!(kind, ProviderKind::Oidc { .. }) {
            "openid email profile"
        } else {
            ""
        };
        let mut scopes: Vec<String> = value("SCOPES")
            .unwrap_or_else(|| default_scopes.to_owned())
            .split([' ', ','])
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        // The OIDC client adds `openid` itself.
        scopes.retain(|s| !(s == "openid" && matches!(kind, ProviderKind::Oidc { .. })));
        Ok(ProviderConfig {
            id: id.to_owned(),
            name: value("NAME").unwrap_or_else(|| id.to_owned()),
            kind,
            client_id: required("CLIENT_ID", "the client id the provider gave this app")?,
            client_secret: Secret::new(required(
                "CLIENT_SECRET",
                "the client secret the provider gave this app",
            )?),
            scopes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn providers(vars: &[(&str, &str)]) -> Result<Vec<ProviderConfig>, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        ProviderConfig::all_from(&|name: &str| map.get(name).cloned())
    }

    #[test]
    fn none_without_the_list() {
        assert!(providers(&[]).unwrap().is_empty());
    }

    #[test]
    fn oidc_and_oauth2_providers_are_read_with_their_defaults() {
        let list = providers(&[
            ("AUTH_PROVIDERS", "keycloak, github"),
            ("AUTH_KEYCLOAK_ISSUER", "https://sso.example/realms/main"),
            ("AUTH_KEYCLOAK_CLIENT_ID", "pc"),
            ("AUTH_KEYCLOAK_CLIENT_SECRET", "s3cret-value"),
            ("AUTH_GITHUB_NAME", "GitHub"),
            (
                "AUTH_GITHUB_AUTH_URL",
                "https://github.com/login/oauth/authorize",
            ),
            (
                "AUTH_GITHUB_TOKEN_URL",
                "https://github.com/login/oauth/access_token",
            ),
            ("AUTH_GITHUB_USERINFO_URL", "https://api.github.com/user"),
            (
                "AUTH_GITHUB_EMAILS_URL",
                "https://api.github.com/user/emails",
            ),
            ("AUTH_GITHUB_SCOPES", "read:user user:email"),
            ("AUTH_GITHUB_CLIENT_ID", "gh"),
            ("AUTH_GITHUB_CLIENT_SECRET", "gh-secret"),
        ])
        .unwrap();
        assert_eq!(list.len(), 2);
        assert!(list[0].is_oidc());
        assert_eq!(list[0].name, "keycloak");
        assert_eq!(list[0].scopes, ["email", "profile"]);
        assert!(!list[1].is_oidc());
        assert_eq!(list[1].scopes, ["read:user", "user:email"]);
        assert!(
            !format!("{list:?}").contains("s3cret-value"),
            "secrets never reach logs"
        );
    }

    #[test]
    fn mistakes_name_the_variable() {
        for (vars, name) in [
            (vec![("AUTH_PROVIDERS", "Bad Id")], "AUTH_PROVIDERS"),
            (vec![("AUTH_PROVIDERS", "x,x")], "AUTH_PROVIDERS"),
            (vec![("AUTH_PROVIDERS", "x")], "AUTH_X_ISSUER"),
            (
                vec![("AUTH_PROVIDERS", "x"), ("AUTH_X_ISSUER", "ftp://x")],
                "AUTH_X_ISSUER",
            ),
            (
                vec![
                    ("AUTH_PROVIDERS", "x"),
                    ("AUTH_X_ISSUER", "https://x.example"),
                ],
                "AUTH_X_CLIENT_ID",
            ),
            (
                vec![
                    ("AUTH_PROVIDERS", "x"),
                    ("AUTH_X_ISSUER", "https://x.example"),
                    ("AUTH_X_CLIENT_ID", "id"),
                ],
                "AUTH_X_CLIENT_SECRET",
            ),
            (
                vec![
                    ("AUTH_PROVIDERS", "my-idp"),
                    ("AUTH_MY_IDP_AUTH_URL", "https://x.example/a"),
                ],
                "AUTH_MY_IDP_ISSUER",
            ),
        ] {
            let err = providers(&vars).unwrap_err().to_string();
            assert!(err.contains(name), "{vars:?}: {err}");
        }
    }
}

//! Plain OAuth2 (GitHub style): who the access token belongs to, from the userinfo
//! endpoint, and whether their email is verified (its `email_verified`, or a verified
//! primary address at the emails endpoint; otherwise it is not).
use super::flow::ExternalProfile;
use crate::auth::model::AuthFailure;
use serde_json::Value;
use url::Url;

/// Largest userinfo or emails answer read.
const MAX_BYTES: usize = 256 * 1024;

async fn get_json(http: &reqwest::Client, url: &Url, token: &str) -> Result<Value, AuthFailure> {
    let unavailable = |err: &dyn std::fmt::Display| {
        tracing::warn!(url = %url, error = %err, "the provider's user endpoint failed");
        AuthFailure::Unavailable
    };
    let response = http
        .get(url.clone())
        .bearer_auth(token)
        .header(reqwest::header::ACCEPT, "application/json")
        .header(reqwest::header::USER_AGENT, "PromptedCode")
        .send()
        .await
        .map_err(|e| unavailable(&e))?;
    if !response.status().is_success() {
        return Err(unavailable(&response.status()));
    }
    let body = response.bytes().await.map_err(|e| unavailable(&e))?;
    if body.len() > MAX_BYTES {
        return Err(AuthFailure::Verification);
    }
    serde_json::from_slice(&body).map_err(|e| {
        tracing::warn!(error = %e, "the provider's user endpoint answered no JSON");
        AuthFailure::Verification
    })
}

/// The profile from a userinfo document (`sub`, or GitHub's numeric `id`).
pub fn profile_of(user: &Value) -> Result<ExternalProfile, AuthFailure> {
    let subject = match (user.get("sub"), user.get("id")) {
        (Some(Value::String(sub)), _) => sub.clone(),
        (_, Some(Value::Number(id))) => id.to_string(),
        (_, Some(Value::String(id))) => id.clone(),
        _ => return Err(AuthFailure::Verification),
    };
    if subject.is_empty() || subject.len() > 255 {
        return Err(AuthFailure::Verification);
    }
    let text = |key: &str| user.get(key).and_then(Value::as_str).map(str::to_owned);
    Ok(ExternalProfile {
        subject,
        email: text("email"),
        email_verified: user.get("email_verified").and_then(Value::as_bool) == Some(true),
        name: text("name").or_else(|| text("login")),
    })
}

/// The verified primary address from GitHub's `/user/emails` list, if there is one.
pub fn verified_primary(emails: &Value) -> Option<String> {
    emails.as_array()?.iter().find_map(|entry| {
        let yes = |key: &str| entry.get(key).and_then(Value::as_bool) == Some(true);
        (yes("primary") && yes("verified"))
            .then(|| {
                entry
                    .get("email")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            })
            .flatten()
    })
}

pub async fn read(
    http: &reqwest::Client,
    userinfo: &Url,
    emails: Option<&Url>,
    token: &str,
) -> Result<ExternalProfile, AuthFailure> {
    let mut profile = profile_of(&get_json(http, userinfo, token).await?)?;
    if !profile.email_verified {
        if let Some(emails) = emails {
            if let Some(email) = verified_primary(&get_json(http, emails, token).await?) {
                profile.email = Some(email);
                profile.email_verified = true;
            }
        }
    }
    Ok(profile)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn github_users_and_oidc_userinfo_are_read() {
        let github = profile_of(&json!({"id": 583231, "login": "octocat", "email": null})).unwrap();
        assert_eq!(github.subject, "583231");
        assert_eq!(github.name.as_deref(), Some("octocat"));
        assert!(!github.email_verified && github.email.is_none());
        let oidc = profile_of(
            &json!({"sub": "u1", "email": "a@b.test", "email_verified": true, "name": "A"}),
        )
        .unwrap();
        assert!(oidc.email_verified);
        assert_eq!(
            profile_of(&json!({"login": "x"})),
            Err(AuthFailure::Verification)
        );
    }

    #[test]
    fn only_a_verified_primary_email_counts() {
        let emails = json!([
            {"email": "old@x.test", "primary": false, "verified": true},
            {"email": "main@x.test", "primary": true, "verified": false},
        ]);
        assert_eq!(verified_primary(&emails), None);
        let emails = json!([{"email": "main@x.test", "primary": true, "verified": true}]);
        assert_eq!(verified_primary(&emails).as_deref(), Some("main@x.test"));
    }
}

//! `POST /webhooks/clerk`: Clerk's user-sync webhook, signed the Svix way.
//!
//! The signature is an HMAC-SHA256, keyed with the secret (`whsec_<base64>`), over
//! `{svix-id}.{svix-timestamp}.{body}`; `svix-signature` lists one or more `v1,<base64>`
//! (several while a secret rotates). A timestamp more than 5 minutes off is refused (400)
//! before the signature (401) is checked, and a message id already handled is answered
//! 200 and changes nothing. `user.created` / `user.updated` make or update the account
//! of the Clerk user (its identity is provider `clerk`, subject the Clerk user id, the
//! same an OIDC provider named `clerk` signs in with), `user.deleted` deletes it.
use super::external::flow::ExternalProfile;
use crate::auth::model::AuthFailure;
use crate::entities::{user, user_identity, webhook_event};
use crate::error::AppError;
use crate::state::AppState;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use hmac::{Hmac, Mac};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, TransactionTrait,
};
use serde_json::Value;

/// The identity provider id of users synced by this webhook.
pub const PROVIDER: &str = "clerk";
/// How far a message's timestamp may be from now, either way.
pub const TOLERANCE_SECS: i64 = 5 * 60;

/// The webhook's signing secret, decoded.
#[derive(Clone)]
pub struct SigningKey(Vec<u8>);

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

impl SigningKey {
    /// `whsec_<base64>`, as Clerk's dashboard shows it (the prefix may be left off).
    pub fn parse(secret: &str) -> Result<Self, String> {
        let encoded = secret.strip_prefix("whsec_").unwrap_or(secret);
        let key = base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .map_err(|_| "expected whsec_ and base64, as the dashboard shows it".to_owned())?;
        if key.len() < 16 {
            return Err("the key is too short (at least 16 bytes)".into());
        }
        Ok(SigningKey(key))
    }

    fn mac(&self, id: &str, timestamp: &str, body: &[u8]) -> Hmac<sha2::Sha256> {
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&self.0).expect("HMAC takes any key");
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.as_bytes());
        mac.update(b".");
        mac.update(body);
        mac
    }

    /// `v1,<base64>` for a message (what a sender puts in `svix-signature`).
    pub fn sign(&self, id: &str, timestamp: &str, body: &[u8]) -> String {
        let tag = self.mac(id, timestamp, body).finalize().into_bytes();
        format!(
            "v1,{}",
            base64::engine::general_purpose::STANDARD.encode(tag)
        )
    }

    /// Whether one of the listed `v1` signatures is this message's (compared in constant
    /// time).
    pub fn verify(&self, id: &str, timestamp: &str, body: &[u8], signatures: &str) -> bool {
        signatures.split(' ').any(|entry| {
            let Some(("v1", encoded)) = entry.split_once(',') else {
                return false;
            };
            let Ok(given) = base64::engine::general_purpose::STANDARD.decode(encoded) else {
                return false;
            };
            self.mac(id, timestamp, body).verify_slice(&given).is_ok()
        })
    }
}

/// A message whose headers, timestamp and signature checked out.
pub struct Verified<'a> {
    pub id: &'a str,
    pub event: Value,
}

/// Checks the Svix headers of a message against `key` at `now` (Unix seconds).
pub fn verify<'a>(
    key: &SigningKey,
    headers: &'a HeaderMap,
    body: &[u8],
    now: i64,
) -> Result<Verified<'a>, AppError> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty())
            .ok_or_else(|| AppError::BadRequest(format!("The `{name}` header is missing.")))
    };
    let (id, timestamp, signatures) = (
        header("svix-id")?,
        header("svix-timestamp")?,
        header("svix-signature")?,
    );
    if id.len() > 128 {
        return Err(AppError::BadRequest(
            "The `svix-id` header is too long.".into(),
        ));
    }
    let sent: i64 = timestamp
        .parse()
        .map_err(|_| AppError::BadRequest("`svix-timestamp` is not a Unix time.".into()))?;
    if (now - sent).abs() > TOLERANCE_SECS {
        return Err(AppError::BadRequest(
            "The message's timestamp is more than 5 minutes from now.".into(),
        ));
    }
    if !key.verify(id, timestamp, body, signatures) {
        return Err(AppError::Unauthorized);
    }
    let event = serde_json::from_slice(body)
        .map_err(|_| AppError::BadRequest("The body is not JSON.".into()))?;
    Ok(Verified { id, event })
}

/// A Clerk user object as the account it maps to.
fn profile_of(data: &Value) -> Result<ExternalProfile, AppError> {
    let text = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).map(str::to_owned);
    let subject = text(data, "id")
        .filter(|id| !id.is_empty() && id.len() <= 255)
        .ok_or_else(|| AppError::invalid("data.id", "The user has no id."))?;
    let primary = text(data, "primary_email_address_id");
    let address = data
        .get("email_addresses")
        .and_then(Value::as_array)
        .and_then(|list| list.iter().find(|a| text(a, "id") == primary));
    let email = address.and_then(|a| text(a, "email_address"));
    let email_verified = address
        .and_then(|a| a.get("verification"))
        .and_then(|v| text(v, "status"))
        .is_some_and(|status| status == "verified");
    let full_name = [text(data, "first_name"), text(data, "last_name")]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let name = Some(full_name)
        .filter(|n| !n.trim().is_empty())
        .or_else(|| text(data, "username"));
    Ok(ExternalProfile {
        subject,
        email,
        email_verified,
        name,
    })
}

/// What a handled message did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Applied,
    /// Its id was handled before.
    Duplicate,
    /// An event this app does not sync, a user it does not know, or one it cannot make
    /// (no verified email).
    Ignored,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Outcome::Applied => "applied",
            Outcome::Duplicate => "duplicate",
            Outcome::Ignored => "ignored",
        }
    }
}

fn from_failure(failure: AuthFailure) -> Result<Outcome, AppError> {
    match failure {
        AuthFailure::NoEmail | AuthFailure::UnverifiedEmail | AuthFailure::AlreadyLinked => {
            Ok(Outcome::Ignored)
        }
        _ => Err(AppError::Internal),
    }
}

/// Applies one verified message, and records its id, in one transaction.
pub async fn apply(
    db: &sea_orm::DatabaseConnection,
    message: &Verified<'_>,
) -> Result<Outcome, AppError> {
    let txn = db.begin().await?;
    let recorded = webhook_event::ActiveModel {
        id: Set(message.id.to_owned()),
        received_at: Set(chrono::Utc::now()),
    }
    .insert(&txn)
    .await;
    match recorded {
        Ok(_) => {}
        Err(err) if crate::db::is_unique_violation(&err) => return Ok(Outcome::Duplicate),
        Err(err) => return Err(err.into()),
    }
    let kind = message
        .event
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("");
    let data = message.event.get("data").unwrap_or(&Value::Null);
    let outcome = match kind {
        "user.created" | "user.updated" => {
            let profile = profile_of(data)?;
            match super::external::identities::sign_in(&txn, PROVIDER, &profile, None).await {
                Ok(account) => {
                    if let Some(name) = profile.name.as_deref().and_then(|n| {
                        let local = account.email.split('@').next().unwrap_or_default();
                        crate::auth::server::accounts::parse_display_name(n, local).ok()
                    }) {
                        user::Entity::update_many()
                            .col_expr(user::Column::DisplayName, Expr::value(name))
                            .filter(user::Column::Id.eq(account.id.0))
                            .exec(&txn)
                            .await?;
                    }
                    Outcome::Applied
                }
                Err(failure) => from_failure(failure)?,
            }
        }
        "user.deleted" => {
            let subject = data.get("id").and_then(Value::as_str).unwrap_or("");
            let linked = user_identity::Entity::find()
                .filter(user_identity::Column::Provider.eq(PROVIDER))
                .filter(user_identity::Column::Subject.eq(subject))
                .one(&txn)
                .await?;
            match linked {
                Some(identity) => {
                    super::deletion::delete_account(&txn, crate::types::UserId(identity.user_id))
                        .await?;
                    Outcome::Applied
                }
                None => Outcome::Ignored,
            }
        }
        _ => Outcome::Ignored,
    };
    txn.commit().await?;
    Ok(outcome)
}

pub async fn clerk(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let Some(key) = &state.config.clerk_webhook_secret else {
        return AppError::NotFound("Page".into()).into_response();
    };
    let handled = async {
        let message = verify(key, &headers, &body, chrono::Utc::now().timestamp())?;
        apply(&state.db, &message).await
    }
    .await;
    match handled {
        Ok(outcome) => {
            tracing::info!(outcome = outcome.as_str(), "clerk webhook");
            axum::Json(serde_json::json!({ "status": outcome.as_str() })).into_response()
        }
        Err(err) => err.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example from Svix's documentation of its signature scheme.
    #[test]
    fn svix_reference_vector() {
        let key = SigningKey::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let body = br#"{"test": 2432232314}"#;
        let signature = key.sign("msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", body);
        assert_eq!(signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
        assert!(key.verify(
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            "1614265330",
            body,
            &format!("v1,bogus= {signature}")
        ));
        assert!(!key.verify(
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            "1614265331",
            body,
            &signature
        ));
    }

    #[test]
    fn a_clerk_user_maps_to_its_primary_email() {
        let data = serde_json::json!({
            "id": "user_29w83sxmDNGwOuEthce5gg56FcC",
            "primary_email_address_id": "idn_2",
            "email_addresses": [
                {"id": "idn_1", "email_address": "old@example.org", "verification": {"status": "verified"}},
                {"id": "idn_2", "email_address": "ada@example.org", "verification": {"status": "verified"}}
            ],
            "first_name": "Ada", "last_name": "Lovelace", "username": null
        });
        let profile = profile_of(&data).unwrap();
        assert_eq!(profile.email.as_deref(), Some("ada@example.org"));
        assert!(profile.email_verified);
        assert_eq!(profile.name.as_deref(), Some("Ada Lovelace"));
    }
}

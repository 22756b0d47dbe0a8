//! The Clerk user-sync webhook over HTTP, with Svix signatures made by the same scheme a
//! sender uses: users created, updated and deleted; a bad signature is 401, a stale
//! timestamp 400, a replayed message id 200 and changes nothing; without a secret the
//! route does not exist.
use crate::common;

use common::app::TestApp;
use common::Backend;
use promptedcode::auth::server::webhook::SigningKey;
use promptedcode::entities::{user, user_identity};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

fn clerk_user(id: &str, email: &str, verified: bool, first_name: &str) -> serde_json::Value {
    serde_json::json!({
        "id": id,
        "primary_email_address_id": "idn_1",
        "email_addresses": [{
            "id": "idn_1",
            "email_address": email,
            "verification": {"status": if verified { "verified" } else { "unverified" }}
        }],
        "first_name": first_name,
        "last_name": "Test",
        "username": null
    })
}

/// Sends `event` as message `id`, signed for `timestamp` (Unix seconds) with `key`.
async fn deliver(
    app: &TestApp,
    key: &SigningKey,
    id: &str,
    timestamp: i64,
    event: &serde_json::Value,
) -> (StatusCode, serde_json::Value) {
    let body = event.to_string();
    let stamp = timestamp.to_string();
    let response = app
        .client
        .post(format!("{}/webhooks/clerk", app.base))
        .header("content-type", "application/json")
        .header("svix-id", id)
        .header("svix-timestamp", &stamp)
        .header("svix-signature", key.sign(id, &stamp, body.as_bytes()))
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
    )
}

async fn clerk_account(app: &TestApp, clerk_id: &str) -> Option<user::Model> {
    let identity = user_identity::Entity::find()
        .filter(user_identity::Column::Provider.eq("clerk"))
        .filter(user_identity::Column::Subject.eq(clerk_id))
        .one(&app.state.db)
        .await
        .unwrap()?;
    user::Entity::find_by_id(identity.user_id)
        .one(&app.state.db)
        .await
        .unwrap()
}

async fn users(app: &TestApp) -> u64 {
    user::Entity::find().count(&app.state.db).await.unwrap()
}

async fn users_are_created_updated_and_deleted_by_signed_messages(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("CLERK_WEBHOOK_SECRET", SECRET.to_owned())]).await;
    let key = SigningKey::parse(SECRET).unwrap();
    let now = chrono::Utc::now().timestamp();
    let created = serde_json::json!({
        "type": "user.created",
        "data": clerk_user("user_ada", "ada@example.org", true, "Ada")
    });
    let (status, body) = deliver(&app, &key, "msg_1", now, &created).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("applied"))
    );
    let ada = clerk_account(&app, "user_ada")
        .await
        .expect("the account exists");
    assert_eq!(
        (ada.email.as_str(), ada.display_name.as_str()),
        ("ada@example.org", "Ada Test")
    );
    assert!(ada.password_hash.is_none());

    // The same message again (Svix retries): acknowledged, nothing changes.
    let (status, body) = deliver(&app, &key, "msg_1", now, &created).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("duplicate"))
    );
    assert_eq!(users(&app).await, 1);

    let updated = serde_json::json!({
        "type": "user.updated",
        "data": clerk_user("user_ada", "ada@example.org", true, "Augusta Ada")
    });
    let (status, _) = deliver(&app, &key, "msg_2", now, &updated).await;
    assert_eq!(status, StatusCode::OK);
    let ada = clerk_account(&app, "user_ada").await.unwrap();
    assert_eq!(ada.display_name, "Augusta Ada Test");
    assert_eq!(users(&app).await, 1, "an update makes no second account");

    // A user whose email is not verified is not made (the message is still acknowledged).
    let unverified = serde_json::json!({
        "type": "user.created",
        "data": clerk_user("user_eve", "eve@example.org", false, "Eve")
    });
    let (status, body) = deliver(&app, &key, "msg_3", now, &unverified).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("ignored"))
    );
    assert!(clerk_account(&app, "user_eve").await.is_none());

    // Refusals change nothing: a wrong key, a stale or a future timestamp, no headers.
    let forged = SigningKey::parse("whsec_bm90LXRoZS1yZWFsLXNlY3JldC1rZXk=").unwrap();
    let deleted =
        serde_json::json!({"type": "user.deleted", "data": {"id": "user_ada", "deleted": true}});
    let (status, body) = deliver(&app, &forged, "msg_4", now, &deleted).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let (status, body) = deliver(&app, &key, "msg_5", now - 400, &deleted).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("5 minutes"),
        "{body}"
    );
    let (status, _) = deliver(&app, &key, "msg_6", now + 400, &deleted).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let bare = app
        .client
        .post(format!("{}/webhooks/clerk", app.base))
        .body(deleted.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(bare.status(), StatusCode::BAD_REQUEST);
    assert!(
        clerk_account(&app, "user_ada").await.is_some(),
        "still there"
    );

    let (status, body) = deliver(&app, &key, "msg_7", now, &deleted).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("applied"))
    );
    assert_eq!(users(&app).await, 0);
    assert_eq!(
        user_identity::Entity::find()
            .count(&app.state.db)
            .await
            .unwrap(),
        0
    );
    app.test_db.teardown().await;
}

async fn a_verified_clerk_user_links_to_the_account_with_that_email(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("CLERK_WEBHOOK_SECRET", SECRET.to_owned())]).await;
    app.register("grace@example.org").await;
    let key = SigningKey::parse(SECRET).unwrap();
    let event = serde_json::json!({
        "type": "user.created",
        "data": clerk_user("user_grace", "Grace@Example.org", true, "Grace")
    });
    let (status, _) = deliver(&app, &key, "msg_g", chrono::Utc::now().timestamp(), &event).await;
    assert_eq!(status, StatusCode::OK);
    let linked = clerk_account(&app, "user_grace").await.unwrap();
    assert_eq!(linked.email, "grace@example.org");
    assert!(
        linked.password_hash.is_some(),
        "the same account, password kept"
    );
    assert_eq!(users(&app).await, 1);
    app.test_db.teardown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_secret_the_webhook_is_not_there() {
    let app = TestApp::spawn_with(Backend::Sqlite, &[]).await;
    let response = app
        .client
        .post(format!("{}/webhooks/clerk", app.base))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    app.test_db.teardown().await;
}

over_http_on_both_backends!(
    users_are_created_updated_and_deleted_by_signed_messages,
    a_verified_clerk_user_links_to_the_account_with_that_email,
);

//! External sign-in against a real OpenID provider on loopback (`oidc-provider`): the
//! first sign-in makes the account and a fresh session; a verified email links, an
//! unverified one never does; every tampered or failed callback is refused with a clear
//! reason and creates no session; linking and unlinking from the settings; the
//! provider's logout; plain OAuth2 through the userinfo endpoint.
use crate::common;

use common::app::{free_port, TestApp};
use common::idp::{form_action, input_value, location, Browser, Idp, CLIENT_ID, CLIENT_SECRET};
use common::Backend;
use promptedcode::entities::{session, user, user_identity};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};

struct Setup {
    app: TestApp,
    idp: Idp,
}

/// The app with two providers on one test provider: `testidp` (OpenID Connect) and
/// `plain` (the same server used as plain OAuth2: code → token → userinfo).
async fn setup(backend: Backend) -> Setup {
    let port = free_port();
    let issuer = format!("http://127.0.0.1:{port}");
    let app = TestApp::spawn_with(
        backend,
        &[
            // Each test signs in a dozen times from one address.
            ("LOGIN_RATE_PER_IP", "1000/300".to_owned()),
            ("AUTH_PROVIDERS", "testidp,plain".to_owned()),
            ("AUTH_TESTIDP_NAME", "Test IdP".to_owned()),
            ("AUTH_TESTIDP_ISSUER", issuer.clone()),
            ("AUTH_TESTIDP_CLIENT_ID", CLIENT_ID.to_owned()),
            ("AUTH_TESTIDP_CLIENT_SECRET", CLIENT_SECRET.to_owned()),
            ("AUTH_PLAIN_NAME", "Plain OAuth".to_owned()),
            ("AUTH_PLAIN_AUTH_URL", format!("{issuer}/auth")),
            ("AUTH_PLAIN_TOKEN_URL", format!("{issuer}/token")),
            ("AUTH_PLAIN_USERINFO_URL", format!("{issuer}/me")),
            ("AUTH_PLAIN_SCOPES", "openid email profile".to_owned()),
            ("AUTH_PLAIN_CLIENT_ID", CLIENT_ID.to_owned()),
            ("AUTH_PLAIN_CLIENT_SECRET", CLIENT_SECRET.to_owned()),
        ],
    )
    .await;
    let callbacks = [
        format!("{}/auth/callback/testidp", app.base),
        format!("{}/auth/callback/plain", app.base),
    ];
    let idp = Idp::start(port, &callbacks, &[format!("{}/login", app.base)]).await;
    Setup { app, idp }
}

async fn sessions(app: &TestApp) -> u64 {
    session::Entity::find().count(&app.state.db).await.unwrap()
}

async fn user_by_email(app: &TestApp, email: &str) -> Option<user::Model> {
    user::Entity::find()
        .filter(user::Column::Email.eq(email))
        .one(&app.state.db)
        .await
        .unwrap()
}

async fn identities_of(app: &TestApp, user: i64) -> Vec<user_identity::Model> {
    user_identity::Entity::find()
        .filter(user_identity::Column::UserId.eq(user))
        .all(&app.state.db)
        .await
        .unwrap()
}

/// Visits the callback and returns where it sent the browser.
async fn visit_callback(browser: &mut Browser, callback: &str) -> String {
    let response = browser.get(callback).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{callback}");
    location(callback, &response)
}

/// Signs in at `provider` as `login` from the start to the app's answer.
async fn sign_in(app: &TestApp, browser: &mut Browser, provider: &str, login: &str) -> String {
    let start = format!("{}/auth/login/{provider}?next=/history", app.base);
    let callback = browser.follow_to_callback(&start, login).await;
    visit_callback(browser, &callback).await
}

/// Who the browser's session cookie signs in as (`/api/me`).
async fn me(app: &TestApp, browser: &Browser) -> serde_json::Value {
    let Some(token) = browser.cookie(&app.base, "pc_session") else {
        return serde_json::Value::Null;
    };
    let (status, body) = app
        .call("/api/me", &[], &format!("pc_session={token}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    body
}

async fn the_first_sign_in_makes_the_account_and_every_sign_in_a_new_session(backend: Backend) {
    let Setup { app, idp } = setup(backend).await;
    // The browser already has a session (someone else's): signing in must replace it.
    let bob = app.register("bob@example.com").await;
    let mut browser = Browser::default();
    let (name, value) = bob.split_once('=').unwrap();
    browser.set_cookie(&app.base, name, value);

    let start = format!(
        "{}/auth/login/testidp?next=/history&tz=Europe/Berlin",
        app.base
    );
    let to_provider = browser.get(&start).await;
    assert_eq!(to_provider.status(), StatusCode::SEE_OTHER);
    let authorize = location(&start, &to_provider);
    for part in [
        "code_challenge_method=S256",
        "code_challenge=",
        "state=",
        "nonce=",
        "scope=openid+email+profile",
    ] {
        assert!(authorize.contains(part), "{part} in {authorize}");
    }
    let redirect = format!(
        "redirect_uri={}",
        common::app::urlencode(&format!("{}/auth/callback/testidp", app.base))
    );
    assert!(
        authorize.contains(&redirect),
        "the exact redirect URI: {authorize}"
    );
    assert!(
        browser.cookie(&app.base, "pc_auth_flow").is_some(),
        "the flow is bound to this browser"
    );

    let callback = browser.follow_to_callback(&authorize, "alice").await;
    assert!(
        callback.contains("iss="),
        "the provider names itself: {callback}"
    );
    assert_eq!(
        visit_callback(&mut browser, &callback).await,
        format!("{}/history", app.base)
    );
    let token = browser
        .cookie(&app.base, "pc_session")
        .expect("a session cookie");
    assert_ne!(format!("pc_session={token}"), bob, "a new session id");
    assert!(
        browser.cookie(&app.base, "pc_auth_flow").is_none(),
        "the flow cookie is cleared"
    );
    let (status, _) = app.call("/api/me", &[], &bob).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        session::Entity::find().count(&app.state.db).await.unwrap(),
        1,
        "the session the browser had (Bob's) ended"
    );
    assert_eq!(me(&app, &browser).await["email"], "alice@idp.test");

    let alice = user_by_email(&app, "alice@idp.test")
        .await
        .expect("made at first sign-in");
    assert_eq!(alice.display_name, "Alice Idp");
    assert_eq!(alice.time_zone, "Europe/Berlin", "the browser's zone");
    assert!(alice.password_hash.is_none());
    let logins = identities_of(&app, alice.id).await;
    assert_eq!(
        (
            logins.len(),
            logins[0].provider.as_str(),
            logins[0].subject.as_str()
        ),
        (1, "testidp", "alice")
    );
    let stored = session::Entity::find()
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.provider.as_deref(), Some("testidp"));

    // Again (the provider remembers her: no form): the same account, another new session.
    let before = token.clone();
    assert_eq!(
        sign_in(&app, &mut browser, "testidp", "alice").await,
        format!("{}/history", app.base)
    );
    let after = browser.cookie(&app.base, "pc_session").unwrap();
    assert_ne!(before, after, "rotated at every sign-in");
    assert_eq!(sessions(&app).await, 1);
    assert_eq!(identities_of(&app, alice.id).await.len(), 1);
    assert_eq!(user::Entity::find().count(&app.state.db).await.unwrap(), 2);
    idp.stop().await;
    app.test_db.teardown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_verified_email_links_and_an_unverified_one_never_does() {
    let Setup { app, idp } = setup(Backend::Postgres).await;
    app.register("alice@idp.test").await;
    app.register("mallory@idp.test").await;
    let alice = user_by_email(&app, "alice@idp.test").await.unwrap();

    let mut browser = Browser::default();
    sign_in(&app, &mut browser, "testidp", "alice").await;
    assert_eq!(me(&app, &browser).await["id"], alice.id, "the same account");
    assert_eq!(
        identities_of(&app, alice.id).await.len(),
        1,
        "linked by verified email"
    );

    let mut browser = Browser::default();
    let before = sessions(&app).await;
    let refused = sign_in(&app, &mut browser, "testidp", "mallory").await;
    assert!(
        refused.ends_with("/login?auth_error=unverified_email&provider=testidp"),
        "{refused}"
    );
    assert_eq!(sessions(&app).await, before, "no session");
    let mallory = user_by_email(&app, "mallory@idp.test").await.unwrap();
    assert!(
        identities_of(&app, mallory.id).await.is_empty(),
        "never linked"
    );
    let page = app
        .get("/login?auth_error=unverified_email&provider=testidp")
        .await;
    let html = page.text().await.unwrap();
    assert!(
        html.contains("Test IdP has not verified your email address"),
        "{html}"
    );
    idp.stop().await;
    app.test_db.teardown().await;
}

/// Each refused callback: the browser is sent to `/login` with the reason, and nothing
/// signs in (no session row, no session cookie).
async fn assert_refused(app: &TestApp, browser: &mut Browser, callback: &str, reason: &str) {
    let before = sessions(app).await;
    let cookie_before = browser.cookie(&app.base, "pc_session");
    let landed = visit_callback(browser, callback).await;
    assert!(
        landed.contains(&format!("/login?auth_error={reason}&provider=testidp")),
        "{reason}: {landed}"
    );
    assert_eq!(sessions(app).await, before, "{reason}: no session");
    assert_eq!(
        browser.cookie(&app.base, "pc_session"),
        cookie_before,
        "{reason}: no cookie"
    );
    let page = app.get(&landed.replacen(&app.base, "", 1)).await;
    let html = page.text().await.unwrap();
    assert!(
        html.contains("data-testid=\"auth-error\""),
        "{reason}: the page says why"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampered_and_failed_callbacks_are_refused_and_sign_no_one_in() {
    let Setup { app, idp } = setup(Backend::Postgres).await;
    let start = format!("{}/auth/login/testidp", app.base);
    let mut browser = Browser::default();
    let users_before = user::Entity::find().count(&app.state.db).await.unwrap();

    // A forged state.
    let callback = browser.follow_to_callback(&start, "alice").await;
    let (head, _) = callback.split_once("state=").unwrap();
    let rest = callback[head.len() + 6..]
        .split_once('&')
        .map_or("", |(_, r)| r);
    let forged = format!("{head}state=forged-state&{rest}");
    assert_refused(&app, &mut browser, &forged, "state").await;

    // The right state from another browser (without the flow's cookie).
    let callback = browser.follow_to_callback(&start, "alice").await;
    assert_refused(&app, &mut Browser::default(), &callback, "state").await;

    // A wrong PKCE verifier: the provider refuses the code.
    let callback = browser.follow_to_callback(&start, "alice").await;
    app.state
        .db
        .execute_unprepared("UPDATE auth_flows SET pkce_verifier = 'wrong-verifier-wrong-verifier-wrong-verifier-0123'")
        .await
        .unwrap();
    assert_refused(&app, &mut browser, &callback, "exchange").await;

    // ID tokens that must not verify: another nonce, another audience, expired, a broken
    // signature, another issuer.
    for claims in [
        serde_json::json!({"nonce": "not-the-flow-nonce"}),
        serde_json::json!({"aud": "another-client"}),
        serde_json::json!({"exp_offset_secs": -3600}),
        serde_json::json!({"bad_signature": true}),
        serde_json::json!({"iss": "http://127.0.0.1:1"}),
    ] {
        let callback = browser.follow_to_callback(&start, "alice").await;
        idp.tamper_next_id_token(claims.clone()).await;
        assert_refused(&app, &mut browser, &callback, "verification").await;
    }

    // The provider's error, and the user pressing cancel there.
    idp.fail_next_authorization("server_error").await;
    let callback = browser.follow_to_callback(&start, "alice").await;
    assert!(callback.contains("error=server_error"), "{callback}");
    assert_refused(&app, &mut browser, &callback, "provider_error").await;
    idp.fail_next_authorization("access_denied").await;
    let callback = browser.follow_to_callback(&start, "alice").await;
    assert_refused(&app, &mut browser, &callback, "cancelled").await;
    assert_eq!(
        user::Entity::find().count(&app.state.db).await.unwrap(),
        users_before
    );

    // A replayed callback, and a used code under a fresh state.
    let callback = browser.follow_to_callback(&start, "alice").await;
    visit_callback(&mut browser, &callback).await;
    assert_eq!(me(&app, &browser).await["email"], "alice@idp.test");
    assert_refused(&app, &mut browser, &callback, "state").await;
    let used_code = callback
        .split("code=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_owned();
    let fresh = browser.follow_to_callback(&start, "alice").await;
    let fresh_code = fresh
        .split("code=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap();
    let replayed = fresh.replace(fresh_code, &used_code);
    assert_refused(&app, &mut browser, &replayed, "exchange").await;

    // An unknown provider.
    let response = browser
        .get(&format!("{}/auth/login/nobody", app.base))
        .await;
    assert!(location(&app.base, &response).ends_with("/login?auth_error=unknown_provider"));
    assert_eq!(
        app.state
            .db
            .query_one_raw(sea_orm::Statement::from_string(
                app.state.db.get_database_backend(),
                "SELECT COUNT(*) FROM auth_flows",
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get_by_index::<i64>(0)
            .unwrap(),
        1,
        "every flow was taken by its callback but the one whose state was forged (it expires)"
    );
    idp.stop().await;
    app.test_db.teardown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logins_are_linked_and_unlinked_from_the_settings_never_the_last_one() {
    let Setup { app, idp } = setup(Backend::Postgres).await;
    let ann = app.register("ann@example.com").await;
    let ann_id = user_by_email(&app, "ann@example.com").await.unwrap().id;
    let mut browser = Browser::default();
    let (name, value) = ann.split_once('=').unwrap();
    browser.set_cookie(&app.base, name, value);

    // Signed out, linking is refused.
    let anonymous = Browser::default()
        .get(&format!("{}/auth/link/testidp", app.base))
        .await;
    assert!(location(&app.base, &anonymous).contains("auth_error=not_signed_in"));

    let callback = browser
        .follow_to_callback(&format!("{}/auth/link/testidp", app.base), "ann-at-idp")
        .await;
    let landed = visit_callback(&mut browser, &callback).await;
    assert!(
        landed.ends_with("/settings?linked=testidp#logins"),
        "{landed}"
    );
    let logins = identities_of(&app, ann_id).await;
    assert_eq!(logins.len(), 1);
    assert_eq!(
        logins[0].email.as_deref(),
        Some("ann-at-idp@idp.test"),
        "any email: she is signed in"
    );
    let (status, settings) = app.call("/api/settings/mine", &[], &ann).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(settings["logins"][0]["provider"], "Test IdP");
    assert_eq!(settings["linkable"][0]["id"], "plain");
    assert_eq!(
        settings["logins"][0]["last_way_in"], false,
        "she has a password too"
    );

    // Carol signs in through the provider only; her one login cannot be unlinked, and
    // nobody else's login can be unlinked by her (404, as if it did not exist).
    let mut carol_browser = Browser::default();
    sign_in(&app, &mut carol_browser, "testidp", "carol").await;
    let carol = format!(
        "pc_session={}",
        carol_browser.cookie(&app.base, "pc_session").unwrap()
    );
    let carol_id = user_by_email(&app, "carol@idp.test").await.unwrap().id;
    let carol_login = identities_of(&app, carol_id).await[0].id.to_string();
    let ann_login = logins[0].id.to_string();
    app.assert_refused(&[
        (
            "/api/settings/logins/unlink",
            vec![("id", carol_login.as_str())],
            &carol,
            StatusCode::CONFLICT,
            None,
        ),
        (
            "/api/settings/logins/unlink",
            vec![("id", ann_login.as_str())],
            &carol,
            StatusCode::NOT_FOUND,
            None,
        ),
    ])
    .await;
    // Ann, in a fresh tab, links the provider login that is Carol's: refused.
    let mut ann_tab = Browser::default();
    ann_tab.set_cookie(&app.base, name, value);
    let callback = ann_tab
        .follow_to_callback(&format!("{}/auth/link/testidp", app.base), "carol")
        .await;
    let landed = visit_callback(&mut ann_tab, &callback).await;
    assert!(
        landed.contains("/settings?auth_error=already_linked&provider=testidp"),
        "{landed}"
    );
    assert_eq!(identities_of(&app, ann_id).await.len(), 1);

    let (status, body) = app
        .call("/api/settings/logins/unlink", &[("id", &ann_login)], &ann)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(identities_of(&app, ann_id).await.is_empty());
    assert_eq!(identities_of(&app, carol_id).await.len(), 1);
    idp.stop().await;
    app.test_db.teardown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logging_out_offers_the_provider_logout_which_comes_back() {
    let Setup { app, idp } = setup(Backend::Postgres).await;
    let mut browser = Browser::default();
    sign_in(&app, &mut browser, "testidp", "alice").await;
    let logout = browser
        .post_form(&format!("{}/api/logout", app.base), &[])
        .await;
    let landed = location(&app.base, &logout);
    assert!(landed.ends_with("/login?signed_out=testidp"), "{landed}");
    assert_eq!(sessions(&app).await, 0, "the session here ended");
    let html = browser.get(&landed).await.text().await.unwrap();
    assert!(html.contains("Also sign out of Test IdP"), "{html}");

    let to_provider = browser
        .get(&format!("{}/auth/logout/testidp", app.base))
        .await;
    let end_session = location(&app.base, &to_provider);
    assert!(
        end_session.starts_with(&format!("{}/session/end?", idp.issuer)),
        "{end_session}"
    );
    let page = browser.get(&end_session).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    let action = form_action(&html).expect("the provider asks to confirm");
    let xsrf = input_value(&html, "xsrf").expect("its form token");
    let confirmed = browser
        .post_form(&action, &[("xsrf", &xsrf), ("logout", "yes")])
        .await;
    let back = location(&action, &confirmed);
    assert!(
        back.starts_with(&format!("{}/login", app.base)),
        "back at the app: {back}"
    );
    // Signed out there too: the next sign-in shows the provider's form again.
    let start = format!("{}/auth/login/testidp", app.base);
    let at_provider = browser.get(&start).await;
    let authorize = location(&start, &at_provider);
    let interaction = browser.get(&authorize).await;
    assert_eq!(interaction.status(), StatusCode::SEE_OTHER);
    assert!(
        location(&authorize, &interaction).contains("/interaction/"),
        "asked to log in again"
    );
    idp.stop().await;
    app.test_db.teardown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_oauth2_signs_in_through_the_userinfo_endpoint() {
    let Setup { app, idp } = setup(Backend::Postgres).await;
    let mut browser = Browser::default();
    let start = format!("{}/auth/login/plain", app.base);
    let at_provider = browser.get(&start).await;
    let authorize = location(&start, &at_provider);
    assert!(
        authorize.contains("code_challenge_method=S256") && !authorize.contains("nonce="),
        "{authorize}"
    );
    let callback = browser.follow_to_callback(&authorize, "dora").await;
    assert_eq!(
        visit_callback(&mut browser, &callback).await,
        format!("{}/challenge", app.base)
    );
    assert_eq!(me(&app, &browser).await["email"], "dora@idp.test");
    let dora = user_by_email(&app, "dora@idp.test").await.unwrap();
    let logins = identities_of(&app, dora.id).await;
    assert_eq!(
        (logins[0].provider.as_str(), logins[0].subject.as_str()),
        ("plain", "dora")
    );
    idp.stop().await;
    app.test_db.teardown().await;
}

over_http_on_both_backends!(the_first_sign_in_makes_the_account_and_every_sign_in_a_new_session,);

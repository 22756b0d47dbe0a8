//! A learner's settings over HTTP on both backends: the name and the IANA time zone are
//! saved together or not at all, bad input names its field, and the zone is what their
//! times are shown in; their sessions, each signed out alone or all but this one;
//! `ADMIN_EMAILS` making admins at sign-in; the export of all of a learner's data. The migration from UTC offsets to zones, up
//! and down.
use crate::common;

use common::app::TestApp;
use common::{new_user, Backend, TestDb};
use promptedcode::entities::user;
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter};

async fn account(db: &DatabaseConnection, email: &str) -> user::Model {
    user::Entity::find()
        .filter(user::Column::Email.eq(email))
        .one(db)
        .await
        .unwrap()
        .unwrap()
}

async fn profile(db: &DatabaseConnection, email: &str) -> (String, String) {
    let row = account(db, email).await;
    (row.display_name, row.time_zone)
}

async fn a_learner_sets_their_name_and_zone_and_their_times_follow_it(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[]).await;
    let ann = app.register("ann@example.com").await;
    let bob = app.register("bob@example.com").await;
    let db = &app.state.db;
    assert_eq!(
        profile(db, "ann@example.com").await,
        ("ann".to_owned(), "UTC".to_owned()),
        "no zone from the browser: UTC"
    );

    let too_long = "n".repeat(81);
    let save = "/api/settings/profile";
    app.assert_refused(&[
        (
            save,
            vec![("display_name", "Ann"), ("time_zone", "Mars/Olympus_Mons")],
            &ann,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("time_zone"),
        ),
        (
            save,
            vec![
                ("display_name", "Ann\u{202e}"),
                ("time_zone", "Asia/Kolkata"),
            ],
            &ann,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("display_name"),
        ),
        (
            save,
            vec![
                ("display_name", too_long.as_str()),
                ("time_zone", "Asia/Kolkata"),
            ],
            &ann,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("display_name"),
        ),
        (
            save,
            vec![("display_name", "Ann")],
            &ann,
            StatusCode::BAD_REQUEST,
            None,
        ),
    ])
    .await;
    assert_eq!(
        profile(db, "ann@example.com").await,
        ("ann".to_owned(), "UTC".to_owned()),
        "a refused form writes nothing, not even its good field"
    );
    let anonymous = app
        .post_form(save, &[("display_name", "X"), ("time_zone", "UTC")], None)
        .await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);

    let (status, body) = app
        .call(
            save,
            &[("display_name", " Ann B "), ("time_zone", "Asia/Kolkata")],
            &ann,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        profile(db, "ann@example.com").await,
        ("Ann B".to_owned(), "Asia/Kolkata".to_owned())
    );
    assert_eq!(
        profile(db, "bob@example.com").await,
        ("bob".to_owned(), "UTC".to_owned()),
        "only the caller's row"
    );

    // The page shows the saved zone chosen; a plain form post comes back to it.
    let html = app.page_as("/settings?saved=1", &ann).await;
    assert!(
        html.contains("<option selected>Asia/Kolkata</option>"),
        "zone chosen"
    );
    assert!(html.contains("Saved"), "{html}");
    assert!(html.contains("ann@example.com"), "{html}");
    assert!(
        html.contains("Europe/Berlin") && html.contains("America/Argentina/Buenos_Aires"),
        "every zone offered"
    );
    let plain = app
        .client
        .post(format!("{}{save}", app.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "text/html")
        .header("origin", &app.base)
        .header("cookie", &ann)
        .body("display_name=Ann+B&time_zone=Asia%2FKolkata")
        .send()
        .await
        .unwrap();
    assert_eq!(plain.status(), StatusCode::FOUND);
    assert_eq!(plain.headers()["location"], "/settings?saved=1");

    // A challenge's time in the history is in the learner's zone: IST for Ann, UTC for Bob.
    for (cookie, zone) in [(&ann, " IST"), (&bob, " UTC")] {
        let (status, _) = app
            .call(
                "/api/challenge/next",
                &[("topic", "stack"), ("difficulty", "easy")],
                cookie,
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let (status, history) = app.call("/api/history", &[("page", "1")], cookie).await;
        assert_eq!(status, StatusCode::OK);
        let shown = history["entries"][0]["created_at"].as_str().unwrap();
        assert!(shown.ends_with(zone), "{shown} should end with {zone}");
    }
    let signed_out = app.get("/settings").await.text().await.unwrap();
    assert!(signed_out.contains("Log in to change your settings."));
    app.test_db.teardown().await;
}

/// Logs in from a browser that says `agent`; the session cookie (`name=value`).
async fn login_from(app: &TestApp, email: &str, agent: &str) -> String {
    let response = app
        .client
        .post(format!("{}/api/login", app.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .header("origin", &app.base)
        .header("user-agent", agent)
        .body(format!(
            "email={}&password={}",
            common::app::urlencode(email),
            common::app::urlencode(common::app::PASSWORD)
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = common::app::session_cookie(response.headers()).unwrap();
    cookie.split(';').next().unwrap().to_owned()
}

const FIREFOX_LINUX: &str =
    "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0";
const SAFARI_IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.5 Mobile/15E148 Safari/604.1";

async fn sessions_are_listed_and_signed_out_one_or_all_but_this(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[]).await;
    app.register("ann@example.com").await;
    app.register("bob@example.com").await;
    let laptop = login_from(&app, "ann@example.com", FIREFOX_LINUX).await;
    let phone = login_from(&app, "ann@example.com", SAFARI_IPHONE).await;
    let bobs = login_from(&app, "bob@example.com", FIREFOX_LINUX).await;
    assert_ne!(laptop, phone, "a new session id at every login");

    let (status, mine) = app.call("/api/settings/mine", &[], &laptop).await;
    assert_eq!(status, StatusCode::OK, "{mine}");
    let sessions = mine["sessions"].as_array().unwrap();
    // Registering signed Ann in too (the test client's own agent): three in all.
    assert_eq!(sessions.len(), 3, "{mine}");
    assert_eq!(sessions[0]["current"], true, "this device first");
    assert_eq!(sessions[0]["device"], "Firefox on Linux");
    assert!(sessions[1..].iter().all(|s| s["current"] == false));
    assert!(
        sessions.iter().any(|s| s["device"] == "Safari on iOS"),
        "{mine}"
    );
    let phone_id = sessions
        .iter()
        .find(|s| s["device"] == "Safari on iOS")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Bob cannot end Ann's session, even knowing its id; a malformed id is refused.
    app.assert_refused(&[
        (
            "/api/settings/sessions/end",
            vec![("id", phone_id.as_str())],
            &bobs,
            StatusCode::NOT_FOUND,
            None,
        ),
        (
            "/api/settings/sessions/end",
            vec![("id", "not-a-session")],
            &laptop,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("id"),
        ),
    ])
    .await;
    let (status, _) = app.call("/api/history", &[("page", "1")], &phone).await;
    assert_eq!(status, StatusCode::OK, "the phone is still signed in");

    let (status, _) = app
        .call("/api/settings/sessions/end", &[("id", &phone_id)], &laptop)
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app.call("/api/history", &[("page", "1")], &phone).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the phone is signed out");
    let (status, again) = app
        .call("/api/settings/sessions/end", &[("id", &phone_id)], &laptop)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{again}");

    let (status, ended) = app
        .call("/api/settings/sessions/end-others", &[], &laptop)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ended, 1, "the session from registering");
    let (_, mine) = app.call("/api/settings/mine", &[], &laptop).await;
    assert_eq!(mine["sessions"].as_array().unwrap().len(), 1);
    let (status, _) = app.call("/api/history", &[("page", "1")], &bobs).await;
    assert_eq!(status, StatusCode::OK, "Bob's session is his own");

    // The page lists them; signed out, the buttons refuse.
    let page = app.page_as("/settings", &laptop).await;
    assert!(page.contains("This device") && page.contains("Firefox on Linux"));
    let anonymous = app
        .post_form("/api/settings/sessions/end-others", &[], None)
        .await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    app.test_db.teardown().await;
}

async fn listed_emails_become_admins_when_they_sign_in(backend: Backend) {
    let app = TestApp::spawn_with(
        backend,
        &[(
            "ADMIN_EMAILS",
            "Boss@Example.com, ops@example.com".to_owned(),
        )],
    )
    .await;
    let role = |cookie: String| {
        let app = &app;
        async move {
            let (status, me) = app.call("/api/me", &[], &cookie).await;
            assert_eq!(status, StatusCode::OK, "{me}");
            me["role"].as_str().unwrap().to_owned()
        }
    };
    assert_eq!(role(app.register("ops@example.com").await).await, "admin");
    assert_eq!(role(app.register("ann@example.com").await).await, "user");
    // An account made before it was listed (here: without the API) is an admin from its
    // next sign-in on.
    common::register_user(&app.state.db, "boss@example.com", common::app::PASSWORD, "")
        .await
        .unwrap();
    assert_eq!(
        profile_role(&app.state.db, "boss@example.com").await,
        "user"
    );
    let boss = login_from(&app, "BOSS@example.com", FIREFOX_LINUX).await;
    assert_eq!(role(boss).await, "admin");
    assert_eq!(
        profile_role(&app.state.db, "boss@example.com").await,
        "admin"
    );
    app.test_db.teardown().await;
}

async fn profile_role(db: &DatabaseConnection, email: &str) -> &'static str {
    account(db, email).await.role.as_str()
}

/// A learner's traces: a challenge answered, a note on its question, the question flagged
/// for review, a topic of their own, a quiz started. Returns their session cookie.
pub(crate) async fn practise(app: &TestApp, email: &str, words: &str) -> String {
    let cookie = app.register(email).await;
    let (status, challenge) = app
        .call(
            "/api/challenge/next",
            &[("topic", "stack"), ("difficulty", "easy")],
            &cookie,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{challenge}");
    let id = challenge["id"].to_string();
    let question = challenge["question"].to_string();
    let (status, _) = app
        .call(
            "/api/challenge/answer",
            &[("id", &id), ("choice", "0")],
            &cookie,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let note = format!("{words} note");
    let (status, _) = app
        .call(
            "/api/notes/save",
            &[("question", &question), ("body", &note)],
            &cookie,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app
        .call("/api/review/flag", &[("question", &question)], &cookie)
        .await;
    assert_eq!(status, StatusCode::OK);
    let topic = format!("{words} topic");
    let (status, _) = app
        .call("/api/topics/create", &[("name", &topic)], &cookie)
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app
        .call(
            "/api/quiz/start",
            &[
                ("kind", "topic"),
                ("topic", "sql"),
                ("difficulty", "mixed"),
                ("count", "5"),
            ],
            &cookie,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    cookie
}

async fn the_export_holds_everything_of_the_caller_and_nothing_of_anyone_else(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[]).await;
    let ann = practise(&app, "ann@example.com", "Annika's").await;
    practise(&app, "bob@example.com", "Bobby's").await;

    let response = app
        .client
        .get(format!("{}/settings/export", app.base))
        .header("cookie", &ann)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let disposition = response.headers()["content-disposition"].to_str().unwrap();
    assert!(
        disposition.starts_with("attachment; filename=\"promptedcode-export-20"),
        "{disposition}"
    );
    let text = response.text().await.unwrap();
    let export: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(export["format"], "promptedcode-export");
    assert_eq!(export["account"]["email"], "ann@example.com");
    let ann_id = export["account"]["id"].clone();
    for table in [
        "sessions",
        "challenges",
        "quizzes",
        "notes",
        "own_topics",
        "review_cards",
    ] {
        let rows = export[table]
            .as_array()
            .unwrap_or_else(|| panic!("{table}"));
        assert!(!rows.is_empty(), "{table}: {export}");
    }
    assert_eq!(export["quiz_items"].as_array().unwrap().len(), 5);
    assert!(export["challenges"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["user_id"] == ann_id));
    assert_eq!(export["notes"][0]["body"], "Annika's note");
    assert_eq!(export["own_topics"][0]["name"], "Annika's topic");
    // Nothing of Bob's, and no credential of Ann's.
    for absent in [
        "bob@example.com",
        "Bobby's",
        "password_hash",
        "id_hash",
        "$argon2",
    ] {
        assert!(!text.contains(absent), "{absent} in the export");
    }
    let anonymous = app.get("/settings/export").await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    app.test_db.teardown().await;
}

async fn stored_offsets_become_zones_with_the_same_local_day(backend: Backend) {
    use migration::MigratorTrait;
    let test_db = TestDb::create(backend).await;
    let db = &test_db.db;
    let offsets = [
        ("utc@example.com", 0, "UTC"),
        ("berlin@example.com", 60, "Etc/GMT-1"),
        ("nyc@example.com", -300, "Etc/GMT+5"),
        ("delhi@example.com", 330, "Asia/Kolkata"),
        ("forged@example.com", 7, "UTC"),
    ];
    for (email, _, _) in offsets {
        new_user(db, email).await;
    }
    // Back to the offsets (the zone column goes), set them, and forward again.
    let from_zones = migration::Migrator::migrations()
        .iter()
        .skip_while(|m| m.name() != "m20261206_000014_time_zones")
        .count();
    assert!(from_zones > 0, "the zone migration is listed");
    migration::Migrator::down(db, Some(from_zones as u32))
        .await
        .unwrap();
    for (email, minutes, _) in offsets {
        db.execute_unprepared(&format!(
            "UPDATE users SET utc_offset_minutes = {minutes} WHERE email = '{email}'"
        ))
        .await
        .unwrap();
    }
    migration::Migrator::up(db, None).await.unwrap();
    for (email, _, zone) in offsets {
        assert_eq!(profile(db, email).await.1, zone, "{email}");
    }
    test_db.teardown().await;
}

/// Every row that names `user` in any table: the tables and their columns are read from
/// the database itself, so a table added later is checked too. Returns "table.column: n"
/// for each one with rows.
pub(crate) async fn rows_naming(db: &DatabaseConnection, user: i64) -> Vec<String> {
    use sea_orm::{DbBackend, Statement};
    let backend = db.get_database_backend();
    let columns_sql = match backend {
        DbBackend::Postgres => {
            "SELECT table_name::text, column_name::text FROM information_schema.columns \
             WHERE table_schema = 'public' AND column_name IN ('user_id', 'owner_id', 'link_user_id')"
        }
        _ => {
            "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND p.name IN ('user_id', 'owner_id', 'link_user_id')"
        }
    };
    let columns = db
        .query_all_raw(Statement::from_string(backend, columns_sql))
        .await
        .unwrap();
    assert!(columns.len() >= 10, "the schema lists the user columns");
    let mut found = Vec::new();
    let mut checks: Vec<(String, String)> = columns
        .iter()
        .map(|row| {
            (
                row.try_get_by_index::<String>(0).unwrap(),
                row.try_get_by_index::<String>(1).unwrap(),
            )
        })
        .collect();
    checks.push(("users".into(), "id".into()));
    for (table, column) in checks {
        let row = db
            .query_one_raw(Statement::from_string(
                backend,
                format!("SELECT COUNT(*) FROM {table} WHERE {column} = {user}"),
            ))
            .await
            .unwrap()
            .unwrap();
        let count: i64 = row.try_get_by_index(0).unwrap();
        if count > 0 {
            found.push(format!("{table}.{column}: {count}"));
        }
    }
    found
}

async fn deleting_an_account_removes_every_row_of_it_and_nothing_else(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[]).await;
    let ann = practise(&app, "ann@example.com", "Annika's").await;
    practise(&app, "bob@example.com", "Bobby's").await;
    let db = &app.state.db;
    let ann_id = account(db, "ann@example.com").await.id;
    let bob_id = account(db, "bob@example.com").await.id;
    // A question written for Ann's own topic, a linked login, a model call, a counter.
    let backend_kind = db.get_database_backend();
    for sql in [
        format!(
            "INSERT INTO questions (topic_id, difficulty, title, stem, options, answer_index, \
               explanation, tags, source, content_hash, retired, created_at, updated_at) \
             SELECT id, 'easy', 'Own', 'Own stem?', '[\"a\",\"b\",\"c\",\"d\"]', 0, 'x', '', 'ai', \
               'own-hash', false, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP FROM topics WHERE owner_id = {ann_id}"
        ),
        format!(
            "INSERT INTO user_identities (user_id, provider, subject, email, created_at, last_used_at) \
             VALUES ({ann_id}, 'testidp', 'ann-sub', 'ann@example.com', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
        ),
        format!(
            "INSERT INTO llm_calls (user_id, purpose, model, technique, prompt_tokens, \
               completion_tokens, outcome, created_at) \
             VALUES ({ann_id}, 'generate', 'm', 'zero-shot', 1, 1, 'ok', CURRENT_TIMESTAMP)"
        ),
    ] {
        db.execute_unprepared(&sql).await.unwrap();
    }
    let own_question = |db: DatabaseConnection| async move {
        db.query_one_raw(sea_orm::Statement::from_string(
            backend_kind,
            "SELECT COUNT(*) FROM questions WHERE content_hash = 'own-hash'",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get_by_index::<i64>(0)
        .unwrap()
    };
    assert_eq!(own_question(db.clone()).await, 1);
    let before = rows_naming(db, ann_id).await;
    assert!(before.len() >= 8, "Ann has rows in many tables: {before:?}");
    let bob_before = rows_naming(db, bob_id).await;

    app.assert_refused(&[(
        "/api/settings/delete-account",
        vec![("confirm", "bob@example.com")],
        &ann,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("confirm"),
    )])
    .await;
    assert_eq!(
        rows_naming(db, ann_id).await,
        before,
        "a refused confirmation deletes nothing"
    );

    let (status, body) = app
        .call(
            "/api/settings/delete-account",
            &[("confirm", " Ann@Example.com ")],
            &ann,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        rows_naming(db, ann_id).await,
        Vec::<String>::new(),
        "no row of Ann's is left"
    );
    assert_eq!(
        own_question(db.clone()).await,
        0,
        "her own topic's questions are gone"
    );
    assert_eq!(
        rows_naming(db, bob_id).await,
        bob_before,
        "Bob's rows are untouched"
    );
    let (status, _) = app.call("/api/settings/mine", &[], &ann).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the session ended with the account"
    );
    app.test_db.teardown().await;
}

over_http_on_both_backends!(
    deleting_an_account_removes_every_row_of_it_and_nothing_else,
    a_learner_sets_their_name_and_zone_and_their_times_follow_it,
    sessions_are_listed_and_signed_out_one_or_all_but_this,
    listed_emails_become_admins_when_they_sign_in,
    the_export_holds_everything_of_the_caller_and_nothing_of_anyone_else,
);

mod migration_of_offsets {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        stored_offsets_become_zones_with_the_same_local_day(Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        stored_offsets_become_zones_with_the_same_local_day(Backend::Postgres).await;
    }
}

//! The access-control sweep: every server function and page that takes an id of a
//! learner's thing (challenge, quiz, own topic and its questions, session, linked login)
//! answers another learner's id exactly as it answers an id that does not exist: 404,
//! with nothing of the owner's in the answer, and nothing changed.
use crate::common;

use common::app::TestApp;
use common::Backend;
use promptedcode::entities::{challenge, quiz, session, topic, user};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

async fn id_of(app: &TestApp, email: &str) -> i64 {
    user::Entity::find()
        .filter(user::Column::Email.eq(email))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap()
        .id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_learners_ids_are_404_and_reveal_nothing() {
    let app = TestApp::spawn_with(Backend::Postgres, &[]).await;
    let _ann = crate::settings::practise(&app, "ann@example.com", "Annika's").await;
    let bob = app.register("bob@example.com").await;
    let db = &app.state.db;
    let ann = id_of(&app, "ann@example.com").await;

    let challenge = challenge::Entity::find()
        .filter(challenge::Column::UserId.eq(ann))
        .one(db)
        .await
        .unwrap()
        .unwrap()
        .id
        .to_string();
    let quiz = quiz::Entity::find()
        .filter(quiz::Column::UserId.eq(ann))
        .one(db)
        .await
        .unwrap()
        .unwrap()
        .id
        .to_string();
    let own_topic = topic::Entity::find()
        .filter(topic::Column::OwnerId.eq(ann))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let session = session::Entity::find()
        .filter(session::Column::UserId.eq(ann))
        .one(db)
        .await
        .unwrap()
        .unwrap()
        .id_hash;
    db.execute_unprepared(&format!(
        "INSERT INTO questions (topic_id, difficulty, title, stem, options, answer_index, \
           explanation, tags, source, content_hash, retired, created_at, updated_at) \
         VALUES ({}, 'easy', 'Annika''s own', 'Annika''s stem?', '[\"a\",\"b\",\"c\",\"d\"]', 0, \
           'x', '', 'ai', 'annikas-hash', false, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
        own_topic.id
    ))
    .await
    .unwrap();
    db.execute_unprepared(&format!(
        "INSERT INTO user_identities (user_id, provider, subject, email, created_at, last_used_at) \
         VALUES ({ann}, 'testidp', 'annika', 'ann@example.com', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
    ))
    .await
    .unwrap();
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT (SELECT id FROM questions WHERE content_hash = 'annikas-hash'), \
                    (SELECT id FROM user_identities WHERE subject = 'annika')",
        ))
        .await
        .unwrap()
        .unwrap();
    let own_question = row.try_get_by_index::<i64>(0).unwrap().to_string();
    let identity = row.try_get_by_index::<i64>(1).unwrap().to_string();
    let slug = own_topic.slug.clone();

    // (server function, its form with Ann's id, the same with an id nobody has)
    type Form<'a> = Vec<(&'a str, &'a str)>;
    let missing_session = "0".repeat(64);
    let cases: Vec<(&str, Form, Form)> = vec![
        (
            "/api/challenge/get",
            vec![("id", &challenge)],
            vec![("id", "987654321")],
        ),
        (
            "/api/challenge/answer",
            vec![("id", &challenge), ("choice", "0")],
            vec![("id", "987654321"), ("choice", "0")],
        ),
        (
            "/api/quiz/view",
            vec![("id", &quiz)],
            vec![("id", "987654321")],
        ),
        (
            "/api/quiz/answer",
            vec![("id", &quiz), ("position", "0"), ("choice", "0")],
            vec![("id", "987654321"), ("position", "0"), ("choice", "0")],
        ),
        (
            "/api/quiz/answered",
            vec![("id", &quiz), ("position", "0")],
            vec![("id", "987654321"), ("position", "0")],
        ),
        (
            "/api/quiz/pause",
            vec![("id", &quiz)],
            vec![("id", "987654321")],
        ),
        (
            "/api/quiz/resume",
            vec![("id", &quiz)],
            vec![("id", "987654321")],
        ),
        (
            "/api/quiz/result",
            vec![("id", &quiz)],
            vec![("id", "987654321")],
        ),
        (
            "/api/review/answer",
            vec![("question", &own_question), ("choice", "0")],
            vec![("question", "987654321"), ("choice", "0")],
        ),
        (
            "/api/review/flag",
            vec![("question", &own_question)],
            vec![("question", "987654321")],
        ),
        (
            "/api/notes/save",
            vec![("question", &own_question), ("body", "mine")],
            vec![("question", "987654321"), ("body", "mine")],
        ),
        (
            "/api/notes/delete",
            vec![("question", &own_question)],
            vec![("question", "987654321")],
        ),
        (
            "/api/topics/save",
            vec![("topic", &slug), ("priority", "3")],
            vec![("topic", "no-such-topic"), ("priority", "3")],
        ),
        (
            "/api/topics/delete",
            vec![("topic", &slug)],
            vec![("topic", "no-such-topic")],
        ),
        (
            "/api/settings/sessions/end",
            vec![("id", &session)],
            vec![("id", &missing_session)],
        ),
        (
            "/api/settings/logins/unlink",
            vec![("id", &identity)],
            vec![("id", "987654321")],
        ),
    ];
    let secrets = ["Annika", "ann@example.com", "annikas"];
    for (path, theirs, missing) in &cases {
        let (status, body) = app.call(path, theirs, &bob).await;
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "{path} with Ann's id: {body}"
        );
        let (missing_status, missing_body) = app.call(path, missing, &bob).await;
        assert_eq!(
            missing_status,
            StatusCode::NOT_FOUND,
            "{path} with no one's id: {missing_body}"
        );
        assert_eq!(
            body["message"], missing_body["message"],
            "{path}: the same answer as for no one's id"
        );
        for secret in secrets {
            assert!(
                !body.to_string().contains(secret),
                "{path} reveals {secret}: {body}"
            );
        }
    }
    for page in [format!("/quiz/{quiz}"), format!("/quiz/{quiz}/result")] {
        let response = app
            .client
            .get(format!("{}{page}", app.base))
            .header("cookie", &bob)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{page}");
        let html = response.text().await.unwrap();
        for secret in secrets {
            assert!(!html.contains(secret), "{page} reveals {secret}");
        }
    }
    // Nothing of Ann's changed: her session, login and own question are all still there.
    let still = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            format!(
                "SELECT (SELECT COUNT(*) FROM sessions WHERE user_id = {ann}) \
                      + (SELECT COUNT(*) FROM user_identities WHERE user_id = {ann}) \
                      + (SELECT COUNT(*) FROM questions WHERE content_hash = 'annikas-hash') \
                      + (SELECT COUNT(*) FROM topics WHERE owner_id = {ann})"
            ),
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get_by_index::<i64>(0)
        .unwrap();
    assert_eq!(still, 4);
    app.test_db.teardown().await;
}

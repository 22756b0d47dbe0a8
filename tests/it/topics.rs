//! Topics and a learner's settings of them: the service on both backends, and the bad
//! input over HTTP (each with its status and field, and nothing written).
use crate::common;

use common::app::TestApp;
use common::{load_bank, new_user, slug, Backend};
use promptedcode::challenge::server as challenges;
use promptedcode::entities::{topic, user_topic};
use promptedcode::error::AppError;
use promptedcode::topics::model::{TopicDescription, TopicName, TopicSetting};
use promptedcode::topics::server as topics;
use promptedcode::types::{Difficulty, Priority};
use reqwest::StatusCode;
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};

fn name(raw: &str) -> TopicName {
    TopicName::parse(raw).unwrap()
}

fn find<'a>(list: &'a [TopicSetting], slug: &str) -> &'a TopicSetting {
    list.iter()
        .find(|t| t.slug.as_str() == slug)
        .unwrap_or_else(|| panic!("{slug} listed"))
}

fn priority(p: u8) -> Priority {
    Priority::try_from(p).unwrap()
}

async fn bank_topics_start_active_at_normal_priority(db: DatabaseConnection) {
    let files = load_bank(&db).await;
    let user = new_user(&db, "defaults@example.com").await;
    let list = topics::list(&db, user).await.unwrap();
    assert_eq!(list.len(), files.len(), "every bank topic with questions");
    for topic in &list {
        assert_eq!(
            (topic.priority, topic.active, topic.own),
            (Priority::DEFAULT, true, false)
        );
        assert!(topic.questions > 0, "{}", topic.slug);
    }
    let names: Vec<&str> = list.iter().map(|t| t.name.as_str()).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "equal priorities: by name");
    assert_eq!(
        user_topic::Entity::find().count(&db).await.unwrap(),
        0,
        "defaults are not written"
    );
}

async fn settings_order_the_list_and_are_private(db: DatabaseConnection) {
    load_bank(&db).await;
    let ann = new_user(&db, "ann@example.com").await;
    let bob = new_user(&db, "bob@example.com").await;
    topics::save_setting(&db, ann, &slug("sql"), priority(5), true)
        .await
        .unwrap();
    topics::save_setting(&db, ann, &slug("stack"), priority(1), false)
        .await
        .unwrap();
    // Saving again updates the one row.
    topics::save_setting(&db, ann, &slug("stack"), priority(2), false)
        .await
        .unwrap();
    let list = topics::list(&db, ann).await.unwrap();
    assert_eq!(list[0].slug.as_str(), "sql", "highest priority first");
    assert_eq!(list.last().unwrap().slug.as_str(), "stack", "lowest last");
    let stack = find(&list, "stack");
    assert_eq!((stack.priority, stack.active), (priority(2), false));
    let bobs = topics::list(&db, bob).await.unwrap();
    assert!(bobs
        .iter()
        .all(|t| t.priority == Priority::DEFAULT && t.active));
    assert_eq!(user_topic::Entity::find().count(&db).await.unwrap(), 2);
}

async fn own_topics_are_named_once_and_seen_only_by_their_owner(db: DatabaseConnection) {
    load_bank(&db).await;
    let ann = new_user(&db, "ann@example.com").await;
    let bob = new_user(&db, "bob@example.com").await;
    let description = TopicDescription::parse("Shortest paths, BFS, DFS").unwrap();
    let graphs = topics::create(&db, ann, &name("Graph theory"), description.as_ref())
        .await
        .unwrap();
    assert!(graphs.as_str().starts_with("my-graph-theory-"), "{graphs}");
    let mine = topics::list(&db, ann).await.unwrap();
    let listed = find(&mine, graphs.as_str());
    assert!(listed.own && listed.active && listed.questions == 0);
    assert_eq!(
        listed.description.as_deref(),
        Some("Shortest paths, BFS, DFS")
    );

    // Another learner neither sees it nor can touch it.
    let bobs = topics::list(&db, bob).await.unwrap();
    assert!(bobs.iter().all(|t| t.slug != graphs));
    let err = topics::save_setting(&db, bob, &graphs, priority(4), true)
        .await
        .unwrap_err();
    assert_eq!(err, AppError::NotFound("Topic".into()));
    assert_eq!(
        topics::delete(&db, bob, &graphs).await.unwrap_err(),
        AppError::NotFound("Topic".into())
    );
    let err = challenges::next_challenge(&db, bob, &graphs, Difficulty::Easy)
        .await
        .unwrap_err();
    assert_eq!(err.field(), Some("topic"), "{err:?}");
    // Nor does it reach the shared topic list of the challenge picker.
    let shared = challenges::list_topics(&db).await.unwrap();
    assert!(shared.iter().all(|t| t.slug != graphs));

    // The same name again, in any case, or a bank topic's name: refused, nothing written.
    let before = topic::Entity::find().count(&db).await.unwrap();
    for taken in ["graph THEORY", "SQL"] {
        let err = topics::create(&db, ann, &name(taken), None)
            .await
            .unwrap_err();
        assert!(matches!(err, AppError::Conflict(_)), "{taken}: {err:?}");
    }
    assert_eq!(topic::Entity::find().count(&db).await.unwrap(), before);
    // Bob may use the name Ann used.
    topics::create(&db, bob, &name("Graph theory"), None)
        .await
        .unwrap();

    // A bank topic is not Ann's to delete; her own one goes, with her setting of it.
    assert_eq!(
        topics::delete(&db, ann, &slug("sql")).await.unwrap_err(),
        AppError::NotFound("Topic".into())
    );
    topics::save_setting(&db, ann, &graphs, priority(5), true)
        .await
        .unwrap();
    topics::delete(&db, ann, &graphs).await.unwrap();
    let mine = topics::list(&db, ann).await.unwrap();
    assert!(mine.iter().all(|t| t.slug != graphs));
    assert_eq!(
        user_topic::Entity::find().count(&db).await.unwrap(),
        1,
        "Bob's own topic's row"
    );
}

async fn an_own_topic_without_questions_says_so(db: DatabaseConnection) {
    load_bank(&db).await;
    let ann = new_user(&db, "ann@example.com").await;
    let own = topics::create(&db, ann, &name("Compilers"), None)
        .await
        .unwrap();
    let err = challenges::next_challenge(&db, ann, &own, Difficulty::Easy)
        .await
        .unwrap_err();
    // Her own topic is known; it just has nothing to serve yet, and the message says why.
    match err {
        AppError::Conflict(message) => {
            assert!(
                message.contains("your own topic") && message.contains("Compilers"),
                "{message}"
            )
        }
        other => panic!("{other:?}"),
    }
}

on_both_backends!(
    bank_topics_start_active_at_normal_priority,
    settings_order_the_list_and_are_private,
    own_topics_are_named_once_and_seen_only_by_their_owner,
    an_own_topic_without_questions_says_so,
);

/// Over HTTP, on the assembled app.
mod over_http {
    use super::*;

    /// A server function, its form, the status it must answer and the field it names.
    type Case<'a> = (
        &'a str,
        &'a [(&'a str, &'a str)],
        StatusCode,
        Option<&'a str>,
    );

    async fn bad_topic_input_gets_its_status_and_writes_nothing(backend: Backend) {
        let app = TestApp::spawn_with(backend, &[]).await;
        let cookie = app.register("topics@example.com").await;
        let db = &app.state.db;
        let rows = || async {
            (
                topic::Entity::find().count(db).await.unwrap(),
                user_topic::Entity::find().count(db).await.unwrap(),
            )
        };
        let before = rows().await;
        let long = "x".repeat(10 * 1024);
        let cases: &[Case] = &[
            (
                "/api/topics/save",
                &[("topic", "sql"), ("priority", "0")],
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("priority"),
            ),
            (
                "/api/topics/save",
                &[("topic", "sql"), ("priority", "6"), ("active", "true")],
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("priority"),
            ),
            (
                "/api/topics/save",
                &[("topic", "sql"), ("priority", "high")],
                StatusCode::BAD_REQUEST,
                None,
            ),
            (
                "/api/topics/save",
                &[("topic", "no-such-topic"), ("priority", "3")],
                StatusCode::NOT_FOUND,
                None,
            ),
            (
                "/api/topics/save",
                &[("topic", "Not A Slug"), ("priority", "3")],
                StatusCode::BAD_REQUEST,
                None,
            ),
            (
                "/api/topics/create",
                &[("name", "   ")],
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("name"),
            ),
            (
                "/api/topics/create",
                &[("name", long.as_str())],
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("name"),
            ),
            (
                "/api/topics/create",
                &[("name", "ok"), ("description", long.as_str())],
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("description"),
            ),
            (
                "/api/topics/create",
                &[("name", "SQL")],
                StatusCode::CONFLICT,
                None,
            ),
            (
                "/api/topics/delete",
                &[("topic", "sql")],
                StatusCode::NOT_FOUND,
                None,
            ),
        ];
        for (path, form, status, field) in cases {
            let response = app.post_form(path, form, Some(&cookie)).await;
            assert_eq!(response.status(), *status, "{path} {:?}", &form[..1]);
            let body: serde_json::Value =
                serde_json::from_str(&response.text().await.unwrap()).unwrap();
            assert!(
                body["message"].as_str().is_some_and(|m| !m.is_empty()),
                "{body}"
            );
            if let Some(field) = field {
                assert_eq!(body["field"], *field, "{body}");
            }
        }
        assert_eq!(rows().await, before, "nothing written");
        // Signed out: 401 before anything is read.
        let response = app
            .post_form(
                "/api/topics/save",
                &[("topic", "sql"), ("priority", "3")],
                None,
            )
            .await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

        // And the page: signed in it lists the topics; the new one shows after a plain post.
        let created = app
            .post_form(
                "/api/topics/create",
                &[("name", "Compilers")],
                Some(&cookie),
            )
            .await;
        assert_eq!(created.status(), StatusCode::OK);
        let html = app.page_as("/topics", &cookie).await;
        assert!(
            html.contains("Compilers") && html.contains("Your topic"),
            "own topic listed"
        );
        assert!(
            html.contains("cannot be practised"),
            "bank mode says so plainly"
        );
        app.test_db.teardown().await;
    }

    over_http_on_both_backends!(bad_topic_input_gets_its_status_and_writes_nothing);
}

//! Services and repositories against real databases: every test runs on SQLite and on
//! Postgres, each on a fresh database.
use crate::common;
use promptedcode::auth::server::accounts::Device;
use promptedcode::clock::LocalClock;

use common::{load_bank, new_user};
use promptedcode::auth::server::accounts as auth;
use promptedcode::challenge::server as challenges;
use promptedcode::entities::{challenge, question, session, user};
use promptedcode::error::AppError;
use promptedcode::history::model::{AskedIn, HistoryFilter, Outcome, SearchText};
use promptedcode::history::server as history;
use promptedcode::questions::bank;
use promptedcode::types::{ChallengeId, Difficulty};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter,
};
use std::collections::HashSet;

const PASSWORD: &str = "correct horse battery";

async fn user_count(db: &DatabaseConnection) -> u64 {
    user::Entity::find().count(db).await.unwrap()
}

async fn migrations_leave_the_database_ready(db: DatabaseConnection) {
    promptedcode::db::ready(&db)
        .await
        .expect("ready after migrations");
    // Running them again is a no-op.
    promptedcode::db::migrate(&db).await.expect("second run");
    promptedcode::db::ready(&db).await.expect("still ready");
}

async fn bank_sync_is_idempotent(db: DatabaseConnection) {
    let files = bank::load_dir(&common::bank_dir()).unwrap();
    let total: usize = files.iter().map(|f| f.questions.len()).sum();
    let first = bank::sync(&db, &files).await.unwrap();
    assert_eq!(first.inserted, total);
    assert_eq!(first.topics, files.len());
    let second = bank::sync(&db, &files).await.unwrap();
    assert_eq!((second.inserted, second.updated, second.retired), (0, 0, 0));
    assert_eq!(second.unchanged, total);
    assert_eq!(
        question::Entity::find().count(&db).await.unwrap(),
        total as u64
    );
}

async fn bank_sync_updates_edits_and_retires_removed_questions(db: DatabaseConnection) {
    let mut files = bank::load_dir(&common::bank_dir()).unwrap();
    bank::sync(&db, &files).await.unwrap();
    let edited_id = files[0].questions[0].id.clone();
    files[0].questions[0].title = "An edited title for this question".into();
    let removed = files[0].questions.pop().unwrap();
    let report = bank::sync(&db, &files).await.unwrap();
    assert_eq!((report.updated, report.retired, report.inserted), (1, 1, 0));

    let edited = question::Entity::find()
        .filter(question::Column::ExternalId.eq(edited_id))
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(edited.title, "An edited title for this question");
    let retired = question::Entity::find()
        .filter(question::Column::ExternalId.eq(removed.id))
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert!(retired.retired);
}

async fn register_validates_and_writes_nothing_on_bad_input(db: DatabaseConnection) {
    let long_email = format!("{}@example.com", "x".repeat(250));
    let long_name = "n".repeat(81);
    let cases = [
        ("", PASSWORD, "", "email"),
        ("no-at-sign", PASSWORD, "", "email"),
        ("a@b", PASSWORD, "", "email"),
        (long_email.as_str(), PASSWORD, "", "email"),
        ("ok@example.com", "", "", "password"),
        ("ok@example.com", "short", "", "password"),
        (
            "ok@example.com",
            PASSWORD,
            long_name.as_str(),
            "display_name",
        ),
    ];
    for (email, password, name, field) in cases {
        let err = crate::common::register_user(&db, email, password, name)
            .await
            .unwrap_err();
        assert_eq!(err.field(), Some(field), "{email:?}/{password:?}: {err:?}");
        assert_eq!(err.status(), 422);
    }
    let too_long = "p".repeat(129);
    let err = crate::common::register_user(&db, "ok@example.com", &too_long, "")
        .await
        .unwrap_err();
    assert_eq!(err.field(), Some("password"));
    let guessable = crate::common::register_user(&db, "ok@example.com", "aaaaaaaaaaaa", "")
        .await
        .unwrap_err();
    assert!(guessable.to_string().contains("too weak"), "{guessable}");
    assert_eq!(
        user_count(&db).await,
        0,
        "nothing written for invalid input"
    );
}

async fn register_rejects_duplicate_email_case_insensitively(db: DatabaseConnection) {
    let user = crate::common::register_user(&db, "  Ada@Example.com ", PASSWORD, "Ada")
        .await
        .unwrap();
    assert_eq!(user.email, "ada@example.com");
    assert_eq!(user.display_name, "Ada");
    let err = crate::common::register_user(&db, "ADA@example.com", PASSWORD, "")
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Conflict(_)), "{err:?}");
    assert_eq!(err.status(), 409);
    assert_eq!(user_count(&db).await, 1);
    let stored = user::Entity::find().one(&db).await.unwrap().unwrap();
    let hash = stored.password_hash.unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(!hash.contains(PASSWORD));
}

async fn login_checks_password_with_one_message(db: DatabaseConnection) {
    let id = new_user(&db, "grace@example.com").await;
    let user = auth::login(&db, "GRACE@example.com", PASSWORD, 5)
        .await
        .unwrap();
    assert_eq!(user.id, id);
    let wrong = auth::login(&db, "grace@example.com", "not the password", 5)
        .await
        .unwrap_err();
    let unknown = auth::login(&db, "nobody@example.com", PASSWORD, 5)
        .await
        .unwrap_err();
    assert_eq!(wrong, AppError::InvalidCredentials);
    assert_eq!(unknown, AppError::InvalidCredentials);
    assert_eq!(wrong.to_string(), unknown.to_string());
    assert_eq!(wrong.status(), 401);
    let empty = auth::login(&db, "", "", 5).await.unwrap_err();
    assert_eq!(empty.field(), Some("email"));
}

async fn sessions_resolve_expire_and_end(db: DatabaseConnection) {
    let id = new_user(&db, "linus@example.com").await;
    let from_registration = session::Entity::delete_many().exec(&db).await.unwrap();
    assert_eq!(from_registration.rows_affected, 1, "registering signs in");
    let token = auth::create_session(&db, id, crate::common::SESSIONS, &Device::unknown())
        .await
        .unwrap();
    assert_eq!(token.len(), 64);
    let stored = session::Entity::find().one(&db).await.unwrap().unwrap();
    assert_ne!(stored.id_hash, token, "only the hash is stored");
    assert_eq!(stored.id_hash, auth::hash_token(&token));
    let found = auth::user_for_session(&db, &token, crate::common::SESSIONS)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.id, id);
    assert!(
        auth::user_for_session(&db, &"0".repeat(64), crate::common::SESSIONS)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        auth::user_for_session(&db, "garbage", crate::common::SESSIONS)
            .await
            .unwrap()
            .is_none()
    );

    // Use marks the session as seen (at most once a minute).
    let hour_ago = chrono::Utc::now() - chrono::Duration::hours(1);
    let mut model: session::ActiveModel = stored.clone().into();
    model.last_seen_at = Set(hour_ago);
    model.update(&db).await.unwrap();
    auth::user_for_session(&db, &token, crate::common::SESSIONS)
        .await
        .unwrap()
        .unwrap();
    let seen = session::Entity::find().one(&db).await.unwrap().unwrap();
    assert!(
        seen.last_seen_at > hour_ago + chrono::Duration::minutes(59),
        "last_seen_at refreshed: {}",
        seen.last_seen_at
    );

    auth::delete_session(&db, &token).await.unwrap();
    assert!(auth::user_for_session(&db, &token, crate::common::SESSIONS)
        .await
        .unwrap()
        .is_none());

    let expired = auth::create_session(&db, id, crate::common::SESSIONS, &Device::unknown())
        .await
        .unwrap();
    let mut model: session::ActiveModel = session::Entity::find_by_id(auth::hash_token(&expired))
        .one(&db)
        .await
        .unwrap()
        .unwrap()
        .into();
    model.expires_at = Set(chrono::Utc::now() - chrono::Duration::seconds(1));
    model.update(&db).await.unwrap();
    assert!(
        auth::user_for_session(&db, &expired, crate::common::SESSIONS)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        session::Entity::find().count(&db).await.unwrap(),
        0,
        "expired session removed"
    );
}

async fn challenges_are_unseen_until_the_cell_is_exhausted(db: DatabaseConnection) {
    let files = load_bank(&db).await;
    let user = new_user(&db, "u@example.com").await;
    let topic = &files[0].topic.slug;
    let in_cell = files[0]
        .questions
        .iter()
        .filter(|q| q.difficulty == Difficulty::Easy)
        .count();
    assert!(in_cell >= 1);
    let mut titles = HashSet::new();
    for _ in 0..in_cell {
        let view = challenges::next_challenge(&db, user, &common::slug(topic), Difficulty::Easy)
            .await
            .unwrap();
        assert_eq!(view.topic.slug.as_str(), topic.as_str());
        assert_eq!(view.difficulty, Difficulty::Easy);
        assert_eq!(view.options_html.len(), 4);
        assert!(view.answer.is_none());
        assert!(
            titles.insert(view.title.clone()),
            "served twice: {}",
            view.title
        );
    }
    let err = challenges::next_challenge(&db, user, &common::slug(topic), Difficulty::Easy)
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Conflict(_)), "{err:?}");
    assert!(err.to_string().contains("every easy question"), "{err}");

    // Another user starts fresh.
    let other = new_user(&db, "v@example.com").await;
    challenges::next_challenge(&db, other, &common::slug(topic), Difficulty::Easy)
        .await
        .unwrap();

    let bad_topic =
        challenges::next_challenge(&db, user, &common::slug("no-such-topic"), Difficulty::Easy)
            .await
            .unwrap_err();
    assert_eq!(bad_topic.field(), Some("topic"));
    assert!("extreme".parse::<Difficulty>().is_err());
    assert!("Not A Slug"
        .parse::<promptedcode::types::TopicSlug>()
        .is_err());
}

async fn parallel_next_requests_never_serve_one_question_twice(db: DatabaseConnection) {
    let files = load_bank(&db).await;
    let user = new_user(&db, "racer@example.com").await;
    let topic = files[0].topic.slug.clone();
    let in_cell = files[0]
        .questions
        .iter()
        .filter(|q| q.difficulty == Difficulty::Easy)
        .count();
    let requests: Vec<_> = (0..in_cell + 4)
        .map(|_| {
            let (db, topic) = (db.clone(), topic.clone());
            tokio::spawn(async move {
                challenges::next_challenge(&db, user, &common::slug(&topic), Difficulty::Easy).await
            })
        })
        .collect();
    let mut served = Vec::new();
    let mut exhausted = 0;
    for request in requests {
        match request.await.unwrap() {
            Ok(view) => served.push(view.title),
            Err(AppError::Conflict(_)) => exhausted += 1,
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    let unique: HashSet<_> = served.iter().collect();
    assert_eq!(unique.len(), served.len(), "served twice: {served:?}");
    assert_eq!((served.len(), exhausted), (in_cell, 4));
}

async fn register_writes_the_account_and_its_session_together_or_not_at_all(
    db: DatabaseConnection,
) {
    use sea_orm::{ConnectionTrait, DbBackend};
    // Make the session insert fail: the account must not be left behind without it.
    let fail_sessions = match db.get_database_backend() {
        DbBackend::Postgres => vec![
            "CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER no_sessions BEFORE INSERT ON sessions FOR EACH ROW EXECUTE FUNCTION refuse()",
        ],
        _ => vec![
            "CREATE TRIGGER no_sessions BEFORE INSERT ON sessions BEGIN SELECT RAISE(ABORT, 'refused'); END",
        ],
    };
    for sql in fail_sessions {
        db.execute_unprepared(sql).await.unwrap();
    }
    let err = crate::common::register_user(&db, "half@example.com", PASSWORD, "")
        .await
        .unwrap_err();
    assert_eq!(err, AppError::Internal);
    assert_eq!(user_count(&db).await, 0, "no account without its session");
    db.execute_unprepared("DROP TRIGGER no_sessions ON sessions")
        .await
        .or(db.execute_unprepared("DROP TRIGGER no_sessions").await)
        .unwrap();
    crate::common::register_user(&db, "half@example.com", PASSWORD, "")
        .await
        .unwrap();
    assert_eq!(user_count(&db).await, 1);
    assert_eq!(session::Entity::find().count(&db).await.unwrap(), 1);
}

async fn answers_are_recorded_once_and_scoped_to_their_owner(db: DatabaseConnection) {
    let files = load_bank(&db).await;
    let owner = new_user(&db, "owner@example.com").await;
    let intruder = new_user(&db, "intruder@example.com").await;
    let view = challenges::next_challenge(
        &db,
        owner,
        &common::slug(&files[1].topic.slug),
        Difficulty::Medium,
    )
    .await
    .unwrap();

    // Someone else's challenge does not exist for them.
    let err = challenges::get_challenge(&db, intruder, view.id)
        .await
        .unwrap_err();
    assert_eq!(err.status(), 404);
    let err = challenges::answer(&db, intruder, view.id, 0)
        .await
        .unwrap_err();
    assert_eq!(err.status(), 404);

    let err = challenges::answer(&db, owner, view.id, 4)
        .await
        .unwrap_err();
    assert_eq!(err.status(), 422);

    let stored = challenge::Entity::find_by_id(view.id.0)
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    let q = question::Entity::find_by_id(stored.question_id)
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    let key = q.answer_index as u8;
    let result = challenges::answer(&db, owner, view.id, key).await.unwrap();
    assert!(result.correct);
    assert_eq!(result.answer_index, key);
    assert!(!result.explanation_html.is_empty());

    let again = challenges::answer(&db, owner, view.id, (key + 1) % 4)
        .await
        .unwrap_err();
    assert_eq!(again.status(), 409);
    let stored = challenge::Entity::find_by_id(view.id.0)
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.chosen_index, Some(i16::from(key)));
    assert_eq!(stored.correct, Some(true));
    let answered_at = stored.answered_at.expect("answered_at recorded");
    let taken = stored.time_taken_ms.expect("time taken recorded");
    let elapsed = (answered_at - stored.created_at).num_milliseconds();
    assert!(
        (0..=60_000).contains(&taken) && (taken - elapsed).abs() <= 2,
        "time taken {taken} ms, answered {elapsed} ms after being served"
    );

    let reloaded = challenges::get_challenge(&db, owner, view.id)
        .await
        .unwrap();
    assert_eq!(reloaded.answer.unwrap().chosen, key);

    let missing = challenges::get_challenge(&db, owner, ChallengeId(i64::MAX))
        .await
        .unwrap_err();
    assert_eq!(missing.status(), 404);
}

async fn history_is_paged_newest_first_and_private(db: DatabaseConnection) {
    let files = load_bank(&db).await;
    let user = new_user(&db, "h@example.com").await;
    let other = new_user(&db, "o@example.com").await;
    let mut served = Vec::new();
    'outer: for file in &files {
        for difficulty in Difficulty::ALL {
            while let Ok(view) =
                challenges::next_challenge(&db, user, &common::slug(&file.topic.slug), difficulty)
                    .await
            {
                served.push(view);
                if served.len() == 25 {
                    break 'outer;
                }
            }
        }
    }
    assert_eq!(served.len(), 25);
    challenges::answer(&db, user, served[24].id, 0)
        .await
        .unwrap();

    let all = HistoryFilter::default();
    let first = history::page(&db, user, 1, &all, vec![], &LocalClock::UTC)
        .await
        .unwrap();
    assert!(first.has_older);
    assert_eq!(first.entries.len(), history::PAGE_SIZE as usize);
    assert_eq!(first.entries[0].id, served[24].id, "newest first");
    assert_ne!(first.entries[0].outcome, Outcome::Unanswered);
    assert_eq!(first.entries[1].outcome, Outcome::Unanswered);
    let second = history::page(&db, user, 2, &all, vec![], &LocalClock::UTC)
        .await
        .unwrap();
    assert_eq!(second.entries.len(), 5);
    assert!(!second.has_older, "25 rows make two pages");
    assert_eq!(second.entries.last().unwrap().id, served[0].id);
    let beyond = history::page(&db, user, 3, &all, vec![], &LocalClock::UTC)
        .await
        .unwrap();
    assert!(beyond.entries.is_empty());
    assert!(!beyond.has_older);
    assert_eq!(
        history::page(&db, user, 0, &all, vec![], &LocalClock::UTC)
            .await
            .unwrap_err()
            .status(),
        422
    );

    // Filters: by result, by topic, both; each page still newest first.
    let answered = first.entries[0].outcome;
    let by_result = |outcome| HistoryFilter {
        outcome: Some(outcome),
        ..HistoryFilter::default()
    };
    let only_answered = history::page(&db, user, 1, &by_result(answered), vec![], &LocalClock::UTC)
        .await
        .unwrap();
    assert_eq!(only_answered.entries.len(), 1);
    assert_eq!(only_answered.entries[0].id, served[24].id);
    let unanswered = history::page(
        &db,
        user,
        2,
        &by_result(Outcome::Unanswered),
        vec![],
        &LocalClock::UTC,
    )
    .await
    .unwrap();
    assert_eq!(unanswered.entries.len(), 4, "24 unanswered: 20 + 4");
    assert!(unanswered
        .entries
        .iter()
        .all(|e| e.outcome == Outcome::Unanswered));
    let first_topic = served[0].topic.clone();
    let in_topic = served.iter().filter(|v| v.topic == first_topic).count();
    let by_topic = HistoryFilter {
        topic: Some(first_topic.slug.clone()),
        ..HistoryFilter::default()
    };
    let topic_page = history::page(&db, user, 1, &by_topic, vec![], &LocalClock::UTC)
        .await
        .unwrap();
    assert_eq!(topic_page.entries.len(), in_topic.min(20));
    assert!(topic_page
        .entries
        .iter()
        .all(|e| e.topic == first_topic.name));
    let nothing = HistoryFilter {
        topic: Some(first_topic.slug.clone()),
        outcome: Some(Outcome::Correct),
        ..HistoryFilter::default()
    };
    let correct_in_topic = history::page(&db, user, 1, &nothing, vec![], &LocalClock::UTC)
        .await
        .unwrap();
    assert!(correct_in_topic
        .entries
        .iter()
        .all(|e| e.outcome == Outcome::Correct && e.topic == first_topic.name));

    // By difficulty, by where it was asked, by words of the question.
    let listed = |filter: HistoryFilter| {
        let db = db.clone();
        async move {
            let mut ids = Vec::new();
            for page in 1..=3 {
                let found = history::page(&db, user, page, &filter, vec![], &LocalClock::UTC)
                    .await
                    .unwrap();
                ids.extend(found.entries.iter().map(|e| e.id));
            }
            ids
        }
    };
    let hard = served
        .iter()
        .filter(|v| v.difficulty == Difficulty::Hard)
        .count();
    let only_hard = listed(HistoryFilter {
        difficulty: Some(Difficulty::Hard),
        ..HistoryFilter::default()
    })
    .await;
    assert_eq!(only_hard.len(), hard);
    assert_eq!(
        listed(HistoryFilter {
            asked_in: Some(AskedIn::Challenge),
            ..HistoryFilter::default()
        })
        .await
        .len(),
        25
    );
    assert!(listed(HistoryFilter {
        asked_in: Some(AskedIn::Quiz),
        ..HistoryFilter::default()
    })
    .await
    .is_empty());
    let word = served[0]
        .title
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| w.len() >= 5)
        .max_by_key(|w| w.len())
        .expect("a title with a word of 5 letters")
        .to_owned();
    let search = |text: &str| HistoryFilter {
        search: SearchText::parse(text).unwrap(),
        ..HistoryFilter::default()
    };
    let found = listed(search(&word.to_uppercase())).await;
    assert!(found.contains(&served[0].id), "{word}: {found:?}");
    assert!(found.len() < 25, "{word} is not in every question");
    assert!(listed(search("zzqxv nowhere")).await.is_empty());
    assert!(
        listed(search("%%")).await.is_empty(),
        "taken literally, not as a wildcard"
    );

    let theirs = history::page(&db, other, 1, &all, vec![], &LocalClock::UTC)
        .await
        .unwrap();
    assert!(theirs.entries.is_empty());
    assert!(!theirs.has_older);

    let today = promptedcode::review::server::Day::of(LocalClock::UTC, chrono::Utc::now());
    let stats = history::stats(&db, user, today, 20).await.unwrap();
    assert_eq!(stats.answered, 1);
    // A wrong answer is a review due today; a right one is not.
    assert_eq!(stats.reviews_due, 1 - stats.correct);
}

/// Stored values are read back checked: a corrupt one is a loud error (logged, 500), never
/// a silent default (a wrong difficulty, an empty list of options).
async fn a_corrupt_stored_value_is_an_error_not_a_default(db: DatabaseConnection) {
    use sea_orm::ConnectionTrait;
    let files = load_bank(&db).await;
    let user = new_user(&db, "corrupt@example.com").await;
    let slug = common::slug(&files[0].topic.slug);
    let view = challenges::next_challenge(&db, user, &slug, Difficulty::Easy)
        .await
        .unwrap();
    let id = view.id;
    let question = format!("(SELECT question_id FROM challenges WHERE id = {})", id.0);
    for corruption in [
        format!("UPDATE questions SET difficulty = 'extreme' WHERE id = {question}"),
        format!("UPDATE questions SET difficulty = 'easy', options = '[\"only one\"]' WHERE id = {question}"),
        format!("UPDATE questions SET options = 'not json' WHERE id = {question}"),
        format!("UPDATE questions SET options = '[\"a\",\"b\",\"c\",\"d\"]', source = 'forum' WHERE id = {question}"),
    ] {
        db.execute_unprepared(&corruption).await.unwrap();
        let err = challenges::get_challenge(&db, user, id).await.unwrap_err();
        assert_eq!(err, AppError::Internal, "{corruption}");
    }
    db.execute_unprepared(&format!(
        "UPDATE questions SET source = 'bank' WHERE id = {question}"
    ))
    .await
    .unwrap();
    assert_eq!(
        challenges::get_challenge(&db, user, id)
            .await
            .unwrap()
            .options_html
            .len(),
        4,
        "readable again once repaired"
    );
}

on_both_backends!(
    parallel_next_requests_never_serve_one_question_twice,
    register_writes_the_account_and_its_session_together_or_not_at_all,
    a_corrupt_stored_value_is_an_error_not_a_default,
    migrations_leave_the_database_ready,
    bank_sync_is_idempotent,
    bank_sync_updates_edits_and_retires_removed_questions,
    register_validates_and_writes_nothing_on_bad_input,
    register_rejects_duplicate_email_case_insensitively,
    login_checks_password_with_one_message,
    sessions_resolve_expire_and_end,
    challenges_are_unseen_until_the_cell_is_exhausted,
    answers_are_recorded_once_and_scoped_to_their_owner,
    history_is_paged_newest_first_and_private,
);

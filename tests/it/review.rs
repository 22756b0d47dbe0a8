//! Spaced review (FSRS) and the notebook, on SQLite and on Postgres: missed questions
//! become cards due today, a review pushes a card out and never back the same day, the
//! new-card limit, the rating override, flags, and notes scoped to their writer. Times
//! are the `now` the service is given.
use crate::common;

use chrono::{DateTime, Duration, Utc};
use common::{load_bank, new_user, slug};
use promptedcode::challenge::server as challenges;
use promptedcode::clock::LocalClock;
use promptedcode::entities::{challenge, question, quiz_item, review_card, review_log};
use promptedcode::error::AppError;
use promptedcode::notes::model::NoteBody;
use promptedcode::notes::server as notes;
use promptedcode::quiz::server::{self as quizzes, NewQuiz};
use promptedcode::review::model::{CardOrigin, CardState, ReviewRating};
use promptedcode::review::server::{self as review, Day};
use promptedcode::types::{ChallengeId, Difficulty, QuestionId, QuizId, UserId};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};

const NEW_PER_DAY: u32 = 20;

fn t0() -> DateTime<Utc> {
    "2026-12-02T09:00:00Z".parse().unwrap()
}

fn secs(n: i64) -> Duration {
    Duration::seconds(n)
}

/// The learner's day (UTC, as `new_user` registers them) around `now`.
fn day(now: DateTime<Utc>) -> Day {
    Day::of(LocalClock::UTC, now)
}

async fn key_of(db: &DatabaseConnection, question: QuestionId) -> u8 {
    question::Entity::find_by_id(question.0)
        .one(db)
        .await
        .unwrap()
        .unwrap()
        .answer_index as u8
}

/// A finished five-question sql quiz with every answer wrong; returns its questions.
async fn missed_quiz(db: &DatabaseConnection, user: UserId, at: DateTime<Utc>) -> Vec<i64> {
    let spec = NewQuiz::Topic {
        topic: slug("sql"),
        difficulty: None,
        count: 5,
        minutes: None,
    };
    let id: QuizId = quizzes::create(db, user, spec, at).await.unwrap();
    let mut questions = Vec::new();
    for position in 0..5u16 {
        quizzes::view(db, user, id, at).await.unwrap();
        let item = quiz_item::Entity::find_by_id((id.0, position as i16))
            .one(db)
            .await
            .unwrap()
            .unwrap();
        let wrong = (key_of(db, QuestionId(item.question_id)).await + 1) % 4;
        quizzes::answer(db, user, id, position, wrong, at)
            .await
            .unwrap();
        questions.push(item.question_id);
    }
    questions
}

async fn card(db: &DatabaseConnection, user: UserId, question: QuestionId) -> review_card::Model {
    review_card::Entity::find_by_id((user.0, question.0))
        .one(db)
        .await
        .unwrap()
        .expect("a card")
}

async fn a_missed_question_is_due_today_and_a_correct_review_pushes_it_out(db: DatabaseConnection) {
    load_bank(&db).await;
    let ann = new_user(&db, "ann@example.com").await;
    let empty = review::queue(&db, ann, day(t0()), t0(), NEW_PER_DAY)
        .await
        .unwrap();
    assert_eq!((empty.due, empty.cards, empty.card), (0, 0, None));

    let missed = missed_quiz(&db, ann, t0()).await;
    let now = t0() + secs(60);
    let queue = review::queue(&db, ann, day(now), now, NEW_PER_DAY)
        .await
        .unwrap();
    assert_eq!((queue.due, queue.cards, queue.new_left), (5, 5, 20));
    let shown = queue.card.expect("a card on screen");
    assert!(missed.contains(&shown.question.0));
    assert!(shown.is_new);
    assert_eq!(shown.origin, CardOrigin::Missed);

    // Right, 8 seconds after it was shown (the server's count): Easy, and not before tomorrow.
    let key = key_of(&db, shown.question).await;
    let outcome = review::answer(
        &db,
        ann,
        shown.question,
        key,
        day(now),
        now + secs(8),
        NEW_PER_DAY,
    )
    .await
    .unwrap();
    assert!(outcome.correct);
    assert_eq!(
        (outcome.rating, outcome.time_ms),
        (ReviewRating::Easy, 8_000)
    );
    assert!(
        outcome.in_days >= 2,
        "an easy new card waits days: {outcome:?}"
    );
    let stored = card(&db, ann, shown.question).await;
    assert!(stored.due >= day(now).end + Duration::days(1), "{stored:?}");
    assert_eq!((stored.reps, stored.state), (1, CardState::Review));
    assert_eq!(stored.shown_at, None);

    // The same answer again (double click, retry) is the same review; another is refused.
    let again = review::answer(
        &db,
        ann,
        shown.question,
        key,
        day(now),
        now + secs(30),
        NEW_PER_DAY,
    )
    .await
    .unwrap();
    assert_eq!(again, outcome);
    let err = review::answer(
        &db,
        ann,
        shown.question,
        (key + 1) % 4,
        day(now),
        now + secs(30),
        NEW_PER_DAY,
    )
    .await
    .unwrap_err();
    assert!(matches!(err, AppError::Conflict(_)), "{err:?}");
    assert_eq!(
        review_log::Entity::find().count(&db).await.unwrap(),
        1,
        "one review written"
    );

    let after = review::queue(&db, ann, day(now), now + secs(40), NEW_PER_DAY)
        .await
        .unwrap();
    assert_eq!(after.due, 4);
    assert_ne!(after.card.unwrap().question, shown.question);

    // Out of range, unknown, or someone else's card: refused, nothing written.
    let err = review::answer(&db, ann, shown.question, 4, day(now), now, NEW_PER_DAY)
        .await
        .unwrap_err();
    assert_eq!(err.field(), Some("choice"));
    let bob = new_user(&db, "bob@example.com").await;
    for probe in [shown.question, QuestionId(missed[1]), QuestionId(999_999)] {
        let err = review::answer(&db, bob, probe, 0, day(now), now, NEW_PER_DAY)
            .await
            .unwrap_err();
        assert_eq!(err, AppError::NotFound("Review card".into()));
    }
    assert_eq!(review_log::Entity::find().count(&db).await.unwrap(), 1);
}

async fn a_card_reviewed_today_does_not_come_back_today(db: DatabaseConnection) {
    load_bank(&db).await;
    let ann = new_user(&db, "ann@example.com").await;
    missed_quiz(&db, ann, t0()).await;
    let queue = review::queue(&db, ann, day(t0()), t0(), NEW_PER_DAY)
        .await
        .unwrap();
    let shown = queue.card.unwrap().question;
    let wrong = (key_of(&db, shown).await + 1) % 4;
    let outcome = review::answer(
        &db,
        ann,
        shown,
        wrong,
        day(t0()),
        t0() + secs(5),
        NEW_PER_DAY,
    )
    .await
    .unwrap();
    assert_eq!(
        (outcome.correct, outcome.rating),
        (false, ReviewRating::Again)
    );
    assert_eq!(outcome.in_days, 1, "a miss comes back tomorrow, not today");

    // Missed again elsewhere the same day: the card is due, but not again today.
    let later = t0() + secs(3600);
    review::enqueue(&db, ann, shown, CardOrigin::Missed, later)
        .await
        .unwrap();
    assert_eq!(card(&db, ann, shown).await.due, later);
    let mut seen = Vec::new();
    let mut at = later;
    loop {
        let queue = review::queue(&db, ann, day(at), at, NEW_PER_DAY)
            .await
            .unwrap();
        let Some(next) = queue.card else { break };
        assert_ne!(next.question, shown, "reviewed today, shown again today");
        let key = key_of(&db, next.question).await;
        review::answer(
            &db,
            ann,
            next.question,
            key,
            day(at),
            at + secs(3),
            NEW_PER_DAY,
        )
        .await
        .unwrap();
        seen.push(next.question);
        at += secs(10);
    }
    assert_eq!(seen.len(), 4);
    let err = review::answer(&db, ann, shown, (wrong + 1) % 4, day(at), at, NEW_PER_DAY)
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Conflict(_)), "{err:?}");

    // Tomorrow it is the one card due.
    let tomorrow = t0() + Duration::days(1);
    let queue = review::queue(&db, ann, day(tomorrow), tomorrow, NEW_PER_DAY)
        .await
        .unwrap();
    assert_eq!(queue.due, 1);
    assert_eq!(queue.card.unwrap().question, shown);
}

async fn the_new_card_limit_holds(db: DatabaseConnection) {
    load_bank(&db).await;
    let ann = new_user(&db, "ann@example.com").await;
    missed_quiz(&db, ann, t0()).await;
    let limit = 2;
    let queue = review::queue(&db, ann, day(t0()), t0(), limit)
        .await
        .unwrap();
    assert_eq!((queue.due, queue.new_left, queue.new_waiting), (2, 2, 3));
    let mut at = t0();
    for _ in 0..2 {
        let next = review::queue(&db, ann, day(at), at, limit)
            .await
            .unwrap()
            .card
            .unwrap();
        let key = key_of(&db, next.question).await;
        review::answer(&db, ann, next.question, key, day(at), at + secs(4), limit)
            .await
            .unwrap();
        at += secs(10);
    }
    let queue = review::queue(&db, ann, day(at), at, limit).await.unwrap();
    assert_eq!((queue.due, queue.new_left, queue.new_waiting), (0, 0, 3));
    assert_eq!(queue.card, None);
    // A third new card cannot be reviewed today even by its id.
    let waiting = review_card::Entity::find()
        .filter(review_card::Column::UserId.eq(ann.0))
        .filter(review_card::Column::State.eq(CardState::New))
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    let err = review::answer(
        &db,
        ann,
        QuestionId(waiting.question_id),
        0,
        day(at),
        at,
        limit,
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&err, AppError::Conflict(m) if m.contains("new cards")),
        "{err:?}"
    );
    let tomorrow = t0() + Duration::days(1);
    let queue = review::queue(&db, ann, day(tomorrow), tomorrow, limit)
        .await
        .unwrap();
    assert_eq!((queue.due, queue.new_left, queue.new_waiting), (2, 2, 1));
}

async fn a_chosen_rating_reschedules_from_the_same_state(db: DatabaseConnection) {
    load_bank(&db).await;
    let ann = new_user(&db, "ann@example.com").await;
    missed_quiz(&db, ann, t0()).await;
    let shown = review::queue(&db, ann, day(t0()), t0(), NEW_PER_DAY)
        .await
        .unwrap()
        .card
        .unwrap()
        .question;
    let err = review::rate(&db, ann, shown, ReviewRating::Good, day(t0()))
        .await
        .unwrap_err();
    assert!(
        matches!(err, AppError::Conflict(_)),
        "no review yet: {err:?}"
    );
    let key = key_of(&db, shown).await;
    let easy = review::answer(&db, ann, shown, key, day(t0()), t0() + secs(5), NEW_PER_DAY)
        .await
        .unwrap();
    assert_eq!(easy.rating, ReviewRating::Easy);
    let again = review::rate(&db, ann, shown, ReviewRating::Again, day(t0()))
        .await
        .unwrap();
    assert_eq!(
        (again.rating, again.inferred),
        (ReviewRating::Again, ReviewRating::Easy)
    );
    assert_eq!(again.in_days, 1);
    assert!(card(&db, ann, shown).await.due < card_due_after(&easy));
    let good = review::rate(&db, ann, shown, ReviewRating::Good, day(t0()))
        .await
        .unwrap();
    assert!(
        good.in_days > again.in_days && good.in_days < easy.in_days,
        "{good:?} {easy:?}"
    );
    let stored = card(&db, ann, shown).await;
    assert_eq!(stored.reps, 1, "a re-rating is not another review");
    let log = review_log::Entity::find().one(&db).await.unwrap().unwrap();
    assert_eq!(log.rating, ReviewRating::Good);
    // Back to the rating it had: the same day as the first time.
    let easy_again = review::rate(&db, ann, shown, ReviewRating::Easy, day(t0()))
        .await
        .unwrap();
    assert_eq!(easy_again.next_day, easy.next_day);
}

fn card_due_after(outcome: &promptedcode::review::model::ReviewOutcome) -> DateTime<Utc> {
    format!("{}T00:00:00Z", outcome.next_day).parse().unwrap()
}

async fn question_of(db: &DatabaseConnection, challenge: ChallengeId) -> QuestionId {
    QuestionId(
        challenge::Entity::find_by_id(challenge.0)
            .one(db)
            .await
            .unwrap()
            .unwrap()
            .question_id,
    )
}

async fn a_missed_challenge_and_a_flag_make_cards(db: DatabaseConnection) {
    load_bank(&db).await;
    let ann = new_user(&db, "ann@example.com").await;
    let view = challenges::next_challenge(&db, ann, &slug("stack"), Difficulty::Easy)
        .await
        .unwrap();
    let question = question_of(&db, view.id).await;
    let wrong = (key_of(&db, question).await + 1) % 4;
    challenges::answer(&db, ann, view.id, wrong).await.unwrap();
    let missed = card(&db, ann, question).await;
    assert_eq!(
        (missed.origin, missed.state),
        (CardOrigin::Missed, CardState::New)
    );
    assert!(missed.due <= Utc::now());

    // Right answers make no card; a flag does.
    let view = challenges::next_challenge(&db, ann, &slug("stack"), Difficulty::Easy)
        .await
        .unwrap();
    let right = question_of(&db, view.id).await;
    let key = key_of(&db, right).await;
    challenges::answer(&db, ann, view.id, key).await.unwrap();
    assert_eq!(review_card::Entity::find().count(&db).await.unwrap(), 1);
    review::flag(&db, ann, right, Utc::now()).await.unwrap();
    assert_eq!(card(&db, ann, right).await.origin, CardOrigin::Flagged);
    review::flag(&db, ann, right, Utc::now()).await.unwrap();
    assert_eq!(review_card::Entity::find().count(&db).await.unwrap(), 2);
    assert_eq!(
        review::flag(&db, ann, QuestionId(999_999), Utc::now())
            .await
            .unwrap_err(),
        AppError::NotFound("Question".into())
    );
}

async fn notes_belong_to_their_writer(db: DatabaseConnection) {
    load_bank(&db).await;
    let ann = new_user(&db, "ann@example.com").await;
    let bob = new_user(&db, "bob@example.com").await;
    let question = QuestionId(question::Entity::find().one(&db).await.unwrap().unwrap().id);
    let body = NoteBody::parse("Off by one: the loop ends at len - 1.").unwrap();
    notes::save(&db, ann, question, &body, t0()).await.unwrap();
    let rewritten = NoteBody::parse("Check the loop bound.").unwrap();
    notes::save(&db, ann, question, &rewritten, t0() + secs(5))
        .await
        .unwrap();
    let listed = notes::list(&db, ann, &LocalClock::UTC).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].body, "Check the loop bound.");
    assert_eq!(listed[0].question, question);
    assert!(
        notes::list(&db, bob, &LocalClock::UTC)
            .await
            .unwrap()
            .is_empty(),
        "private"
    );
    assert_eq!(
        notes::editing(&db, bob, question, &LocalClock::UTC)
            .await
            .unwrap()
            .note
            .body,
        "",
        "bob sees the question, not ann's note"
    );
    let err = notes::save(&db, ann, QuestionId(999_999), &body, t0())
        .await
        .unwrap_err();
    assert_eq!(err, AppError::NotFound("Question".into()));
    // Bob's delete does not touch ann's note.
    notes::delete(&db, bob, question).await.unwrap();
    assert_eq!(
        notes::list(&db, ann, &LocalClock::UTC).await.unwrap().len(),
        1
    );
    notes::delete(&db, ann, question).await.unwrap();
    assert!(notes::list(&db, ann, &LocalClock::UTC)
        .await
        .unwrap()
        .is_empty());
}

/// A challenge's answer carries the learner's note on its question (theirs only), and so
/// does the answered challenge when it is opened again.
async fn an_answered_challenge_shows_its_writers_note(db: DatabaseConnection) {
    load_bank(&db).await;
    let ann = new_user(&db, "ann@example.com").await;
    let bob = new_user(&db, "bob@example.com").await;
    let first = challenges::next_challenge(&db, ann, &slug("stack"), Difficulty::Easy)
        .await
        .unwrap();
    assert_eq!(
        challenges::answer(&db, ann, first.id, 0)
            .await
            .unwrap()
            .note,
        None
    );
    // Ann writes a note on every question of the cell.
    let body = NoteBody::parse("Last in, first out.").unwrap();
    for q in question::Entity::find().all(&db).await.unwrap() {
        notes::save(&db, ann, QuestionId(q.id), &body, t0())
            .await
            .unwrap();
    }
    let reopened = challenges::get_challenge(&db, ann, first.id).await.unwrap();
    assert_eq!(
        reopened.answer.and_then(|a| a.note).as_deref(),
        Some("Last in, first out.")
    );
    let next = challenges::next_challenge(&db, ann, &slug("stack"), Difficulty::Easy)
        .await
        .unwrap();
    assert_eq!(next.answer, None, "an unanswered challenge shows no answer");
    let answered = challenges::answer(&db, ann, next.id, 1).await.unwrap();
    assert_eq!(answered.note.as_deref(), Some("Last in, first out."));

    // Bob, on a question ann wrote about, gets no note.
    let theirs = challenges::next_challenge(&db, bob, &slug("stack"), Difficulty::Easy)
        .await
        .unwrap();
    assert_eq!(
        challenges::answer(&db, bob, theirs.id, 0)
            .await
            .unwrap()
            .note,
        None
    );
    let reopened = challenges::get_challenge(&db, bob, theirs.id)
        .await
        .unwrap();
    assert_eq!(reopened.answer.and_then(|a| a.note), None);
}

on_both_backends!(
    a_missed_question_is_due_today_and_a_correct_review_pushes_it_out,
    an_answered_challenge_shows_its_writers_note,
    a_card_reviewed_today_does_not_come_back_today,
    the_new_card_limit_holds,
    a_chosen_rating_reschedules_from_the_same_state,
    a_missed_challenge_and_a_flag_make_cards,
    notes_belong_to_their_writer,
);

/// Over HTTP, on the assembled app: a missed challenge reviewed with a forged time, the
/// dashboard's count, and bad input with its status and nothing written.
mod over_http {
    use crate::common::app::{Refusal, TestApp};
    use crate::common::Backend;
    use promptedcode::entities::{note, review_log};
    use reqwest::StatusCode;
    use sea_orm::{EntityTrait, PaginatorTrait};

    async fn a_missed_challenge_is_reviewed_on_the_servers_clock(backend: Backend) {
        let app = TestApp::spawn_with(backend, &[]).await;
        let cookie = app.register("review@example.com").await;
        // Answer challenges until one is missed.
        let question = loop {
            let (status, next) = app
                .call(
                    "/api/challenge/next",
                    &[("topic", "stack"), ("difficulty", "easy")],
                    &cookie,
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{next}");
            let id = next["id"].to_string();
            let (_, answer) = app
                .call(
                    "/api/challenge/answer",
                    &[("id", &id), ("choice", "0")],
                    &cookie,
                )
                .await;
            if answer["correct"] == false {
                break next["question"].to_string();
            }
        };
        let (_, stats) = app.call("/api/stats", &[], &cookie).await;
        assert_eq!(stats["reviews_due"], 1, "{stats}");
        let (status, queue) = app.call("/api/review/queue", &[], &cookie).await;
        assert_eq!(status, StatusCode::OK, "{queue}");
        assert_eq!(queue["card"]["question"].to_string(), question, "{queue}");
        // A made-up time in the form changes nothing: the server counts from the showing.
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        let answer = [
            ("question", question.as_str()),
            ("choice", "1"),
            ("time_ms", "999999"),
        ];
        let (status, outcome) = app.call("/api/review/answer", &answer, &cookie).await;
        assert_eq!(status, StatusCode::OK, "{outcome}");
        let ms = outcome["time_ms"].as_u64().unwrap();
        assert!((200..60_000).contains(&ms), "{outcome}");
        let (_, stats) = app.call("/api/stats", &[], &cookie).await;
        assert_eq!(stats["reviews_due"], 0, "{stats}");
        let (status, rated) = app
            .call(
                "/api/review/rate",
                &[("question", question.as_str()), ("rating", "hard")],
                &cookie,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{rated}");
        assert_eq!(rated["rating"], "hard");

        let other = app.register("other@example.com").await;
        let long_note = "x".repeat(10_000);
        let cases: [Refusal; 8] = [
            (
                "/api/review/answer",
                vec![("question", question.as_str()), ("choice", "1")],
                other.as_str(),
                StatusCode::NOT_FOUND,
                None,
            ),
            (
                "/api/review/answer",
                vec![("question", question.as_str()), ("choice", "9")],
                cookie.as_str(),
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("choice"),
            ),
            (
                "/api/review/answer",
                vec![("question", question.as_str()), ("choice", "2")],
                cookie.as_str(),
                StatusCode::CONFLICT,
                None,
            ),
            (
                "/api/review/rate",
                vec![("question", question.as_str()), ("rating", "great")],
                cookie.as_str(),
                StatusCode::BAD_REQUEST,
                None,
            ),
            (
                "/api/review/rate",
                vec![("question", question.as_str()), ("rating", "good")],
                other.as_str(),
                StatusCode::NOT_FOUND,
                None,
            ),
            (
                "/api/review/flag",
                vec![("question", "99999999")],
                cookie.as_str(),
                StatusCode::NOT_FOUND,
                None,
            ),
            (
                "/api/notes/save",
                vec![
                    ("question", question.as_str()),
                    ("body", long_note.as_str()),
                ],
                cookie.as_str(),
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("body"),
            ),
            (
                "/api/notes/save",
                vec![("question", question.as_str()), ("body", "  ")],
                cookie.as_str(),
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("body"),
            ),
        ];
        app.assert_refused(&cases).await;
        let db = &app.state.db;
        assert_eq!(review_log::Entity::find().count(db).await.unwrap(), 1);
        assert_eq!(note::Entity::find().count(db).await.unwrap(), 0);
        // Signed out: 401, with a message.
        let response = app.post_form("/api/review/queue", &[], None).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

        let (status, _) = app
            .call(
                "/api/notes/save",
                &[
                    ("question", question.as_str()),
                    ("body", "Pop before peek."),
                ],
                &cookie,
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let (_, notes) = app.call("/api/notes/mine", &[], &cookie).await;
        assert_eq!(notes["notes"][0]["body"], "Pop before peek.", "{notes}");
        let (_, theirs) = app.call("/api/notes/mine", &[], &other).await;
        assert_eq!(theirs["notes"], serde_json::json!([]), "{theirs}");
        app.test_db.teardown().await;
    }

    over_http_on_both_backends!(a_missed_challenge_is_reviewed_on_the_servers_clock);
}

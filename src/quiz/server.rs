//! Quizzes on the server: composing one (unseen questions first, never one twice), showing
//! its question, taking answers, pauses and the time limit, and the result. Every time is
//! the server's own `now`, passed in (a client's clock is never read), and every statement
//! is scoped to the caller: another learner's quiz is "not found".
//!
//! An answer is one transaction: first a conditional update that moves the quiz on from
//! the question answered (of two tabs or a double click, exactly one gets it), then the
//! answer itself. A repeat of the same answer returns the first one's result.
use super::model::{
    QuizAnswer, QuizClock, QuizKind, QuizQuestion, QuizResult, QuizView, ResultItem, Reveal, Tally,
    DEFAULT_DAILY_GOAL, MOCK_SIZES, TIME_LIMIT_MINUTES, TOPIC_QUIZ_SIZES,
};
use crate::challenge::server::stored_key;
use crate::db::portable;
use crate::entities::{question, quiz, quiz_item, topic, user};
use crate::error::AppError;
use crate::questions::markdown::{options_html, to_html};
use crate::types::{Difficulty, QuestionId, QuizId, TopicSlug, UserId};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, QueryFilter, QueryOrder, TransactionTrait, Value,
};

/// What a learner asks for.
#[derive(Clone, Debug)]
pub enum NewQuiz {
    /// Today's daily quiz (the same one all day, in the learner's time zone).
    Daily,
    Topic {
        topic: TopicSlug,
        difficulty: Option<Difficulty>,
        count: u16,
        minutes: Option<u16>,
    },
    Mock {
        count: u16,
        minutes: u16,
    },
}

/// Starts a quiz, or for `Daily` finds today's if it exists. Returns its id.
pub async fn create(
    db: &DatabaseConnection,
    user: UserId,
    spec: NewQuiz,
    now: DateTime<Utc>,
) -> Result<QuizId, AppError> {
    match spec {
        NewQuiz::Daily => create_daily(db, user, now).await,
        NewQuiz::Topic {
            topic,
            difficulty,
            count,
            minutes,
        } => {
            AppError::all_valid([
                in_range("count", count, TOPIC_QUIZ_SIZES, "questions"),
                minutes.map_or(Ok(()), |m| {
                    in_range("minutes", m, TIME_LIMIT_MINUTES, "minutes")
                }),
            ])?;
            let topic = crate::topics::server::visible_topic(db, Some(user), &topic)
                .await?
                .ok_or_else(|| AppError::invalid("topic", "Unknown topic."))?;
            let picks = pick(db, user, Pool::Topic(topic.id, difficulty), count).await?;
            if picks.len() < usize::from(count) {
                return Err(too_few(picks.len(), count, &topic.name, difficulty));
            }
            let row = quiz::ActiveModel {
                kind: Set(QuizKind::Topic),
                topic_id: Set(Some(topic.id)),
                difficulty: Set(difficulty),
                time_limit_secs: Set(minutes.map(|m| i32::from(m) * 60)),
                ..new_quiz(user, count, now)
            };
            insert(db, row, &picks).await
        }
        NewQuiz::Mock { count, minutes } => {
            AppError::all_valid([
                in_range("count", count, MOCK_SIZES, "questions"),
                in_range("minutes", minutes, TIME_LIMIT_MINUTES, "minutes"),
            ])?;
            let picks = pick(db, user, Pool::ActiveTopics, count).await?;
            if picks.len() < usize::from(count) {
                return Err(AppError::Conflict(format!(
                    "Your active topics have {} questions; a mock interview of {count} needs more. \
                     Turn more topics on, or ask for fewer questions.",
                    picks.len()
                )));
            }
            let row = quiz::ActiveModel {
                kind: Set(QuizKind::Mock),
                time_limit_secs: Set(Some(i32::from(minutes) * 60)),
                ..new_quiz(user, count, now)
            };
            insert(db, row, &picks).await
        }
    }
}

fn in_range(
    field: &str,
    value: u16,
    range: std::ops::RangeInclusive<u16>,
    unit: &str,
) -> Result<(), AppError> {
    if range.contains(&value) {
        Ok(())
    } else {
        Err(AppError::invalid(
            field,
            format!(
                "Choose {} to {} {unit} (not {value}).",
                range.start(),
                range.end()
            ),
        ))
    }
}

fn too_few(found: usize, wanted: u16, topic: &str, difficulty: Option<Difficulty>) -> AppError {
    let cell = match difficulty {
        Some(d) => format!("{d} questions in {topic}"),
        None => format!("questions in {topic}"),
    };
    AppError::Conflict(format!(
        "There are only {found} {cell}; a quiz of {wanted} needs more. Ask for fewer, or mix the difficulties."
    ))
}

fn new_quiz(user: UserId, count: u16, now: DateTime<Utc>) -> quiz::ActiveModel {
    quiz::ActiveModel {
        user_id: Set(user.0),
        question_count: Set(count as i16),
        created_at: Set(now),
        paused_ms: Set(0),
        position: Set(0),
        ..Default::default()
    }
}

async fn create_daily(
    db: &DatabaseConnection,
    user: UserId,
    now: DateTime<Utc>,
) -> Result<QuizId, AppError> {
    let day = local_day(db, user, now).await?;
    if let Some(id) = daily_of(db, user, &day).await? {
        return Ok(id);
    }
    // The study plan's daily goal, when the learner made one.
    let goal = crate::plan::server::stored_plan(db, user)
        .await?
        .and_then(|plan| u16::try_from(plan.daily_goal).ok())
        .unwrap_or(DEFAULT_DAILY_GOAL);
    let topics: Vec<i64> = crate::topics::server::list_with_ids(db, user)
        .await?
        .into_iter()
        .filter(|(_, t)| t.active && t.questions > 0)
        .map(|(id, _)| id)
        .collect();
    if topics.is_empty() {
        return Err(AppError::Conflict(
            "None of your active topics has questions. Turn a topic on at /topics.".into(),
        ));
    }
    // One question per topic in priority order, round after round until the goal.
    let used = topics.len().min(usize::from(goal));
    let per_topic = u16::try_from(usize::from(goal).div_ceil(used)).unwrap_or(goal);
    let mut candidates = Vec::with_capacity(used);
    for topic in &topics[..used] {
        candidates.push(pick(db, user, Pool::Topic(*topic, None), per_topic).await?);
    }
    let mut picks = Vec::with_capacity(usize::from(goal));
    for round in 0..usize::from(per_topic) {
        for list in &candidates {
            if picks.len() < usize::from(goal) {
                if let Some(id) = list.get(round) {
                    picks.push(*id);
                }
            }
        }
    }
    let count = picks.len() as u16;
    let row = quiz::ActiveModel {
        kind: Set(QuizKind::Daily),
        local_day: Set(Some(day.clone())),
        ..new_quiz(user, count, now)
    };
    match insert(db, row, &picks).await {
        // Another request made today's quiz first: that one it is.
        Err(AppError::Conflict(_)) => daily_of(db, user, &day).await?.ok_or(AppError::Internal),
        other => other,
    }
}

/// The learner's local day (YYYY-MM-DD) at `now`, in their stored time zone.
async fn local_day(
    db: &DatabaseConnection,
    user: UserId,
    now: DateTime<Utc>,
) -> Result<String, AppError> {
    let zone = user::Entity::find_by_id(user.0)
        .one(db)
        .await?
        .ok_or(AppError::Unauthorized)?
        .time_zone;
    Ok(crate::clock::LocalClock::stored(&zone, user)?.day(now))
}

async fn daily_of(
    db: &DatabaseConnection,
    user: UserId,
    day: &str,
) -> Result<Option<QuizId>, AppError> {
    Ok(quiz::Entity::find()
        .filter(quiz::Column::UserId.eq(user.0))
        .filter(quiz::Column::LocalDay.eq(day))
        .one(db)
        .await?
        .map(|q| QuizId(q.id)))
}

/// Where a quiz's questions come from.
enum Pool {
    Topic(i64, Option<Difficulty>),
    /// Every topic the learner has on (bank and own).
    ActiveTopics,
}

/// Up to `count` live questions of the pool, the ones the learner has never met first (in
/// a challenge or in any quiz: a finished quiz's questions are in `challenges`, so only
/// the learner's unfinished quizzes are read item by item), in random order; questions waiting in the instant pool
/// (verified AI ones kept for "Generate") only when the others run short.
async fn pick(
    db: &DatabaseConnection,
    user: UserId,
    pool: Pool,
    count: u16,
) -> Result<Vec<i64>, AppError> {
    let mut values: Vec<Value> = vec![user.0.into()];
    let filter = match pool {
        Pool::Topic(topic, difficulty) => {
            values.push(topic.into());
            match difficulty {
                Some(d) => {
                    values.push(d.as_str().into());
                    "q.topic_id = $2 AND q.difficulty = $3"
                }
                None => "q.topic_id = $2",
            }
        }
        Pool::ActiveTopics => {
            "q.topic_id IN (SELECT t.id FROM topics t \
             LEFT JOIN user_topics ut ON ut.topic_id = t.id AND ut.user_id = $1 \
             WHERE (t.owner_id IS NULL OR t.owner_id = $1) AND (ut.active IS NULL OR ut.active = TRUE))"
        }
    };
    values.push(i64::from(count).into());
    let limit = values.len();
    let sql = format!(
        "SELECT q.id FROM questions q WHERE q.retired = FALSE AND {filter} \
         ORDER BY (EXISTS (SELECT 1 FROM challenges c WHERE c.user_id = $1 AND c.question_id = q.id) \
                OR EXISTS (SELECT 1 FROM quizzes z JOIN quiz_items i ON i.quiz_id = z.id \
                           WHERE z.user_id = $1 AND z.finished_at IS NULL AND i.question_id = q.id)), \
                  EXISTS (SELECT 1 FROM pool_entries p WHERE p.question_id = q.id), RANDOM() \
         LIMIT ${limit}"
    );
    let rows = db.query_all_raw(portable(db, &sql, values)).await?;
    rows.iter()
        .map(|row| row.try_get_by_index::<i64>(0).map_err(AppError::from))
        .collect()
}

async fn insert(
    db: &DatabaseConnection,
    row: quiz::ActiveModel,
    questions: &[i64],
) -> Result<QuizId, AppError> {
    let txn = db.begin().await?;
    let id = match quiz::Entity::insert(row).exec(&txn).await {
        Ok(done) => done.last_insert_id,
        Err(err) if crate::db::is_unique_violation(&err) => {
            return Err(AppError::Conflict("Today's quiz exists already.".into()));
        }
        Err(err) => return Err(err.into()),
    };
    let items = questions
        .iter()
        .enumerate()
        .map(|(position, question)| quiz_item::ActiveModel {
            quiz_id: Set(id),
            position: Set(position as i16),
            question_id: Set(*question),
            ..Default::default()
        });
    quiz_item::Entity::insert_many(items)
        .exec_without_returning(&txn)
        .await?;
    // A question taken from the instant pool leaves it (each is served once).
    crate::entities::pool_entry::Entity::delete_many()
        .filter(crate::entities::pool_entry::Column::QuestionId.is_in(questions.iter().copied()))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(QuizId(id))
}

/// The caller's quiz as of `now`: one whose time ran out is finished first.
async fn current(
    db: &DatabaseConnection,
    user: UserId,
    id: QuizId,
    now: DateTime<Utc>,
) -> Result<quiz::Model, AppError> {
    let quiz = owned(db, user, id).await?;
    finished_if_out_of_time(db, quiz, now).await
}

/// The quiz as read, or finished and read again when its time ran out.
async fn finished_if_out_of_time(
    db: &DatabaseConnection,
    quiz: quiz::Model,
    now: DateTime<Utc>,
) -> Result<quiz::Model, AppError> {
    if quiz.finished_at.is_some() || !timed_out(&quiz, now) {
        return Ok(quiz);
    }
    finish(db, &quiz, now).await?;
    owned(db, UserId(quiz.user_id), QuizId(quiz.id)).await
}

/// The caller's quiz, or "not found" (also for someone else's).
async fn owned(
    db: &impl ConnectionTrait,
    user: UserId,
    id: QuizId,
) -> Result<quiz::Model, AppError> {
    quiz::Entity::find_by_id(id.0)
        .filter(quiz::Column::UserId.eq(user.0))
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound("Quiz".into()))
}

fn millis(from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
    (to - from).num_milliseconds().max(0)
}

/// Quiz time spent so far outside pauses (0 before the first question is shown).
fn active_ms(quiz: &quiz::Model, now: DateTime<Utc>) -> i64 {
    let Some(started) = quiz.started_at else {
        return 0;
    };
    let until = quiz.paused_at.unwrap_or(now);
    (millis(started, until) - quiz.paused_ms).max(0)
}

/// When the time runs out, if the quiz is timed (pauses push it back).
fn deadline(quiz: &quiz::Model) -> Option<DateTime<Utc>> {
    let started = quiz.started_at?;
    let limit = i64::from(quiz.time_limit_secs?) * 1000;
    Some(started + chrono::Duration::milliseconds(limit + quiz.paused_ms))
}

fn timed_out(quiz: &quiz::Model, now: DateTime<Utc>) -> bool {
    quiz.paused_at.is_none() && deadline(quiz).is_some_and(|end| now >= end)
}

fn clock(quiz: &quiz::Model, item: Option<&quiz_item::Model>, now: DateTime<Utc>) -> QuizClock {
    let total_left_ms = quiz
        .time_limit_secs
        .map(|secs| u64::try_from(i64::from(secs) * 1000 - active_ms(quiz, now)).unwrap_or(0));
    let question_ms = item
        .and_then(|item| {
            let shown = item.shown_at?;
            let until = quiz.paused_at.unwrap_or(now);
            let paused_since_shown = quiz.paused_ms - item.paused_ms_at_show.unwrap_or(0);
            Some(millis(shown, until) - paused_since_shown)
        })
        .and_then(|ms| u64::try_from(ms).ok())
        .unwrap_or(0);
    QuizClock {
        total_left_ms,
        question_ms,
        paused: quiz.paused_at.is_some(),
    }
}

async fn item_at(
    db: &impl ConnectionTrait,
    quiz: &quiz::Model,
    position: i16,
) -> Result<Option<quiz_item::Model>, AppError> {
    Ok(quiz_item::Entity::find_by_id((quiz.id, position))
        .one(db)
        .await?)
}

/// The quiz as its page shows it. The first look at a question starts its clock (and the
/// quiz's, at the first question); a timed quiz whose time ran out is finished here.
pub async fn view(
    db: &DatabaseConnection,
    user: UserId,
    id: QuizId,
    now: DateTime<Utc>,
) -> Result<QuizView, AppError> {
    let (quiz, on_screen) = with_item_on_screen(db, user, id).await?;
    let mut quiz = finished_if_out_of_time(db, quiz, now).await?;
    let count = quiz.question_count as u16;
    if quiz.finished_at.is_some() || quiz.position >= quiz.question_count {
        return Ok(QuizView {
            id,
            kind: quiz.kind,
            count,
            answered: answered_count(db, &quiz).await?,
            clock: clock(&quiz, None, quiz.finished_at.unwrap_or(now)),
            question: None,
        });
    }
    let mut item = on_screen.ok_or_else(|| {
        tracing::error!(quiz = quiz.id, quiz.position, "quiz without its item");
        AppError::Internal
    })?;
    if item.shown_at.is_none() && quiz.paused_at.is_none() {
        if show(db, &quiz, &item, now).await? {
            // Stamped by this request: the stamps are the ones just written.
            quiz.started_at = quiz.started_at.or(Some(now));
            item.shown_at = Some(now);
            item.paused_ms_at_show = Some(quiz.paused_ms);
        } else {
            // Another request stamped it first: read its stamps.
            quiz = owned(db, user, id).await?;
            item = item_at(db, &quiz, quiz.position)
                .await?
                .ok_or(AppError::Internal)?;
        }
    }
    let (question, topic) = question_of(db, item.question_id).await?;
    let hide = quiz.kind == QuizKind::Mock;
    Ok(QuizView {
        id,
        kind: quiz.kind,
        count,
        answered: quiz.position as u16,
        clock: clock(&quiz, Some(&item), now),
        question: quiz.paused_at.is_none().then(|| QuizQuestion {
            position: item.position as u16,
            title: question.title.clone(),
            stem_html: to_html(&question.stem),
            options_html: options_html(&question.options.0),
            topic: (!hide).then(|| topic.name.clone()),
            difficulty: (!hide).then_some(question.difficulty),
        }),
    })
}

/// The caller's quiz with the item at its position (none once every question is
/// answered), in one query; "not found" also for someone else's quiz.
async fn with_item_on_screen(
    db: &impl ConnectionTrait,
    user: UserId,
    id: QuizId,
) -> Result<(quiz::Model, Option<quiz_item::Model>), AppError> {
    use sea_orm::sea_query::{Expr, ExprTrait, IntoCondition};
    use sea_orm::{JoinType, QuerySelect, RelationTrait};
    let at_position = quiz_item::Relation::Quiz
        .def()
        .rev()
        .on_condition(|left, right| {
            Expr::col((right, quiz_item::Column::Position))
                .equals((left, quiz::Column::Position))
                .into_condition()
        });
    quiz::Entity::find_by_id(id.0)
        .filter(quiz::Column::UserId.eq(user.0))
        .select_also(quiz_item::Entity)
        .join(JoinType::LeftJoin, at_position)
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound("Quiz".into()))
}

/// Stamps the question as shown now (and the quiz as started, at its first question),
/// once: a second look keeps the first time. Returns whether this call stamped it.
async fn show(
    db: &DatabaseConnection,
    quiz: &quiz::Model,
    item: &quiz_item::Model,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    if quiz.started_at.is_some() {
        // Only a running quiz's next question: one statement, no transaction. (Pauses
        // change `paused_ms` only while no question is being shown for the first time.)
        return stamp_shown(db, quiz, item, now).await;
    }
    let txn = db.begin().await?;
    txn.execute_raw(portable(
        &txn,
        "UPDATE quizzes SET started_at = $1 WHERE id = $2 AND started_at IS NULL",
        vec![now.into(), quiz.id.into()],
    ))
    .await?;
    let stamped = stamp_shown(&txn, quiz, item, now).await?;
    txn.commit().await?;
    Ok(stamped)
}

async fn stamp_shown(
    db: &impl ConnectionTrait,
    quiz: &quiz::Model,
    item: &quiz_item::Model,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let done = db
        .execute_raw(portable(
            db,
            "UPDATE quiz_items SET shown_at = $1, \
               paused_ms_at_show = (SELECT paused_ms FROM quizzes WHERE id = $2) \
             WHERE quiz_id = $2 AND position = $3 AND shown_at IS NULL",
            vec![now.into(), quiz.id.into(), item.position.into()],
        ))
        .await?;
    Ok(done.rows_affected() == 1)
}

async fn question_of(
    db: &impl ConnectionTrait,
    question: i64,
) -> Result<(question::Model, topic::Model), AppError> {
    match question::Entity::find_by_id(question)
        .find_also_related(topic::Entity)
        .one(db)
        .await?
    {
        Some((q, Some(t))) => Ok((q, t)),
        _ => {
            tracing::error!(question, "quiz question without its question or topic");
            Err(AppError::Internal)
        }
    }
}

async fn answered_count(db: &impl ConnectionTrait, quiz: &quiz::Model) -> Result<u16, AppError> {
    use sea_orm::PaginatorTrait;
    let n = quiz_item::Entity::find()
        .filter(quiz_item::Column::QuizId.eq(quiz.id))
        .filter(quiz_item::Column::AnsweredAt.is_not_null())
        .count(db)
        .await?;
    Ok(n as u16)
}

/// Records the answer to the question at `position` (the one on screen).
pub async fn answer(
    db: &DatabaseConnection,
    user: UserId,
    id: QuizId,
    position: u16,
    chosen: u8,
    now: DateTime<Utc>,
) -> Result<QuizAnswer, AppError> {
    if chosen > 3 {
        return Err(AppError::invalid(
            "choice",
            "Choose one of the four options.",
        ));
    }
    // The item with its quiz and its question, in one query; when there is none, one
    // more read tells a foreign or unknown quiz from a position it does not have.
    let found = match i16::try_from(position) {
        Ok(at) => {
            quiz_item::Entity::find_by_id((id.0, at))
                .find_also_related(quiz::Entity)
                .find_also_related(question::Entity)
                .filter(quiz::Column::UserId.eq(user.0))
                .one(db)
                .await?
        }
        Err(_) => None,
    };
    let (item, quiz, question) = match found {
        Some((item, Some(quiz), Some(question))) => (item, quiz, question),
        Some((item, _, _)) => {
            tracing::error!(
                quiz = item.quiz_id,
                item.position,
                "quiz item without its question"
            );
            return Err(AppError::Internal);
        }
        None => {
            let quiz = owned(db, user, id).await?;
            position_in(&quiz, position)?;
            tracing::error!(quiz = quiz.id, position, "quiz without its item");
            return Err(AppError::Internal);
        }
    };
    let position = item.position;
    if item.chosen_index.is_some() {
        return same_answer(answer_of(db, &quiz, &item).await?, chosen);
    }
    if quiz.finished_at.is_some() {
        return Err(AppError::Conflict("This quiz has finished.".into()));
    }
    if quiz.paused_at.is_some() {
        return Err(AppError::Conflict(
            "The quiz is paused: resume it to answer.".into(),
        ));
    }
    if timed_out(&quiz, now) {
        finish(db, &quiz, now).await?;
        return Err(AppError::Conflict(
            "Time is up: the quiz has ended. Unanswered questions count as wrong.".into(),
        ));
    }
    let Some(shown_at) = item.shown_at.filter(|_| position == quiz.position) else {
        return Err(AppError::Conflict(
            "That is not the question on screen. Reload the quiz.".into(),
        ));
    };
    let key = stored_key(question.answer_index)?;
    let correct = chosen == key;
    let paused_since_shown = quiz.paused_ms - item.paused_ms_at_show.unwrap_or(0);
    let time_ms = (millis(shown_at, now) - paused_since_shown).max(0);
    let last = position + 1 >= quiz.question_count;
    // `$1` now, `$2` choice, `$3` correct, `$4` time, `$5` quiz, `$6` position, `$7` user.
    let values = vec![
        now.into(),
        i16::from(chosen).into(),
        correct.into(),
        time_ms.into(),
        quiz.id.into(),
        position.into(),
        user.0.into(),
    ];
    let claimed = if !last && db.get_database_backend() == sea_orm::DbBackend::Postgres {
        // One statement: the claim and the answer together (the common case on Postgres).
        db.execute_raw(portable(
            db,
            &format!(
                "WITH claim AS ({CLAIM} RETURNING id) \
                 UPDATE quiz_items SET {ANSWER_SET} FROM claim \
                 WHERE quiz_items.quiz_id = claim.id AND quiz_items.position = $6 \
                   AND quiz_items.answered_at IS NULL"
            ),
            values,
        ))
        .await?
        .rows_affected()
            == 1
    } else {
        let txn = db.begin().await?;
        let claimed = txn
            .execute_raw(portable(&txn, CLAIM, values.clone()))
            .await?
            .rows_affected()
            == 1;
        if claimed {
            txn.execute_raw(portable(
                &txn,
                &format!(
                    "UPDATE quiz_items SET {ANSWER_SET} \
                     WHERE quiz_id = $5 AND position = $6 AND answered_at IS NULL"
                ),
                values,
            ))
            .await?;
            if last {
                finish_in(&txn, &quiz, now).await?;
            }
            txn.commit().await?;
        } else {
            txn.rollback().await?;
        }
        claimed
    };
    if !claimed {
        // Another tab or a repeat got there first.
        return match repeat(db, &quiz, position, chosen).await? {
            Some(done) => Ok(done),
            None => Err(AppError::Conflict(
                "This question was already answered (in another tab?). Reload the quiz.".into(),
            )),
        };
    }
    Ok(QuizAnswer {
        position: position as u16,
        chosen,
        reveal: quiz.kind.reveals_as_you_go().then(|| Reveal {
            correct,
            answer_index: key,
            explanation_html: to_html(&question.explanation),
        }),
        finished: last,
    })
}

/// The claim: only one answer moves the quiz on from its question (of two tabs or a double
/// click, exactly one). Placeholders as in `answer`.
const CLAIM: &str = "UPDATE quizzes SET position = position + 1 \
     WHERE id = $5 AND user_id = $7 AND position = $6 AND finished_at IS NULL AND paused_at IS NULL";
const ANSWER_SET: &str = "answered_at = $1, chosen_index = $2, correct = $3, time_ms = $4";

/// The stored result when this question was answered already with this same choice.
async fn repeat(
    db: &DatabaseConnection,
    quiz: &quiz::Model,
    position: i16,
    chosen: u8,
) -> Result<Option<QuizAnswer>, AppError> {
    match stored_answer(db, quiz, position).await? {
        None => Ok(None),
        stored => same_answer(stored, chosen).map(Some),
    }
}

/// The stored answer again for the same choice; another choice is refused.
fn same_answer(stored: Option<QuizAnswer>, chosen: u8) -> Result<QuizAnswer, AppError> {
    match stored {
        Some(stored) if stored.chosen == chosen => Ok(stored),
        _ => Err(AppError::Conflict(
            "This question was already answered with another option.".into(),
        )),
    }
}

/// The answer given to the question at `position`, if any, as it was shown then (a mock
/// shows keys only once it has finished).
async fn stored_answer(
    db: &DatabaseConnection,
    quiz: &quiz::Model,
    position: i16,
) -> Result<Option<QuizAnswer>, AppError> {
    match item_at(db, quiz, position).await? {
        Some(item) => answer_of(db, quiz, &item).await,
        None => Ok(None),
    }
}

async fn answer_of(
    db: &DatabaseConnection,
    quiz: &quiz::Model,
    item: &quiz_item::Model,
) -> Result<Option<QuizAnswer>, AppError> {
    let position = item.position;
    let Some(chosen) = item.chosen_index else {
        return Ok(None);
    };
    let (question, _) = question_of(db, item.question_id).await?;
    let finished = owned(db, UserId(quiz.user_id), QuizId(quiz.id))
        .await?
        .finished_at
        .is_some();
    let key = stored_key(question.answer_index)?;
    Ok(Some(QuizAnswer {
        position: position as u16,
        chosen: u8::try_from(chosen).map_err(|_| AppError::Internal)?,
        reveal: (quiz.kind.reveals_as_you_go() || finished).then(|| Reveal {
            correct: item.correct == Some(true),
            answer_index: key,
            explanation_html: to_html(&question.explanation),
        }),
        finished,
    }))
}

/// A question's place in this quiz, or the learner's error.
fn position_in(quiz: &quiz::Model, position: u16) -> Result<i16, AppError> {
    i16::try_from(position)
        .ok()
        .filter(|p| *p < quiz.question_count)
        .ok_or_else(|| AppError::invalid("position", "This quiz has no such question."))
}

/// The caller's answer to one question of their quiz (for the page after a plain form).
pub async fn answered(
    db: &DatabaseConnection,
    user: UserId,
    id: QuizId,
    position: u16,
) -> Result<Option<QuizAnswer>, AppError> {
    let quiz = owned(db, user, id).await?;
    let position = position_in(&quiz, position)?;
    stored_answer(db, &quiz, position).await
}

/// Pauses the quiz: both clocks stop until `resume`.
pub async fn pause(
    db: &DatabaseConnection,
    user: UserId,
    id: QuizId,
    now: DateTime<Utc>,
) -> Result<QuizView, AppError> {
    let quiz = current(db, user, id, now).await?;
    if quiz.finished_at.is_none() && quiz.paused_at.is_none() {
        db.execute_raw(portable(
            db,
            "UPDATE quizzes SET paused_at = $1 \
             WHERE id = $2 AND paused_at IS NULL AND finished_at IS NULL",
            vec![now.into(), quiz.id.into()],
        ))
        .await?;
    }
    view(db, user, id, now).await
}

pub async fn resume(
    db: &DatabaseConnection,
    user: UserId,
    id: QuizId,
    now: DateTime<Utc>,
) -> Result<QuizView, AppError> {
    let quiz = owned(db, user, id).await?;
    if let (Some(paused_at), None) = (quiz.paused_at, quiz.finished_at) {
        db.execute_raw(portable(
            db,
            "UPDATE quizzes SET paused_ms = paused_ms + $1, paused_at = NULL \
             WHERE id = $2 AND paused_at = $3",
            vec![
                millis(paused_at, now).into(),
                quiz.id.into(),
                paused_at.into(),
            ],
        ))
        .await?;
    }
    view(db, user, id, now).await
}

async fn finish(
    db: &DatabaseConnection,
    quiz: &quiz::Model,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let txn = db.begin().await?;
    finish_in(&txn, quiz, now).await?;
    txn.commit().await?;
    Ok(())
}

/// Ends the quiz (at its deadline when the time ran out) and writes its questions to the
/// history; the first to finish it does this, once.
async fn finish_in(
    txn: &DatabaseTransaction,
    quiz: &quiz::Model,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let at = deadline(quiz).map_or(now, |end| end.min(now));
    let ended = txn
        .execute_raw(portable(
            txn,
            "UPDATE quizzes SET finished_at = $1, paused_at = NULL, \
               correct_count = (SELECT COUNT(*) FROM quiz_items WHERE quiz_id = $2 AND correct = TRUE) \
             WHERE id = $2 AND finished_at IS NULL",
            vec![at.into(), quiz.id.into()],
        ))
        .await?
        .rows_affected();
    if ended == 1 {
        txn.execute_raw(portable(
            txn,
            "INSERT INTO challenges \
               (user_id, question_id, chosen_index, correct, time_taken_ms, created_at, answered_at, quiz_id) \
             SELECT $1, i.question_id, i.chosen_index, COALESCE(i.correct, FALSE), i.time_ms, \
                    COALESCE(i.shown_at, $2), COALESCE(i.answered_at, $2), i.quiz_id \
             FROM quiz_items i WHERE i.quiz_id = $3",
            vec![quiz.user_id.into(), at.into(), quiz.id.into()],
        ))
        .await?;
        crate::review::server::enqueue_missed_of_quiz(txn, UserId(quiz.user_id), quiz.id, at)
            .await?;
    }
    Ok(())
}

/// A finished quiz's result: score, tallies by topic and difficulty, every question.
pub async fn result(
    db: &DatabaseConnection,
    user: UserId,
    id: QuizId,
    now: DateTime<Utc>,
) -> Result<QuizResult, AppError> {
    let quiz = current(db, user, id, now).await?;
    if quiz.finished_at.is_none() {
        return Err(AppError::Conflict(
            "This quiz is still running: finish it to see the result.".into(),
        ));
    }
    let items = quiz_item::Entity::find()
        .filter(quiz_item::Column::QuizId.eq(quiz.id))
        .order_by_asc(quiz_item::Column::Position)
        .find_also_related(question::Entity)
        .all(db)
        .await?;
    let topics: std::collections::HashMap<i64, String> = topic::Entity::find()
        .filter(
            sea_orm::Condition::any()
                .add(topic::Column::OwnerId.is_null())
                .add(topic::Column::OwnerId.eq(user.0)),
        )
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.id, t.name))
        .collect();
    let questions: Vec<i64> = items.iter().map(|(i, _)| i.question_id).collect();
    let mut notes = crate::notes::server::bodies_of(db, user, questions.iter().copied()).await?;
    let in_review = crate::review::server::carded(db, user, questions).await?;
    let mut shown = Vec::with_capacity(items.len());
    for (item, question) in items {
        let question = question.ok_or(AppError::Internal)?;
        let key = stored_key(question.answer_index)?;
        shown.push(ResultItem {
            position: item.position as u16,
            question: QuestionId(question.id),
            note: notes.remove(&question.id),
            in_review: in_review.contains(&question.id),
            title: question.title.clone(),
            stem_html: to_html(&question.stem),
            options_html: options_html(&question.options.0),
            topic: topics
                .get(&question.topic_id)
                .cloned()
                .ok_or(AppError::Internal)?,
            difficulty: question.difficulty,
            chosen: item.chosen_index.and_then(|c| u8::try_from(c).ok()),
            answer_index: key,
            correct: item.correct == Some(true),
            time_ms: item.time_ms.and_then(|t| u64::try_from(t).ok()),
            explanation_html: to_html(&question.explanation),
        });
    }
    let tally = |label_of: &dyn Fn(&ResultItem) -> String| {
        let mut tallies: Vec<Tally> = Vec::new();
        for item in &shown {
            let label = label_of(item);
            let at = match tallies.iter().position(|t| t.label == label) {
                Some(at) => at,
                None => {
                    tallies.push(Tally {
                        label,
                        correct: 0,
                        count: 0,
                    });
                    tallies.len() - 1
                }
            };
            tallies[at].count += 1;
            tallies[at].correct += u16::from(item.correct);
        }
        tallies
    };
    let by_topic = tally(&|i| i.topic.clone());
    let by_difficulty = tally(&|i| i.difficulty.label().to_owned());
    let correct = shown.iter().filter(|i| i.correct).count() as u16;
    Ok(QuizResult {
        id,
        kind: quiz.kind,
        correct,
        count: quiz.question_count as u16,
        timed_out: shown.iter().any(|i| i.chosen.is_none()),
        by_topic,
        by_difficulty,
        items: shown,
    })
}

/// The topic × difficulty cells a quiz's questions come from (to top up the instant pool
/// where the quiz drew on it).
pub async fn cells_of(
    db: &DatabaseConnection,
    id: QuizId,
) -> Result<Vec<(i64, Difficulty)>, AppError> {
    let rows = db
        .query_all_raw(portable(
            db,
            "SELECT DISTINCT q.topic_id, q.difficulty FROM quiz_items i \
             JOIN questions q ON q.id = i.question_id WHERE i.quiz_id = $1",
            vec![id.0.into()],
        ))
        .await?;
    rows.iter()
        .map(|row| Ok((row.try_get_by_index(0)?, row.try_get_by_index(1)?)))
        .collect()
}

/// The job that makes daily quizzes ahead of time, on the shared queue (one for all
/// instances together, by its dedup key).
pub const DAILY_JOB: &str = "daily_quizzes";
/// Learners seen within this long get their daily quiz made ahead.
const DAILY_FOR_SEEN_WITHIN: chrono::Duration = chrono::Duration::days(7);
/// Learners per run at most (the most recently seen first).
const DAILY_PER_RUN: u64 = 1_000;

/// Queues the first run (no-op when one is already queued or running).
pub async fn schedule_daily(db: &DatabaseConnection) -> Result<(), AppError> {
    crate::jobs::enqueue(db, DAILY_JOB, DAILY_JOB, &serde_json::json!({}), Utc::now()).await?;
    Ok(())
}

/// Makes today's daily quiz (in each learner's own day) for the learners seen lately who
/// have none yet; returns how many it made. The same as asking for it: a learner who asks
/// first, or a second run, finds the one quiz of the day.
pub async fn create_due_dailies(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
) -> Result<u32, AppError> {
    let rows = db
        .query_all_raw(portable(
            db,
            "SELECT s.user_id FROM sessions s GROUP BY s.user_id \
             HAVING MAX(s.last_seen_at) >= $1 ORDER BY MAX(s.last_seen_at) DESC LIMIT $2",
            vec![
                (now - DAILY_FOR_SEEN_WITHIN).into(),
                (DAILY_PER_RUN as i64).into(),
            ],
        ))
        .await?;
    let mut made = 0;
    for row in rows {
        let user = UserId(row.try_get_by_index(0)?);
        let existed = daily_of(db, user, &local_day(db, user, now).await?).await?;
        if existed.is_some() {
            continue;
        }
        match create_daily(db, user, now).await {
            Ok(_) => made += 1,
            // No active topic with questions: nothing to make until the learner picks one.
            Err(AppError::Conflict(_)) => {}
            Err(other) => return Err(other),
        }
    }
    Ok(made)
}

/// One run of the job; the next is due in an hour (local days begin on the hour in most
/// time zones, and a learner who asks before the job gets the same quiz).
pub async fn run_daily_job(db: &DatabaseConnection) -> Result<crate::jobs::Next, AppError> {
    let now = Utc::now();
    let made = create_due_dailies(db, now).await?;
    tracing::info!(made, "daily quizzes made ahead");
    Ok(crate::jobs::Next::At(now + chrono::Duration::hours(1)))
}

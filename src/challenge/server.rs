//! Challenges on the server: serving bank questions, looking a learner's challenge up, and
//! recording answers. Every query is scoped to the caller.
use super::model::{AnswerResult, ChallengeView};
use crate::entities::{challenge, question, topic};
use crate::error::AppError;
use crate::questions::markdown::{options_html, to_html};
use crate::questions::store::live_bank_questions;
use crate::review::model::CardOrigin;
use crate::types::{ChallengeId, Difficulty, QuestionId, Topic, TopicSlug, UserId};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait,
    Order, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Statement, TransactionTrait,
};

/// The bank's topics that have at least one active question, by name (learners' own
/// topics are theirs alone: see `topics`).
pub async fn list_topics(db: &DatabaseConnection) -> Result<Vec<Topic>, AppError> {
    let with_questions = Query::select()
        .column(question::Column::TopicId)
        .from(question::Entity)
        .and_where(question::Column::Retired.eq(false))
        .to_owned();
    topic::Entity::find()
        .filter(topic::Column::OwnerId.is_null())
        .filter(topic::Column::Id.in_subquery(with_questions))
        .order_by_asc(topic::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .map(shared_topic)
        .collect()
}

/// The topic list is the same for everyone and changes only when the bank is synced (at
/// start-up, before this is made, by whichever instance starts): each instance keeps it for
/// `ttl`, so another instance's sync reaches this one within that time.
pub struct TopicCache {
    ttl: std::time::Duration,
    slot: std::sync::RwLock<Option<(std::time::Instant, std::sync::Arc<[Topic]>)>>,
}

impl TopicCache {
    pub fn new(ttl: std::time::Duration) -> Self {
        Self {
            ttl,
            slot: std::sync::RwLock::new(None),
        }
    }

    pub async fn get(&self, db: &DatabaseConnection) -> Result<std::sync::Arc<[Topic]>, AppError> {
        let fresh = self
            .slot
            .read()
            .ok()
            .and_then(|slot| slot.clone())
            .filter(|(at, _)| at.elapsed() < self.ttl);
        if let Some((_, topics)) = fresh {
            return Ok(topics);
        }
        let topics: std::sync::Arc<[Topic]> = list_topics(db).await?.into();
        if let Ok(mut slot) = self.slot.write() {
            *slot = Some((std::time::Instant::now(), topics.clone()));
        }
        Ok(topics)
    }
}

/// The topic of this slug that `user` may use (a bank topic or their own); an unknown one
/// is the learner's error, next to the field.
pub async fn find_topic(
    db: &DatabaseConnection,
    user: Option<UserId>,
    slug: &TopicSlug,
) -> Result<topic::Model, AppError> {
    crate::topics::server::visible_topic(db, user, slug)
        .await?
        .ok_or_else(|| AppError::invalid("topic", "Unknown topic."))
}

/// A bank question of this topic and difficulty that the user has never been served.
///
/// The pick and the new challenge row are one `INSERT … SELECT`, and on Postgres the
/// user's row is locked first, so two parallel requests of one user are served one after
/// the other and never get the same question (SQLite runs one writer at a time anyway).
pub async fn next_challenge(
    db: &DatabaseConnection,
    user: UserId,
    topic_slug: &TopicSlug,
    difficulty: Difficulty,
) -> Result<ChallengeView, AppError> {
    let topic = find_topic(db, Some(user), topic_slug).await?;
    let seen = Query::select()
        .column(challenge::Column::QuestionId)
        .from(challenge::Entity)
        .and_where(challenge::Column::UserId.eq(user.0))
        .to_owned();
    let pick = live_bank_questions(topic.id, difficulty)
        .filter(question::Column::Id.not_in_subquery(seen))
        .select_only()
        .column_as(Expr::val(user.0), "user_id")
        .column(question::Column::Id)
        .column_as(Expr::val(chrono::Utc::now()), "created_at")
        .order_by(Expr::cust("RANDOM()"), Order::Asc)
        .limit(1)
        .into_query();
    let insert = Query::insert()
        .into_table(challenge::Entity)
        .columns([
            challenge::Column::UserId,
            challenge::Column::QuestionId,
            challenge::Column::CreatedAt,
        ])
        .select_from(pick)
        .map_err(|err| {
            tracing::error!(%err, "building the next-challenge insert");
            AppError::Internal
        })?
        .returning_col(challenge::Column::Id)
        .to_owned();
    let txn = db.begin().await?;
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT id FROM users WHERE id = $1 FOR UPDATE",
            [user.0.into()],
        ))
        .await?;
    }
    let created = txn
        .query_one_raw(txn.get_database_backend().build(&insert))
        .await?;
    txn.commit().await?;
    let Some(created) = created else {
        return Err(nothing_to_serve(db, &topic, difficulty).await);
    };
    let id: i64 = created.try_get("", "id")?;
    let (found, question, topic) = find_owned(db, user, ChallengeId(id)).await?;
    view(found, question, topic, None)
}

/// Why a cell served nothing: the learner has seen all of it, or it has no bank questions
/// at all (a learner's own topic, until AI generation writes some).
async fn nothing_to_serve(
    db: &DatabaseConnection,
    topic: &topic::Model,
    difficulty: Difficulty,
) -> AppError {
    use sea_orm::PaginatorTrait;
    match live_bank_questions(topic.id, difficulty).count(db).await {
        Ok(0) if topic.owner_id.is_some() => AppError::Conflict(format!(
            "“{}” is your own topic and has no {difficulty} questions yet: AI generation writes them when a model is configured.",
            topic.name
        )),
        Ok(0) => AppError::Conflict(format!(
            "The bank has no {difficulty} questions in {} yet. Try another difficulty.",
            topic.name
        )),
        Ok(_) => AppError::Conflict(format!(
            "You have seen every {difficulty} question in {}. Try another topic or difficulty.",
            topic.name
        )),
        Err(err) => err.into(),
    }
}

/// A fresh, unanswered challenge row for `user`.
pub fn new_challenge(user: UserId, question_id: i64) -> challenge::ActiveModel {
    challenge::ActiveModel {
        user_id: Set(user.0),
        question_id: Set(question_id),
        created_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
}

/// One of this user's challenges with its question and topic, in one query (someone
/// else's id is simply not found).
async fn find_owned(
    db: &impl ConnectionTrait,
    user: UserId,
    id: ChallengeId,
) -> Result<(challenge::Model, question::Model, topic::Model), AppError> {
    let found = challenge::Entity::find_by_id(id.0)
        .filter(challenge::Column::UserId.eq(user.0))
        .find_also_related(question::Entity)
        .and_also_related(topic::Entity)
        .one(db)
        .await?;
    match found {
        Some((challenge, Some(question), Some(topic))) => Ok((challenge, question, topic)),
        Some(_) => {
            tracing::error!(challenge = id.0, "challenge without its question or topic");
            Err(AppError::Internal)
        }
        None => Err(AppError::NotFound("Challenge".into())),
    }
}

pub async fn get_challenge(
    db: &DatabaseConnection,
    user: UserId,
    id: ChallengeId,
) -> Result<ChallengeView, AppError> {
    let (found, question, topic) = find_owned(db, user, id).await?;
    // Only an answered challenge shows its note (with the explanation).
    let note = match found.chosen_index {
        Some(_) => crate::entities::note::Entity::find_by_id((user.0, question.id))
            .one(db)
            .await?
            .map(|n| n.body),
        None => None,
    };
    view(found, question, topic, note)
}

pub async fn answer(
    db: &DatabaseConnection,
    user: UserId,
    id: ChallengeId,
    chosen: u8,
) -> Result<AnswerResult, AppError> {
    if chosen > 3 {
        return Err(AppError::invalid(
            "choice",
            "Choose one of the four options.",
        ));
    }
    // One conditional update that also reads the key: of two concurrent answers only one
    // is recorded. A wrong answer also puts the question in the learner's review queue: on
    // Postgres in the same statement, on SQLite in the same transaction.
    let now = chrono::Utc::now();
    let values = [
        i16::from(chosen).into(),
        now.into(),
        id.0.into(),
        user.0.into(),
    ];
    let backend = db.get_database_backend();
    let recorded = match backend {
        DbBackend::Sqlite => {
            let txn = db.begin().await?;
            let row = txn
                .query_one_raw(Statement::from_sql_and_values(
                    backend,
                    RECORD_ANSWER_SQLITE,
                    values,
                ))
                .await?;
            if let Some(row) = &row {
                if !row.try_get::<bool>("", "correct")? {
                    let question = QuestionId(row.try_get("", "question_id")?);
                    crate::review::server::enqueue(&txn, user, question, CardOrigin::Missed, now)
                        .await?;
                }
            }
            txn.commit().await?;
            row
        }
        _ => {
            db.query_one_raw(Statement::from_sql_and_values(
                backend,
                record_answer_postgres(),
                values,
            ))
            .await?
        }
    };
    let Some(recorded) = recorded else {
        // Not this user's challenge, or answered already: one more read tells which.
        find_owned(db, user, id).await?;
        return Err(AppError::Conflict(
            "You already answered this challenge.".into(),
        ));
    };
    let key = stored_key(recorded.try_get("", "answer_index")?)?;
    let explanation: String = recorded.try_get("", "explanation")?;
    let note: Option<String> = recorded.try_get("", "note")?;
    Ok(answer_result(id, key, &explanation, chosen, note))
}

/// `$1` chosen index, `$2` now, `$3` challenge id, `$4` user id. The time taken is
/// clamped to `0..=i32::MAX` ms, as a clock step backwards must not store a negative.
/// SQLite's RETURNING cannot name a table of UPDATE … FROM: the key comes from subqueries
/// on the updated row's question instead.
const RECORD_ANSWER_SQLITE: &str = "UPDATE challenges SET chosen_index = $1, \
     correct = ((SELECT answer_index FROM questions WHERE questions.id = challenges.question_id) = $1), \
     time_taken_ms = MIN(MAX(CAST(ROUND((julianday($2) - julianday(challenges.created_at)) * 86400000) AS INTEGER), 0), 2147483647), \
     answered_at = $2 \
     WHERE challenges.id = $3 AND challenges.user_id = $4 AND challenges.chosen_index IS NULL AND challenges.quiz_id IS NULL \
     RETURNING (SELECT answer_index FROM questions WHERE questions.id = challenges.question_id) AS answer_index, \
     (SELECT explanation FROM questions WHERE questions.id = challenges.question_id) AS explanation, \
     challenges.question_id AS question_id, challenges.correct AS correct, \
     (SELECT body FROM notes WHERE notes.user_id = $4 AND notes.question_id = challenges.question_id) AS note";

/// The same on Postgres, with the review card of a wrong answer written by the statement.
fn record_answer_postgres() -> &'static str {
    static SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SQL.get_or_init(|| {
        format!(
            "WITH answered AS ( \
               UPDATE challenges SET chosen_index = $1, correct = (questions.answer_index = $1), \
               time_taken_ms = LEAST(GREATEST(FLOOR(EXTRACT(EPOCH FROM ($2 - challenges.created_at)) * 1000)::bigint, 0), 2147483647), \
               answered_at = $2 \
               FROM questions WHERE questions.id = challenges.question_id \
               AND challenges.id = $3 AND challenges.user_id = $4 AND challenges.chosen_index IS NULL AND challenges.quiz_id IS NULL \
               RETURNING questions.answer_index, questions.explanation, challenges.question_id, challenges.correct), \
             missed AS ({}) \
             SELECT answer_index, explanation, \
               (SELECT body FROM notes WHERE notes.user_id = $4 AND notes.question_id = answered.question_id) AS note \
             FROM answered",
            crate::review::server::missed_cards_sql("answered WHERE correct IS NOT TRUE", "$4", "$2")
        )
    })
}

/// A stored answer index, checked: one outside 0–3 is a corrupt row (logged), not a key.
pub(crate) fn stored_key(answer_index: i16) -> Result<u8, AppError> {
    u8::try_from(answer_index)
        .ok()
        .filter(|key| *key <= 3)
        .ok_or_else(|| {
            tracing::error!(answer_index, "stored answer index out of range");
            AppError::Internal
        })
}

fn answer_result(
    challenge: ChallengeId,
    key: u8,
    explanation: &str,
    chosen: u8,
    note: Option<String>,
) -> AnswerResult {
    AnswerResult {
        challenge_id: challenge,
        chosen,
        answer_index: key,
        correct: chosen == key,
        explanation_html: to_html(explanation),
        note,
    }
}

pub fn shared_topic(topic: topic::Model) -> Result<Topic, AppError> {
    let slug = TopicSlug::try_from(topic.slug).map_err(|err| {
        tracing::error!(%err, topic = topic.id, "stored topic slug");
        AppError::Internal
    })?;
    Ok(Topic {
        slug,
        name: topic.name,
        category: topic.category,
    })
}

fn view(
    found: challenge::Model,
    question: question::Model,
    topic: topic::Model,
    note: Option<String>,
) -> Result<ChallengeView, AppError> {
    let answer = match found.chosen_index {
        Some(chosen) => {
            let chosen = u8::try_from(chosen).map_err(|_| AppError::Internal)?;
            let key = stored_key(question.answer_index)?;
            Some(answer_result(
                ChallengeId(found.id),
                key,
                &question.explanation,
                chosen,
                note,
            ))
        }
        None => None,
    };
    Ok(ChallengeView {
        id: ChallengeId(found.id),
        question: QuestionId(question.id),
        stem_html: to_html(&question.stem),
        options_html: options_html(&question.options.0),
        topic: shared_topic(topic)?,
        difficulty: question.difficulty,
        source: question.source,
        title: question.title,
        answer,
    })
}

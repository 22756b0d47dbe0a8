//! Serving bank questions as challenges, and recording answers.
use super::{AnswerResult, ChallengeView};
use crate::entities::{challenge, question, topic};
use crate::error::AppError;
use crate::questions::markdown::{to_html, to_inline_html};
use crate::types::{ChallengeId, Difficulty, QuestionSource, Topic, UserId};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, Order,
    QueryFilter, QueryOrder, QuerySelect,
};

/// Topics that have at least one active question, by name.
pub async fn list_topics(db: &DatabaseConnection) -> Result<Vec<Topic>, AppError> {
    let with_questions = Query::select()
        .column(question::Column::TopicId)
        .from(question::Entity)
        .and_where(question::Column::Retired.eq(false))
        .to_owned();
    Ok(topic::Entity::find()
        .filter(topic::Column::Id.in_subquery(with_questions))
        .order_by_asc(topic::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .map(|t| Topic {
            slug: t.slug,
            name: t.name,
            category: t.category,
        })
        .collect())
}

pub fn parse_difficulty(raw: &str) -> Result<Difficulty, AppError> {
    raw.parse()
        .map_err(|_| AppError::invalid("difficulty", "Choose easy, medium or hard."))
}

pub(crate) async fn find_topic(
    db: &DatabaseConnection,
    slug: &str,
) -> Result<topic::Model, AppError> {
    if slug.is_empty() || slug.len() > 64 {
        return Err(AppError::invalid("topic", "Choose a topic."));
    }
    topic::Entity::find()
        .filter(topic::Column::Slug.eq(slug))
        .one(db)
        .await?
        .ok_or_else(|| AppError::invalid("topic", "Unknown topic."))
}

/// A bank question of this topic and difficulty that the user has never been served.
pub async fn next_challenge(
    db: &DatabaseConnection,
    user: UserId,
    topic_slug: &str,
    difficulty: Difficulty,
) -> Result<ChallengeView, AppError> {
    let topic = find_topic(db, topic_slug).await?;
    let seen = Query::select()
        .column(challenge::Column::QuestionId)
        .from(challenge::Entity)
        .and_where(challenge::Column::UserId.eq(user.0))
        .to_owned();
    let picked = question::Entity::find()
        .filter(question::Column::TopicId.eq(topic.id))
        .filter(question::Column::Difficulty.eq(difficulty.as_str()))
        .filter(question::Column::Source.eq(QuestionSource::Bank.as_str()))
        .filter(question::Column::Retired.eq(false))
        .filter(question::Column::Id.not_in_subquery(seen))
        .order_by(Expr::cust("RANDOM()"), Order::Asc)
        .limit(1)
        .one(db)
        .await?
        .ok_or_else(|| {
            AppError::Conflict(format!(
                "You have seen every {} question in {}. Try another topic or difficulty.",
                difficulty.as_str(),
                topic.name
            ))
        })?;
    let created = challenge::ActiveModel {
        user_id: Set(user.0),
        question_id: Set(picked.id),
        created_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(view(created, picked, topic))
}

/// A challenge of this user's (someone else's id is simply not found).
pub async fn get_challenge(
    db: &DatabaseConnection,
    user: UserId,
    id: ChallengeId,
) -> Result<ChallengeView, AppError> {
    let found = challenge::Entity::find_by_id(id.0)
        .filter(challenge::Column::UserId.eq(user.0))
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound("Challenge".into()))?;
    let question = question::Entity::find_by_id(found.question_id)
        .one(db)
        .await?
        .ok_or(AppError::Internal)?;
    let topic = topic::Entity::find_by_id(question.topic_id)
        .one(db)
        .await?
        .ok_or(AppError::Internal)?;
    Ok(view(found, question, topic))
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
    let found = challenge::Entity::find_by_id(id.0)
        .filter(challenge::Column::UserId.eq(user.0))
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound("Challenge".into()))?;
    if found.chosen_index.is_some() {
        return Err(AppError::Conflict(
            "You already answered this challenge.".into(),
        ));
    }
    let question = question::Entity::find_by_id(found.question_id)
        .one(db)
        .await?
        .ok_or(AppError::Internal)?;
    let now = chrono::Utc::now();
    let correct = i16::from(chosen) == question.answer_index;
    let time_taken_ms = (now - found.created_at)
        .num_milliseconds()
        .clamp(0, i64::from(i32::MAX));
    // Conditional update: of two concurrent answers only one is recorded.
    let updated = challenge::Entity::update_many()
        .col_expr(
            challenge::Column::ChosenIndex,
            Expr::value(i16::from(chosen)),
        )
        .col_expr(challenge::Column::Correct, Expr::value(correct))
        .col_expr(challenge::Column::TimeTakenMs, Expr::value(time_taken_ms))
        .col_expr(challenge::Column::AnsweredAt, Expr::value(now))
        .filter(challenge::Column::Id.eq(found.id))
        .filter(challenge::Column::UserId.eq(user.0))
        .filter(challenge::Column::ChosenIndex.is_null())
        .exec(db)
        .await?;
    if updated.rows_affected == 0 {
        return Err(AppError::Conflict(
            "You already answered this challenge.".into(),
        ));
    }
    Ok(answer_result(id, &question, chosen))
}

fn answer_result(challenge: ChallengeId, question: &question::Model, chosen: u8) -> AnswerResult {
    AnswerResult {
        challenge_id: challenge,
        chosen,
        answer_index: question.answer_index as u8,
        correct: i16::from(chosen) == question.answer_index,
        explanation_html: to_html(&question.explanation),
    }
}

fn view(found: challenge::Model, question: question::Model, topic: topic::Model) -> ChallengeView {
    let answer = found
        .chosen_index
        .map(|chosen| answer_result(ChallengeId(found.id), &question, chosen as u8));
    ChallengeView {
        id: ChallengeId(found.id),
        title: question.title.clone(),
        stem_html: to_html(&question.stem),
        options_html: question
            .option_list()
            .iter()
            .map(|o| to_inline_html(o))
            .collect(),
        topic: Topic {
            slug: topic.slug,
            name: topic.name,
            category: topic.category,
        },
        difficulty: question.difficulty.parse().unwrap_or(Difficulty::Medium),
        source: if question.source == QuestionSource::Ai.as_str() {
            QuestionSource::Ai
        } else {
            QuestionSource::Bank
        },
        answer,
    }
}

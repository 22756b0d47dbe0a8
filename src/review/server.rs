//! Spaced review on the server: cards made from missed and flagged questions, today's
//! queue in the learner's local day, answers rated from correctness and the server's own
//! count of the time taken, and FSRS (`rs-fsrs`, long-term scheduler, no fuzz) choosing
//! the next day. A card reviewed today does not come back today: the next one is never
//! before the learner's next midnight, and the queue leaves out cards reviewed today.
//!
//! A review is one transaction: a conditional update of the card (of two tabs or a double
//! click exactly one gets it) and its log, which keeps the card as it was before, so a
//! rating chosen afterwards reschedules from the same state.
use super::model::{CardOrigin, CardState, ReviewCard, ReviewOutcome, ReviewQueue, ReviewRating};
use crate::auth::model::CurrentUser;
use crate::challenge::server::stored_key;
use crate::clock::LocalClock;
use crate::db::portable;
use crate::entities::{question, review_card, review_log, topic};
use crate::error::AppError;
use crate::questions::markdown::{options_html, to_html};
use crate::types::{QuestionId, UserId};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};

/// A card shown this long ago without an answer starts its clock again on the next look
/// (the learner went away; the time since is not the time the answer took).
const STALE_SHOWING: chrono::Duration = chrono::Duration::minutes(30);

/// The learner's local day around `now`, in UTC.
#[derive(Clone, Copy, Debug)]
pub struct Day {
    pub clock: LocalClock,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl Day {
    pub fn of(clock: LocalClock, now: DateTime<Utc>) -> Day {
        let (start, end) = clock.day_bounds(now);
        Day { clock, start, end }
    }

    /// The day of a signed-in learner (in their stored time zone).
    pub fn of_user(user: &CurrentUser, now: DateTime<Utc>) -> Result<Day, AppError> {
        Ok(Day::of(LocalClock::of_user(user)?, now))
    }
}

/// A new card's columns (values follow: due at once).
const INSERT_CARD: &str = "INSERT INTO review_cards \
     (user_id, question_id, origin, state, due, stability, difficulty, elapsed_days, \
      scheduled_days, reps, lapses, created_at)";
/// A card the learner has already is brought forward to now instead.
const OR_BRING_FORWARD: &str = "ON CONFLICT (user_id, question_id) DO UPDATE SET due = \
     CASE WHEN review_cards.due > excluded.due THEN excluded.due ELSE review_cards.due END";

/// Puts a question in the learner's review queue (a missed one, or one they flagged).
pub async fn enqueue(
    db: &impl ConnectionTrait,
    user: UserId,
    question: QuestionId,
    origin: CardOrigin,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    db.execute_raw(portable(
        db,
        &format!(
            "{INSERT_CARD} VALUES ($1, $2, $3, 'new', $4, 0, 0, 0, 0, 0, 0, $4) {OR_BRING_FORWARD}"
        ),
        vec![
            user.0.into(),
            question.0.into(),
            origin.as_str().into(),
            now.into(),
        ],
    ))
    .await?;
    Ok(())
}

/// The statement that makes cards of the missed rows of `from_where` (a table or CTE with
/// `question_id`, and its condition), for learner `user` at `now` (placeholders or values).
pub fn missed_cards_sql(from_where: &str, user: &str, now: &str) -> String {
    format!(
        "{INSERT_CARD} SELECT {user}, question_id, 'missed', 'new', {now}, 0, 0, 0, 0, 0, 0, {now} \
         FROM {from_where} {OR_BRING_FORWARD}"
    )
}

/// Puts every question of a finished quiz that was missed or left unanswered in the
/// learner's review queue (inside the transaction that finishes it).
pub async fn enqueue_missed_of_quiz(
    txn: &impl ConnectionTrait,
    user: UserId,
    quiz: i64,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let sql = missed_cards_sql(
        "quiz_items WHERE quiz_id = $2 AND correct IS NOT TRUE",
        "$1",
        "$3",
    );
    txn.execute_raw(portable(
        txn,
        &sql,
        vec![user.0.into(), quiz.into(), now.into()],
    ))
    .await?;
    Ok(())
}

/// Flags a question the learner can see (a bank question, or one of their own topics').
pub async fn flag(
    db: &DatabaseConnection,
    user: UserId,
    question: QuestionId,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    visible_question(db, user, question).await?;
    enqueue(db, user, question, CardOrigin::Flagged, now).await
}

/// The question with its topic, if the learner may see it; else "not found".
pub async fn visible_question(
    db: &impl ConnectionTrait,
    user: UserId,
    question: QuestionId,
) -> Result<(question::Model, topic::Model), AppError> {
    match question::Entity::find_by_id(question.0)
        .find_also_related(topic::Entity)
        .one(db)
        .await?
    {
        Some((q, Some(t))) if t.owner_id.is_none() || t.owner_id == Some(user.0) => Ok((q, t)),
        _ => Err(AppError::NotFound("Question".into())),
    }
}

/// Which of these questions have a card in the learner's queue.
pub async fn carded(
    db: &impl ConnectionTrait,
    user: UserId,
    questions: Vec<i64>,
) -> Result<std::collections::HashSet<i64>, AppError> {
    Ok(review_card::Entity::find()
        .select_only()
        .column(review_card::Column::QuestionId)
        .filter(review_card::Column::UserId.eq(user.0))
        .filter(review_card::Column::QuestionId.is_in(questions))
        .into_tuple::<i64>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

/// The cards a learner has and how many are due, as four counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Reviewed before, due by the end of today, not reviewed today.
    pub due_seen: u32,
    /// Never reviewed (due at once).
    pub due_new: u32,
    /// New cards started today.
    pub new_today: u32,
    pub cards: u32,
}

impl Counts {
    pub fn new_left(&self, new_per_day: u32) -> u32 {
        new_per_day.saturating_sub(self.new_today)
    }

    /// The reviews left today: due cards, and new ones up to the day's limit.
    pub fn due(&self, new_per_day: u32) -> u32 {
        self.due_seen + self.due_new.min(self.new_left(new_per_day))
    }
}

/// The four counts as columns of one select; `$1` user, `$2` end of today, `$3` its start.
pub const COUNTS_COLUMNS: &str = "\
    (SELECT COUNT(*) FROM review_cards WHERE user_id = $1 AND state <> 'new' AND due < $2 \
       AND (last_review IS NULL OR last_review < $3)), \
    (SELECT COUNT(*) FROM review_cards WHERE user_id = $1 AND state = 'new' AND due < $2), \
    (SELECT COUNT(*) FROM review_logs WHERE user_id = $1 AND reviewed_at >= $3 AND prior_state = 'new'), \
    (SELECT COUNT(*) FROM review_cards WHERE user_id = $1)";

/// Reads the four counts from a row whose columns `first..first + 4` are `COUNTS_COLUMNS`.
pub fn counts_from(row: &sea_orm::QueryResult, first: usize) -> Result<Counts, AppError> {
    let count = |at: usize| -> Result<u32, AppError> {
        let n: i64 = row.try_get_by_index(at)?;
        u32::try_from(n).map_err(|_| AppError::Internal)
    };
    Ok(Counts {
        due_seen: count(first)?,
        due_new: count(first + 1)?,
        new_today: count(first + 2)?,
        cards: count(first + 3)?,
    })
}

pub async fn counts(db: &impl ConnectionTrait, user: UserId, day: Day) -> Result<Counts, AppError> {
    let row = db
        .query_one_raw(portable(
            db,
            &format!("SELECT {COUNTS_COLUMNS}"),
            vec![user.0.into(), day.end.into(), day.start.into()],
        ))
        .await?
        .ok_or(AppError::Internal)?;
    counts_from(&row, 0)
}

/// Today's queue and its next card (seen cards first, oldest due first; then new ones,
/// oldest first, while today's limit lasts). Putting a card on screen starts its clock.
pub async fn queue(
    db: &DatabaseConnection,
    user: UserId,
    day: Day,
    now: DateTime<Utc>,
    new_per_day: u32,
) -> Result<ReviewQueue, AppError> {
    let counts = counts(db, user, day).await?;
    let new_left = counts.new_left(new_per_day);
    let mut queue = ReviewQueue {
        due: counts.due(new_per_day),
        new_left,
        new_waiting: counts.due_new.saturating_sub(new_left),
        cards: counts.cards,
        card: None,
    };
    if queue.due == 0 {
        return Ok(queue);
    }
    let mut eligible = Condition::any().add(review_card::Column::State.ne(CardState::New));
    if new_left > 0 {
        eligible = eligible.add(review_card::Column::State.eq(CardState::New));
    }
    let Some((card, Some(question))) = due_cards(user, day)
        .filter(eligible)
        .order_by_asc(sea_orm::sea_query::Expr::cust(
            "CASE WHEN review_cards.state = 'new' THEN 1 ELSE 0 END",
        ))
        .order_by_asc(review_card::Column::Due)
        .order_by_asc(review_card::Column::QuestionId)
        .find_also_related(question::Entity)
        .one(db)
        .await?
    else {
        return Ok(queue);
    };
    let topic = topic::Entity::find_by_id(question.topic_id)
        .one(db)
        .await?
        .ok_or(AppError::Internal)?;
    if card.shown_at.is_none_or(|at| now - at > STALE_SHOWING) {
        review_card::Entity::update_many()
            .col_expr(
                review_card::Column::ShownAt,
                sea_orm::sea_query::Expr::value(now),
            )
            .filter(review_card::Column::UserId.eq(user.0))
            .filter(review_card::Column::QuestionId.eq(card.question_id))
            .exec(db)
            .await?;
    }
    queue.card = Some(ReviewCard {
        question: QuestionId(question.id),
        title: question.title.clone(),
        stem_html: to_html(&question.stem),
        options_html: options_html(&question.options.0),
        topic: topic.name,
        difficulty: question.difficulty,
        origin: card.origin,
        is_new: card.state == CardState::New,
    });
    Ok(queue)
}

/// The learner's cards due by the end of today and not reviewed today.
fn due_cards(user: UserId, day: Day) -> sea_orm::Select<review_card::Entity> {
    review_card::Entity::find()
        .filter(review_card::Column::UserId.eq(user.0))
        .filter(review_card::Column::Due.lt(day.end))
        .filter(
            Condition::any()
                .add(review_card::Column::LastReview.is_null())
                .add(review_card::Column::LastReview.lt(day.start)),
        )
}

/// A card's memory state, as stored on the card or kept in a log.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Memory {
    state: CardState,
    due: DateTime<Utc>,
    stability: f64,
    difficulty: f64,
    elapsed_days: i32,
    scheduled_days: i32,
    reps: i32,
    lapses: i32,
    last_review: Option<DateTime<Utc>>,
}

impl Memory {
    fn of_card(card: &review_card::Model) -> Memory {
        Memory {
            state: card.state,
            due: card.due,
            stability: card.stability,
            difficulty: card.difficulty,
            elapsed_days: card.elapsed_days,
            scheduled_days: card.scheduled_days,
            reps: card.reps,
            lapses: card.lapses,
            last_review: card.last_review,
        }
    }

    fn prior_of(log: &review_log::Model) -> Memory {
        Memory {
            state: log.prior_state,
            due: log.prior_due,
            stability: log.prior_stability,
            difficulty: log.prior_difficulty,
            elapsed_days: log.prior_elapsed_days,
            scheduled_days: log.prior_scheduled_days,
            reps: log.prior_reps,
            lapses: log.prior_lapses,
            last_review: log.prior_last_review,
        }
    }

    /// The state after a review rated `rating` at `at`, due no earlier than `not_before`
    /// (the learner's next midnight).
    fn after(self, rating: ReviewRating, at: DateTime<Utc>, not_before: DateTime<Utc>) -> Memory {
        use rs_fsrs::{Card, Parameters, Rating, State, FSRS};
        let fsrs = FSRS::new(Parameters {
            enable_short_term: false,
            enable_fuzz: false,
            ..Parameters::default()
        });
        let card = Card {
            due: self.due,
            stability: self.stability,
            difficulty: self.difficulty,
            elapsed_days: i64::from(self.elapsed_days),
            scheduled_days: i64::from(self.scheduled_days),
            reps: self.reps,
            lapses: self.lapses,
            state: match self.state {
                CardState::New => State::New,
                CardState::Learning => State::Learning,
                CardState::Review => State::Review,
                CardState::Relearning => State::Relearning,
            },
            last_review: self.last_review.unwrap_or(self.due),
        };
        let rating = match rating {
            ReviewRating::Again => Rating::Again,
            ReviewRating::Hard => Rating::Hard,
            ReviewRating::Good => Rating::Good,
            ReviewRating::Easy => Rating::Easy,
        };
        let next = fsrs.next(card, at, rating).card;
        let days = |d: i64| i32::try_from(d).unwrap_or(i32::MAX);
        Memory {
            state: match next.state {
                State::New => CardState::New,
                State::Learning => CardState::Learning,
                State::Review => CardState::Review,
                State::Relearning => CardState::Relearning,
            },
            due: next.due.max(not_before),
            stability: next.stability,
            difficulty: next.difficulty,
            elapsed_days: days(next.elapsed_days),
            scheduled_days: days(next.scheduled_days),
            reps: next.reps,
            lapses: next.lapses,
            last_review: Some(at),
        }
    }
}

async fn card_of(
    db: &impl ConnectionTrait,
    user: UserId,
    question: QuestionId,
) -> Result<review_card::Model, AppError> {
    review_card::Entity::find_by_id((user.0, question.0))
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound("Review card".into()))
}

/// Today's review of the card, if there was one.
async fn todays_log(
    db: &impl ConnectionTrait,
    user: UserId,
    question: QuestionId,
    day: Day,
) -> Result<Option<review_log::Model>, AppError> {
    Ok(review_log::Entity::find()
        .filter(review_log::Column::UserId.eq(user.0))
        .filter(review_log::Column::QuestionId.eq(question.0))
        .filter(review_log::Column::ReviewedAt.gte(day.start))
        .order_by_desc(review_log::Column::Id)
        .limit(1)
        .one(db)
        .await?)
}

/// Reviews the card on screen: the answer is checked, its time counted from when the
/// queue showed the card, and the card rescheduled with the rating the answer earned.
pub async fn answer(
    db: &DatabaseConnection,
    user: UserId,
    question: QuestionId,
    chosen: u8,
    day: Day,
    now: DateTime<Utc>,
    new_per_day: u32,
) -> Result<ReviewOutcome, AppError> {
    if chosen > 3 {
        return Err(AppError::invalid(
            "choice",
            "Choose one of the four options.",
        ));
    }
    let card = card_of(db, user, question).await?;
    if let Some(log) = todays_log(db, user, question, day).await? {
        return same_review(db, user, log, chosen, day).await;
    }
    if card.due >= day.end {
        return Err(AppError::Conflict(format!(
            "This card is not due until {}.",
            day.clock.day(card.due)
        )));
    }
    if card.state == CardState::New && counts(db, user, day).await?.new_left(new_per_day) == 0 {
        return Err(AppError::Conflict(format!(
            "That is today's {new_per_day} new cards: this one waits until tomorrow."
        )));
    }
    let Some(shown_at) = card.shown_at else {
        return Err(AppError::Conflict(
            "That card is not on screen: open the review queue again.".into(),
        ));
    };
    let (question_row, _) = visible_question(db, user, question).await?;
    let key = stored_key(question_row.answer_index)?;
    let correct = chosen == key;
    let time_ms = (now - shown_at).num_milliseconds().max(0);
    let inferred = ReviewRating::inferred(correct, u64::try_from(time_ms).unwrap_or(0));
    let prior = Memory::of_card(&card);
    let next = prior.after(inferred, now, day.end);

    let txn = db.begin().await?;
    // The claim: the card moves on from this state once.
    let claimed = write_memory(&txn, user, question, next, Some(prior)).await?;
    if !claimed {
        txn.rollback().await?;
        return match todays_log(db, user, question, day).await? {
            Some(log) => same_review(db, user, log, chosen, day).await,
            None => Err(AppError::Conflict(
                "This card changed meanwhile (another tab?). Open the review queue again.".into(),
            )),
        };
    }
    review_log::Entity::insert(review_log::ActiveModel {
        user_id: Set(user.0),
        question_id: Set(question.0),
        reviewed_at: Set(now),
        chosen_index: Set(i16::from(chosen)),
        correct: Set(correct),
        time_ms: Set(time_ms),
        rating: Set(inferred),
        prior_state: Set(prior.state),
        prior_due: Set(prior.due),
        prior_stability: Set(prior.stability),
        prior_difficulty: Set(prior.difficulty),
        prior_elapsed_days: Set(prior.elapsed_days),
        prior_scheduled_days: Set(prior.scheduled_days),
        prior_reps: Set(prior.reps),
        prior_lapses: Set(prior.lapses),
        prior_last_review: Set(prior.last_review),
        ..Default::default()
    })
    .exec_without_returning(&txn)
    .await?;
    txn.commit().await?;
    Ok(outcome_of(
        &question_row,
        key,
        chosen,
        correct,
        time_ms,
        inferred,
        inferred,
        next.due,
        day,
    ))
}

/// Writes a card's new memory state if it is still in `expected` (`None`: any state);
/// returns whether it did.
async fn write_memory(
    db: &impl ConnectionTrait,
    user: UserId,
    question: QuestionId,
    next: Memory,
    expected: Option<Memory>,
) -> Result<bool, AppError> {
    let mut update = review_card::Entity::update_many()
        .col_expr(review_card::Column::State, next.state.into())
        .col_expr(review_card::Column::Due, next.due.into())
        .col_expr(review_card::Column::Stability, next.stability.into())
        .col_expr(review_card::Column::Difficulty, next.difficulty.into())
        .col_expr(review_card::Column::ElapsedDays, next.elapsed_days.into())
        .col_expr(
            review_card::Column::ScheduledDays,
            next.scheduled_days.into(),
        )
        .col_expr(review_card::Column::Reps, next.reps.into())
        .col_expr(review_card::Column::Lapses, next.lapses.into())
        .col_expr(review_card::Column::LastReview, next.last_review.into())
        .col_expr(
            review_card::Column::ShownAt,
            Option::<DateTime<Utc>>::None.into(),
        )
        .filter(review_card::Column::UserId.eq(user.0))
        .filter(review_card::Column::QuestionId.eq(question.0));
    if let Some(expected) = expected {
        update = update
            .filter(review_card::Column::Reps.eq(expected.reps))
            .filter(match expected.last_review {
                Some(at) => review_card::Column::LastReview.eq(at),
                None => review_card::Column::LastReview.is_null(),
            });
    }
    Ok(update.exec(db).await?.rows_affected == 1)
}

/// A repeat of today's review: the same answer gives the same outcome; another is refused.
async fn same_review(
    db: &DatabaseConnection,
    user: UserId,
    log: review_log::Model,
    chosen: u8,
    day: Day,
) -> Result<ReviewOutcome, AppError> {
    if log.chosen_index != i16::from(chosen) {
        let card = card_of(db, user, QuestionId(log.question_id)).await?;
        return Err(AppError::Conflict(format!(
            "You reviewed this card today; it comes back on {}.",
            day.clock.day(card.due)
        )));
    }
    outcome_from_log(db, user, &log, day).await
}

async fn outcome_from_log(
    db: &impl ConnectionTrait,
    user: UserId,
    log: &review_log::Model,
    day: Day,
) -> Result<ReviewOutcome, AppError> {
    let question = QuestionId(log.question_id);
    let card = card_of(db, user, question).await?;
    let (question_row, _) = visible_question(db, user, question).await?;
    let key = stored_key(question_row.answer_index)?;
    let chosen = u8::try_from(log.chosen_index).map_err(|_| AppError::Internal)?;
    Ok(outcome_of(
        &question_row,
        key,
        chosen,
        log.correct,
        log.time_ms,
        log.rating,
        ReviewRating::inferred(log.correct, u64::try_from(log.time_ms).unwrap_or(0)),
        card.due,
        day,
    ))
}

#[allow(clippy::too_many_arguments)]
fn outcome_of(
    question: &question::Model,
    key: u8,
    chosen: u8,
    correct: bool,
    time_ms: i64,
    rating: ReviewRating,
    inferred: ReviewRating,
    due: DateTime<Utc>,
    day: Day,
) -> ReviewOutcome {
    let in_days = (due - day.start).num_days().max(0);
    ReviewOutcome {
        question: QuestionId(question.id),
        title: question.title.clone(),
        chosen,
        correct,
        answer_index: key,
        explanation_html: to_html(&question.explanation),
        time_ms: u64::try_from(time_ms).unwrap_or(0),
        rating,
        inferred,
        next_day: day.clock.day(due),
        in_days: u32::try_from(in_days).unwrap_or(u32::MAX),
    }
}

/// Today's review of a card, for the page after a plain form (`None` if not reviewed today).
pub async fn reviewed_today(
    db: &DatabaseConnection,
    user: UserId,
    question: QuestionId,
    day: Day,
) -> Result<Option<ReviewOutcome>, AppError> {
    match todays_log(db, user, question, day).await? {
        Some(log) => outcome_from_log(db, user, &log, day).await.map(Some),
        None => Ok(None),
    }
}

/// Changes the rating of today's review of a card: the card is rescheduled from the state
/// it was in before that review, as if it had been rated so then.
pub async fn rate(
    db: &DatabaseConnection,
    user: UserId,
    question: QuestionId,
    rating: ReviewRating,
    day: Day,
) -> Result<ReviewOutcome, AppError> {
    card_of(db, user, question).await?;
    let Some(log) = todays_log(db, user, question, day).await? else {
        return Err(AppError::Conflict(
            "Answer the card first: a rating follows a review today.".into(),
        ));
    };
    if log.rating == rating {
        return outcome_from_log(db, user, &log, day).await;
    }
    let next = Memory::prior_of(&log).after(rating, log.reviewed_at, day.end);
    let txn = db.begin().await?;
    let card = card_of(&txn, user, question).await?;
    // Only while the card is still as that review left it.
    if card.last_review != Some(log.reviewed_at)
        || !write_memory(&txn, user, question, next, Some(Memory::of_card(&card))).await?
    {
        txn.rollback().await?;
        return Err(AppError::Conflict(
            "This card changed meanwhile (another tab?). Open the review queue again.".into(),
        ));
    }
    review_log::Entity::update_many()
        .col_expr(review_log::Column::Rating, rating.into())
        .filter(review_log::Column::Id.eq(log.id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    let log = review_log::Model { rating, ..log };
    outcome_from_log(db, user, &log, day).await
}

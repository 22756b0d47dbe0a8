//! Serving AI questions to a learner: validate the request, reserve a unit of the daily
//! quota, then take a verified question from the pool or generate one live. The unit is
//! kept only when a question reaches the learner; a failure, a rejection or a cancelled
//! request (the stream dropped) gives it back.
use super::pipeline::{produce, Progress, Spec};
use super::pool;
use super::quota::{self, Reservation};
use crate::challenge::server::new_challenge;
use crate::clock::LocalClock;
use crate::entities::{question, topic, user};
use crate::error::AppError;
use crate::generation::model::{AiStatus, GenerateRequest, GenerationEvent, QuotaView, Stage};
use crate::state::AppState;
use crate::types::{ChallengeId, Difficulty, Focus, Language, UserId};
use chrono::SubsecRound;
use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, TransactionTrait};

/// A checked request: known topic, difficulty and language; bounded focus text.
pub struct Parsed {
    pub topic: topic::Model,
    pub difficulty: Difficulty,
    pub language: Option<Language>,
    pub focus: Option<Focus>,
}

pub async fn parse_request(
    db: &DatabaseConnection,
    user: UserId,
    request: &GenerateRequest,
) -> Result<Parsed, AppError> {
    let focus = Focus::parse(request.focus.as_deref().unwrap_or(""))
        .map_err(|message| AppError::invalid("focus", message))?;
    let topic = crate::challenge::server::find_topic(db, Some(user), &request.topic).await?;
    Ok(Parsed {
        topic,
        difficulty: request.difficulty,
        language: request.language,
        focus,
    })
}

/// A reserved unit of quota, and the user's one generation in flight. Dropped without
/// `keep` (a failure, or the request was cancelled mid-way), the unit is given back; either
/// way the user may start another generation afterwards.
pub struct Charge {
    db: DatabaseConnection,
    reservation: Option<Reservation>,
    run: Option<Run>,
}

/// The lease on a user's in-flight generation.
struct Run {
    user: UserId,
    until: chrono::DateTime<chrono::Utc>,
}

impl Charge {
    /// The learner got their question: the unit stays spent.
    pub fn keep(mut self) {
        self.reservation = None;
        if let Some(run) = self.run.take() {
            let db = self.db.clone();
            tokio::spawn(async move { end(&db, &run).await });
        }
    }

    /// Gives the unit back now (the `Drop` path is for requests cut off midway).
    pub async fn refund(mut self) {
        if let Some(reservation) = self.reservation.take() {
            give_back(&self.db, &reservation).await;
        }
        if let Some(run) = self.run.take() {
            end(&self.db, &run).await;
        }
    }
}

impl Drop for Charge {
    fn drop(&mut self) {
        let (reservation, run) = (self.reservation.take(), self.run.take());
        if reservation.is_none() && run.is_none() {
            return;
        }
        let db = self.db.clone();
        tokio::spawn(async move {
            if let Some(reservation) = reservation {
                give_back(&db, &reservation).await;
            }
            if let Some(run) = run {
                end(&db, &run).await;
            }
        });
    }
}

async fn end(db: &DatabaseConnection, run: &Run) {
    if let Err(err) = quota::end_run(db, run.user, run.until).await {
        tracing::error!(
            ?err,
            user = run.user.0,
            "ending a generation's lease failed"
        );
    }
}

async fn give_back(db: &DatabaseConnection, reservation: &Reservation) {
    if let Err(err) = quota::refund(db, reservation).await {
        tracing::error!(?err, user = reservation.user.0, "quota refund failed");
    }
}

/// How long a second generation of one user waits for the first to end before it is
/// refused: longer than the server takes to notice a cancelled stream (its keep-alive), so
/// "cancel, then generate again" just works.
const SLOT_WAIT: std::time::Duration = std::time::Duration::from_secs(8);

/// Takes the user's one generation slot, waiting a little for a previous run to end;
/// returns the start and the lease's end.
async fn wait_for_slot(
    state: &AppState,
    user: UserId,
) -> Result<(chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>), AppError> {
    let give_up = tokio::time::Instant::now() + SLOT_WAIT;
    loop {
        let now = chrono::Utc::now();
        // A run whose instance died frees the user when its lease ends.
        let until = now.trunc_subsecs(0) + state.config.generation_lease();
        if quota::start_run(&state.db, user, now, until).await? {
            return Ok((now, until));
        }
        if tokio::time::Instant::now() >= give_up {
            return Err(AppError::Conflict(
                "One of your AI questions is still being written (perhaps in another tab). Wait for it to finish, or cancel it, then try again.".into(),
            ));
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
}

/// The learner's clock from their stored zone; an unknown one is a corrupt row (logged,
/// refused), never quietly UTC.
async fn clock_of(db: &DatabaseConnection, user: UserId) -> Result<LocalClock, AppError> {
    let Some(found) = user::Entity::find_by_id(user.0).one(db).await? else {
        return Err(AppError::Unauthorized);
    };
    LocalClock::stored(&found.time_zone, user)
}

/// Checks the request and reserves quota, before any streaming starts, so these errors
/// get their own HTTP status (422, 429 with Retry-After …).
pub async fn begin(
    state: &AppState,
    user: UserId,
    request: &GenerateRequest,
) -> Result<(Parsed, Charge), AppError> {
    if state.llm.is_none() {
        return Err(AppError::Conflict(
            "No AI model is configured here; questions come from the bank.".into(),
        ));
    }
    let parsed = parse_request(&state.db, user, request).await?;
    let clock = clock_of(&state.db, user).await?;
    let (now, until) = wait_for_slot(state, user).await?;
    let mut charge = Charge {
        db: state.db.clone(),
        reservation: None,
        run: Some(Run { user, until }),
    };
    let limits = quota::DailyLimits {
        quota: state.config.daily_quota,
        attempts: state.config.daily_attempts,
    };
    // On a refusal here, `charge` drops and ends the run.
    charge.reservation = Some(quota::reserve(&state.db, user, clock, now, limits).await?);
    Ok((parsed, charge))
}

/// Serves one AI question and returns the `Done` event. The unit is kept only once the
/// learner's challenge is committed; otherwise it is refunded before the error is reported.
pub async fn run(
    state: &AppState,
    user: UserId,
    parsed: Parsed,
    charge: Charge,
    progress: &Progress,
) -> Result<GenerationEvent, AppError> {
    match serve(state, user, &parsed, progress).await {
        Ok((challenge_id, from_pool)) => {
            // No await between the commit in `serve` and here: a cancel cannot split them.
            charge.keep();
            state.metrics.challenge_served();
            if parsed.language.is_none() && parsed.focus.is_none() {
                pool::request_refill(state, parsed.topic.id, parsed.difficulty).await;
            }
            Ok(GenerationEvent::Done {
                challenge_id,
                from_pool,
            })
        }
        Err(err) => {
            charge.refund().await;
            Err(err)
        }
    }
}

/// From the pool when the request is a plain one and the pool has a question, else
/// generated live. Returns the committed challenge and whether it came from the pool.
async fn serve(
    state: &AppState,
    user: UserId,
    parsed: &Parsed,
    progress: &Progress,
) -> Result<(ChallengeId, bool), AppError> {
    let provider = state.llm.clone().ok_or(AppError::Internal)?;
    let db = &state.db;
    let plain = parsed.language.is_none() && parsed.focus.is_none();
    if plain && state.config.pool_target > 0 {
        progress.stage(Stage::Pool);
        let txn = db.begin().await?;
        if let Some(question_id) = pool::claim(&txn, parsed.topic.id, parsed.difficulty).await? {
            let created = new_challenge(user, question_id).insert(&txn).await?;
            txn.commit().await?;
            return Ok((ChallengeId(created.id), true));
        }
        txn.rollback().await?;
    }

    let spec = Spec {
        topic: &parsed.topic,
        difficulty: parsed.difficulty,
        language: parsed.language,
        focus: parsed.focus.as_ref(),
    };
    let verify_model = state.config.verify_model();
    let verified = produce(&*provider, verify_model, db, Some(user), &spec, progress).await?;
    progress.stage(Stage::Saving);
    let txn = db.begin().await?;
    let stored: question::Model =
        crate::questions::store::insert(&txn, verified.into_row(parsed.topic.id)).await?;
    let created = new_challenge(user, stored.id).insert(&txn).await?;
    txn.commit().await?;
    Ok((ChallengeId(created.id), false))
}

/// The model in use (if any) and the caller's quota for today.
pub async fn status(state: &AppState, user: Option<UserId>) -> Result<AiStatus, AppError> {
    let Some(llm) = &state.config.llm else {
        return Ok(AiStatus {
            model: None,
            quota: None,
        });
    };
    let quota = match user {
        Some(user) => {
            let clock = clock_of(&state.db, user).await?;
            let now = chrono::Utc::now();
            let (used, attempts_used) = quota::used_on(&state.db, user, &clock.day(now)).await?;
            Some(QuotaView {
                limit: state.config.daily_quota,
                used,
                attempts_limit: state.config.daily_attempts,
                attempts_used,
                resets_in_secs: clock.seconds_to_midnight(now),
                time_zone: clock.name().to_owned(),
            })
        }
        None => None,
    };
    Ok(AiStatus {
        model: Some(llm.model.clone()),
        quota,
    })
}

//! `promptedcode seed`: fills the configured database with learners who have practised a
//! lot, for benchmarks and demos. Each learner gets `answers` answered challenges spread
//! over the bank and over the last 120 days (oldest first), `open` unanswered ones, a
//! review card for each question they missed (due over the next two weeks), a study plan
//! and a session; the session tokens and open challenge ids are written to a file for the
//! load generator.
//!
//! Every seeded learner has the same password (`seeded-password-1`), hashed once.
use crate::auth::server::accounts::{create_session, hash_password, NewPassword, SessionPolicy};
use crate::config::Config;
use crate::entities::{challenge, question, review_card, study_plan, user};
use crate::questions::bank;
use crate::types::{Role, UserId};
use rand::{Rng, SeedableRng};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::io::Write;
use std::process::ExitCode;

pub const PASSWORD: &str = "seeded-password-1";
/// Rows per INSERT: well under both backends' bind-parameter limits (7 columns each).
const BATCH: usize = 2_000;

#[derive(Debug)]
struct Args {
    users: u32,
    answers: u32,
    open: u32,
    out: std::path::PathBuf,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut parsed = Args {
        users: 1_000,
        answers: 1_000,
        open: 0,
        out: "seeded-sessions.csv".into(),
    };
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .ok_or_else(|| format!("{flag} needs a value"))?;
        let number = || {
            value
                .parse::<u32>()
                .map_err(|_| format!("{flag}: {value:?} is not a whole number"))
        };
        match flag.as_str() {
            "--users" => parsed.users = number()?.clamp(1, 1_000_000),
            "--answers" => parsed.answers = number()?.min(100_000),
            "--open" => parsed.open = number()?.min(100_000),
            "--out" => parsed.out = value.into(),
            _ => return Err(format!("unknown option {flag}")),
        }
    }
    Ok(parsed)
}

pub async fn run(args: impl Iterator<Item = String>) -> ExitCode {
    crate::server::init_tracing();
    let args = match parse_args(args) {
        Ok(args) => args,
        Err(err) => {
            eprintln!(
                "promptedcode seed: {err}\nusage: promptedcode seed [--users N] [--answers N] [--open N] [--out FILE]"
            );
            return ExitCode::from(2);
        }
    };
    match seed(&args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("promptedcode seed: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn seed(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    let config = Config::from_env()?;
    let db = crate::db::connect(config.database_url.expose(), 4, Default::default()).await?;
    crate::db::migrate(&db).await?;
    bank::sync(&db, &bank::load_dir(&config.bank_dir)?).await?;
    let questions: Vec<(i64, i16)> = question::Entity::find()
        .select_only()
        .columns([question::Column::Id, question::Column::AnswerIndex])
        .filter(question::Column::Retired.eq(false))
        .order_by_asc(question::Column::Id)
        .into_tuple()
        .all(&db)
        .await?;
    if questions.is_empty() {
        return Err("the bank has no questions".into());
    }
    let sessions = SessionPolicy::of(&config);
    let password_hash = hash_password(NewPassword::parse(PASSWORD, "seeded")?).await?;
    let started = std::time::Instant::now();
    let now = chrono::Utc::now();
    let stamp = now.timestamp();
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let mut out = std::io::BufWriter::new(std::fs::File::create(&args.out)?);
    writeln!(out, "token,open_challenge_ids")?;
    let mut challenges_written = 0u64;
    for first in (0..args.users).step_by(500) {
        let last = (first + 500).min(args.users);
        let users: Vec<user::ActiveModel> = (first..last)
            .map(|n| user::ActiveModel {
                email: Set(format!("seeded-{stamp}-{n}@example.com")),
                password_hash: Set(Some(password_hash.clone())),
                display_name: Set(format!("Learner {n}")),
                role: Set(Role::User),
                created_at: Set(now),
                time_zone: Set("UTC".to_owned()),
                generating_until: Set(None),
                ..Default::default()
            })
            .collect();
        user::Entity::insert_many(users).exec(&db).await?;
        let ids: Vec<i64> = user::Entity::find()
            .select_only()
            .column(user::Column::Id)
            .filter(user::Column::Email.starts_with(format!("seeded-{stamp}-")))
            .order_by_asc(user::Column::Id)
            .offset(u64::from(first))
            .limit(u64::from(last - first))
            .into_tuple()
            .all(&db)
            .await?;
        let mut rows = Vec::with_capacity(BATCH);
        let mut tokens = std::collections::HashMap::with_capacity(ids.len());
        let total = args.answers + args.open;
        // Answers spread over 120 days, so the progress charts have days to show.
        let spacing = (120 * 24 * 60 / i64::from(total.max(1))).max(1);
        let mut cards = Vec::new();
        let mut plans = Vec::with_capacity(ids.len());
        for &user_id in &ids {
            plans.push(seeded_plan(user_id, now));
            for i in 0..total {
                let (question_id, key) = questions[rng.gen_range(0..questions.len())];
                let created_at = now - chrono::Duration::minutes(i64::from(total - i) * spacing);
                let answered = i < args.answers;
                let correct = answered.then(|| rng.gen_bool(0.65));
                let chosen = correct.map(|c| if c { key } else { (key + 1) % 4 });
                if correct == Some(false) {
                    cards.push(seeded_card(user_id, question_id, now, rng.gen_range(0..14 * 24)));
                }
                rows.push(challenge::ActiveModel {
                    user_id: Set(user_id),
                    question_id: Set(question_id),
                    chosen_index: Set(chosen),
                    correct: Set(correct),
                    time_taken_ms: Set(answered.then(|| rng.gen_range(3_000..90_000))),
                    created_at: Set(created_at),
                    answered_at: Set(answered.then(|| created_at + chrono::Duration::seconds(30))),
                    ..Default::default()
                });
                if rows.len() == BATCH {
                    challenges_written += rows.len() as u64;
                    challenge::Entity::insert_many(std::mem::take(&mut rows))
                        .exec(&db)
                        .await?;
                }
            }
            let device = crate::auth::server::accounts::Device::unknown();
            let token = create_session(&db, UserId(user_id), sessions, &device).await?;
            tokens.insert(user_id, (token, Vec::new()));
        }
        if !rows.is_empty() {
            challenges_written += rows.len() as u64;
            challenge::Entity::insert_many(rows).exec(&db).await?;
        }
        study_plan::Entity::insert_many(plans).exec(&db).await?;
        for batch in cards.chunks(BATCH / 2) {
            review_card::Entity::insert_many(batch.to_vec())
                .on_conflict_do_nothing()
                .exec_without_returning(&db)
                .await?;
        }
        if args.open > 0 {
            let open: Vec<(i64, i64)> = challenge::Entity::find()
                .select_only()
                .columns([challenge::Column::UserId, challenge::Column::Id])
                .filter(challenge::Column::UserId.is_in(ids.iter().copied()))
                .filter(challenge::Column::ChosenIndex.is_null())
                .into_tuple()
                .all(&db)
                .await?;
            for (user_id, id) in open {
                if let Some((_, ids)) = tokens.get_mut(&user_id) {
                    ids.push(id.to_string());
                }
            }
        }
        for user_id in &ids {
            if let Some((token, open)) = tokens.get(user_id) {
                writeln!(out, "{token},{}", open.join(" "))?;
            }
        }
        eprintln!(
            "seeded {last} of {} learners ({challenges_written} challenges, {:.0?})",
            args.users,
            started.elapsed()
        );
    }
    out.flush()?;
    Ok(())
}

/// A four-week plan started two weeks ago: 10 questions a day, any difficulty.
fn seeded_plan(user_id: i64, now: chrono::DateTime<chrono::Utc>) -> study_plan::ActiveModel {
    use crate::plan::model::{Experience, JobRole};
    study_plan::ActiveModel {
        user_id: Set(user_id),
        job_role: Set(JobRole::Backend),
        experience: Set(Experience::Mid),
        companies: Set(crate::entities::columns::CompanyList(vec!["Acme".to_owned()])),
        interview_date: Set(Some((now + chrono::Duration::days(14)).date_naive())),
        starts_on: Set((now - chrono::Duration::days(14)).date_naive()),
        daily_goal: Set(10),
        minutes_per_day: Set(30),
        reminder_time: Set(None),
        timer_minutes: Set(None),
        difficulty: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
}

/// A review card for a missed question, due `due_in_hours` from now.
fn seeded_card(
    user_id: i64,
    question_id: i64,
    now: chrono::DateTime<chrono::Utc>,
    due_in_hours: i64,
) -> review_card::ActiveModel {
    use crate::review::model::{CardOrigin, CardState};
    review_card::ActiveModel {
        user_id: Set(user_id),
        question_id: Set(question_id),
        origin: Set(CardOrigin::Missed),
        state: Set(CardState::Review),
        due: Set(now + chrono::Duration::hours(due_in_hours)),
        stability: Set(3.0),
        difficulty: Set(5.0),
        elapsed_days: Set(1),
        scheduled_days: Set(3),
        reps: Set(1),
        lapses: Set(1),
        last_review: Set(Some(now - chrono::Duration::days(2))),
        shown_at: Set(None),
        created_at: Set(now),
    }
}

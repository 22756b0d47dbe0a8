//! The study-plan wizard over HTTP on both backends: each step's checks name their
//! fields, the answers survive a reload and a sign-out, the plan is written in one
//! transaction (a failing last write leaves nothing, on Postgres where a trigger can make
//! it fail), running it again edits the plan, and the dashboard counts today's answers.
//! The local dates answers fall on, across a local midnight and a daylight-saving change.
use crate::common;

use common::app::TestApp;
use common::{load_bank, new_user, Backend};
use promptedcode::clock::LocalClock;
use promptedcode::entities::{challenge, question, study_plan, user, user_topic, wizard_draft};
use reqwest::StatusCode;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QuerySelect,
};
use serde_json::Value;

const STEP: &str = "/api/wizard/step";

async fn view(app: &TestApp, cookie: &str) -> Value {
    let (status, body) = app.call("/api/wizard/view", &[], cookie).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn step(app: &TestApp, cookie: &str, form: &[(&str, &str)]) -> (StatusCode, Value) {
    app.call(STEP, form, cookie).await
}

/// The fields a refusal names.
fn fields_of(body: &Value) -> Vec<String> {
    body["fields"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|p| p["field"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_else(|| vec![body["field"].as_str().unwrap_or_default().to_owned()])
}

fn days_from_now(days: i64) -> String {
    (chrono::Utc::now().date_naive() + chrono::Duration::days(days)).to_string()
}

async fn login(app: &TestApp, email: &str) -> String {
    let response = app
        .post_form(
            "/api/login",
            &[("email", email), ("password", common::app::PASSWORD)],
            None,
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = common::app::session_cookie(response.headers()).unwrap();
    cookie.split(';').next().unwrap().to_owned()
}

async fn account(db: &DatabaseConnection, email: &str) -> user::Model {
    user::Entity::find()
        .filter(user::Column::Email.eq(email))
        .one(db)
        .await
        .unwrap()
        .unwrap()
}

/// Walks the wizard to its last step with good answers: graphs at 5, sql at 2.
async fn answer_every_step(app: &TestApp, cookie: &str, goal: &str, interview: &str) {
    let steps: [Vec<(&str, &str)>; 4] = [
        vec![
            ("step", "1"),
            ("go", "next"),
            ("role", "backend"),
            ("experience", "mid"),
        ],
        vec![
            ("step", "2"),
            ("go", "next"),
            ("companies", "Acme, Globex"),
            ("interview_date", interview),
        ],
        vec![
            ("step", "3"),
            ("go", "next"),
            ("priority[graphs]", "5"),
            ("priority[sql]", "2"),
        ],
        vec![
            ("step", "4"),
            ("go", "next"),
            ("daily_goal", goal),
            ("minutes_per_day", "40"),
            ("reminder_time", "07:30"),
            ("timer_minutes", "20"),
            ("difficulty", "medium"),
            ("time_zone", "Europe/Berlin"),
        ],
    ];
    for (i, form) in steps.iter().enumerate() {
        let (status, body) = step(app, cookie, form).await;
        assert_eq!(status, StatusCode::OK, "step {}: {body}", i + 1);
        assert_eq!(body, i + 2);
    }
}

async fn each_step_is_checked_and_kept_across_a_reload_and_a_sign_out(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[]).await;
    let ann = app.register("ann@example.com").await;
    let db = &app.state.db;

    let fresh = view(&app, &ann).await;
    assert_eq!(fresh["step"], "Role");
    assert_eq!(fresh["editing"], false);
    assert_eq!(fresh["fields"]["daily_goal"], "10", "a sensible default");
    assert_eq!(
        fresh["fields"]["time_zone"], "UTC",
        "prefilled from the account"
    );

    let (status, body) = step(
        &app,
        &ann,
        &[("step", "1"), ("go", "next"), ("role", "wizard")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(fields_of(&body), ["role", "experience"], "{body}");
    let kept = view(&app, &ann).await;
    assert_eq!(kept["step"], "Role", "a refused step stays");
    assert_eq!(
        kept["fields"]["role"], "wizard",
        "as typed, for the learner to fix"
    );

    let (status, _) = step(&app, &ann, &[("step", "3"), ("go", "next")]).await;
    assert_eq!(status, StatusCode::CONFLICT, "a step not reached yet");

    let (status, body) = step(
        &app,
        &ann,
        &[
            ("step", "1"),
            ("go", "next"),
            ("role", "backend"),
            ("experience", "senior"),
        ],
    )
    .await;
    assert_eq!((status, body), (StatusCode::OK, Value::from(2)));

    for (date, why) in [
        (days_from_now(-2), "in the past"),
        (days_from_now(800), "more than 2 years away"),
        ("next tuesday".to_owned(), "not a date"),
    ] {
        let (status, body) = step(
            &app,
            &ann,
            &[("step", "2"), ("go", "next"), ("interview_date", &date)],
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{why}: {body}");
        assert_eq!(fields_of(&body), ["interview_date"], "{why}");
        assert!(body["message"].as_str().unwrap().contains("date"), "{body}");
    }
    let interview = days_from_now(21);
    let (status, _) = step(
        &app,
        &ann,
        &[
            ("step", "2"),
            ("go", "next"),
            ("companies", "Acme"),
            ("interview_date", &interview),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    let (status, body) = step(
        &app,
        &ann,
        &[
            ("step", "3"),
            ("go", "next"),
            ("priority[graphs]", "skip"),
            ("priority[sql]", "skip"),
        ],
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "none chosen: {body}"
    );
    let (status, body) = step(
        &app,
        &ann,
        &[
            ("step", "3"),
            ("go", "next"),
            ("priority[no-such-topic]", "3"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("no-such-topic"),
        "{body}"
    );

    // Back never checks: the answers are kept as they are and the step before shows.
    let (status, body) = step(
        &app,
        &ann,
        &[("step", "3"), ("go", "back"), ("priority[graphs]", "4")],
    )
    .await;
    assert_eq!((status, body), (StatusCode::OK, Value::from(2)));
    let back = view(&app, &ann).await;
    assert_eq!(back["step"], "Goal");
    assert_eq!(back["fields"]["priorities"]["graphs"], "4");
    assert_eq!(
        back["reached"], "Topics",
        "the furthest step stays reachable"
    );
    let (status, body) = step(
        &app,
        &ann,
        &[("step", "3"), ("go", "next"), ("priority[graphs]", "4")],
    )
    .await;
    assert_eq!((status, body), (StatusCode::OK, Value::from(4)));

    let (status, body) = step(
        &app,
        &ann,
        &[
            ("step", "4"),
            ("go", "next"),
            ("daily_goal", "0"),
            ("minutes_per_day", "500"),
            ("reminder_time", "7pm"),
            ("timer_minutes", "off"),
            ("difficulty", "mixed"),
            ("time_zone", "Mars/Base"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        fields_of(&body),
        [
            "daily_goal",
            "minutes_per_day",
            "reminder_time",
            "time_zone"
        ]
    );

    answer_every_step(&app, &ann, "6", &interview).await;

    // Signed out and in again (a new session): the wizard is where it was.
    let (status, _) = app.call("/api/logout", &[], &ann).await;
    assert_eq!(status, StatusCode::OK);
    let ann = login(&app, "ann@example.com").await;
    let resumed = view(&app, &ann).await;
    assert_eq!(resumed["step"], "Review");
    assert_eq!(resumed["fields"]["companies"], "Acme, Globex");
    let summary = &resumed["preview"]["Ok"];
    assert_eq!(summary["daily_goal"], 6, "{resumed}");
    // Today in Berlin (the zone step 4 chose) to the day before the interview: 21 days,
    // one fewer in the hour when Berlin is already on the next date.
    let berlin_today = LocalClock::named("Europe/Berlin")
        .unwrap()
        .local_date(chrono::Utc::now());
    let until = chrono::NaiveDate::parse_from_str(&interview, "%Y-%m-%d").unwrap();
    assert_eq!(
        summary["days"],
        (until - berlin_today).num_days(),
        "today to the day before the interview"
    );
    assert!(
        account(db, "ann@example.com").await.time_zone == "UTC",
        "nothing written before the last step"
    );
    assert_eq!(study_plan::Entity::find().count(db).await.unwrap(), 0);

    // The pages render the step (server-side, no script needed).
    let page = app.page_as("/wizard", &ann).await;
    assert!(page.contains("Step 5 of 5: Review and create"), "{page}");
    assert!(page.contains("Acme, Globex"));
    let earlier = app.page_as("/wizard?step=2", &ann).await;
    assert!(
        earlier.contains("Step 2 of 5"),
        "a reached step can be looked at again"
    );
}

async fn the_plan_is_written_at_once_and_running_again_edits_it(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[]).await;
    let ann = app.register("ann@example.com").await;
    let bob = app.register("bob@example.com").await;
    let db = &app.state.db;

    let (status, _) = app.call("/api/wizard/create", &[], &ann).await;
    assert_eq!(status, StatusCode::CONFLICT, "nothing answered yet");
    let (status, first_run) = app.call("/api/plan/dashboard", &[], &ann).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        first_run["FirstRun"]["draft_step"],
        Value::Null,
        "{first_run}"
    );
    assert!(app.page_as("/", &ann).await.contains("Make my study plan"));

    let interview = days_from_now(10);
    answer_every_step(&app, &ann, "6", &interview).await;
    let (status, body) = app.call("/api/wizard/create", &[], &ann).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let ann_id = account(db, "ann@example.com").await.id;
    assert_eq!(
        account(db, "ann@example.com").await.time_zone,
        "Europe/Berlin"
    );
    assert_eq!(
        wizard_draft::Entity::find().count(db).await.unwrap(),
        0,
        "the draft is gone"
    );
    let plan = study_plan::Entity::find_by_id(ann_id)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(plan.daily_goal, 6);
    assert_eq!(plan.companies.0, vec!["Acme", "Globex"]);
    let settings = user_topic::Entity::find()
        .filter(user_topic::Column::UserId.eq(ann_id))
        .all(db)
        .await
        .unwrap();
    let active: Vec<_> = settings
        .iter()
        .filter(|s| s.active)
        .map(|s| s.priority)
        .collect();
    assert_eq!(active.len(), 2, "graphs and sql: {settings:?}");
    assert!(active.contains(&5) && active.contains(&2));
    assert!(
        settings.len() > 2,
        "the other topics are written as left out"
    );

    let (status, dashboard) = app.call("/api/plan/dashboard", &[], &ann).await;
    assert_eq!(status, StatusCode::OK);
    let plan_view = &dashboard["Plan"];
    let days = plan_view["days"].as_array().unwrap();
    let berlin_today = LocalClock::named("Europe/Berlin")
        .unwrap()
        .local_date(chrono::Utc::now());
    let until = chrono::NaiveDate::parse_from_str(&interview, "%Y-%m-%d").unwrap();
    assert_eq!(
        days.len() as i64,
        (until - berlin_today).num_days(),
        "{plan_view}"
    );
    assert_eq!(days[0]["date"], berlin_today.to_string());
    assert_eq!(days[0]["questions"], 6);
    for day in days {
        for pair in day["topics"].as_array().unwrap() {
            let slug = pair[0]["slug"].as_str().unwrap();
            assert!(slug == "graphs" || slug == "sql", "{slug}");
        }
    }
    assert_eq!(plan_view["answered_today"], 0);
    assert_eq!(days[0]["reviews"], 0);
    let home = app.page_as("/?plan=saved", &ann).await;
    assert!(home.contains("Your plan is ready"), "{home}");
    assert!(home.contains("0 of 6 questions today"));
    let table = app.page_as("/plan", &ann).await;
    assert!(table.contains(&format!("Day by day, until {}", until.pred_opt().unwrap())));

    // Answering counts for today, and starts a streak.
    for _ in 0..2 {
        let (status, challenge) = app
            .call(
                "/api/challenge/next",
                &[("topic", "graphs"), ("difficulty", "medium")],
                &ann,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{challenge}");
        let id = challenge["id"].to_string();
        let (status, _) = app
            .call(
                "/api/challenge/answer",
                &[("id", &id), ("choice", "1")],
                &ann,
            )
            .await;
        assert_eq!(status, StatusCode::OK);
    }
    let (_, dashboard) = app.call("/api/plan/dashboard", &[], &ann).await;
    assert_eq!(dashboard["Plan"]["answered_today"], 2);
    assert_eq!(dashboard["Plan"]["streak"], 1);

    // Bob has no plan and sees none of Ann's.
    let (_, bobs) = app.call("/api/plan/dashboard", &[], &bob).await;
    assert!(bobs.get("FirstRun").is_some(), "{bobs}");
    let (status, none) = app.call("/api/plan/mine", &[], &bob).await;
    assert_eq!((status, none), (StatusCode::OK, Value::Null));

    // Running the wizard again starts from the plan and edits it.
    let again = view(&app, &ann).await;
    assert_eq!(again["editing"], true);
    assert_eq!(again["fields"]["daily_goal"], "6");
    assert_eq!(again["fields"]["role"], "backend");
    answer_every_step(&app, &ann, "12", "").await;
    let (status, _) = app.call("/api/wizard/create", &[], &ann).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        study_plan::Entity::find().count(db).await.unwrap(),
        1,
        "one plan, edited"
    );
    let plan = study_plan::Entity::find_by_id(ann_id)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((plan.daily_goal, plan.interview_date), (12, None));
    let (_, dashboard) = app.call("/api/plan/dashboard", &[], &ann).await;
    assert_eq!(
        dashboard["Plan"]["days"].as_array().unwrap().len(),
        28,
        "four weeks without a date"
    );
}

/// On Postgres a trigger makes the plan's insert (the transaction's last write) fail:
/// the zone, the topics and the draft are as they were.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_last_write_leaves_nothing() {
    let app = TestApp::spawn_with(Backend::Postgres, &[]).await;
    let ann = app.register("ann@example.com").await;
    let db = &app.state.db;
    answer_every_step(&app, &ann, "6", &days_from_now(30)).await;
    db.execute_unprepared(
        "CREATE FUNCTION refuse_plans() RETURNS trigger AS $$ \
         BEGIN RAISE EXCEPTION 'plans refused by the test'; END $$ LANGUAGE plpgsql; \
         CREATE TRIGGER refuse_plans BEFORE INSERT OR UPDATE ON study_plans \
         FOR EACH ROW EXECUTE FUNCTION refuse_plans();",
    )
    .await
    .unwrap();
    let (status, body) = app.call("/api/wizard/create", &[], &ann).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{body}");
    let ann_row = account(db, "ann@example.com").await;
    assert_eq!(ann_row.time_zone, "UTC", "the zone was not changed");
    let topics = user_topic::Entity::find()
        .filter(user_topic::Column::UserId.eq(ann_row.id))
        .count(db)
        .await
        .unwrap();
    assert_eq!(topics, 0, "no topic setting was written");
    assert_eq!(
        wizard_draft::Entity::find().count(db).await.unwrap(),
        1,
        "the draft is kept"
    );
    assert_eq!(study_plan::Entity::find().count(db).await.unwrap(), 0);

    db.execute_unprepared("DROP TRIGGER refuse_plans ON study_plans")
        .await
        .unwrap();
    let (status, _) = app.call("/api/wizard/create", &[], &ann).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the kept draft makes the plan once the fault is gone"
    );
    assert_eq!(study_plan::Entity::find().count(db).await.unwrap(), 1);
}

/// Answers stored at `times` (UTC) for a new learner; their local dates in `zone`.
async fn local_answer_days(db: &DatabaseConnection, zone: &str, times: &[&str]) -> Vec<String> {
    load_bank(db).await;
    let user = new_user(
        db,
        &format!("{}@example.com", zone.replace('/', "-").to_lowercase()),
    )
    .await;
    let questions: Vec<i64> = question::Entity::find()
        .select_only()
        .column(question::Column::Id)
        .limit(times.len() as u64)
        .into_tuple()
        .all(db)
        .await
        .unwrap();
    for (at, question) in times.iter().zip(questions) {
        let at: chrono::DateTime<chrono::Utc> = at.parse().unwrap();
        challenge::Entity::insert(challenge::ActiveModel {
            user_id: Set(user.0),
            question_id: Set(question),
            chosen_index: Set(Some(0)),
            correct: Set(Some(true)),
            time_taken_ms: Set(Some(1000)),
            created_at: Set(at),
            answered_at: Set(Some(at)),
            ..Default::default()
        })
        .exec(db)
        .await
        .unwrap();
    }
    let clock = LocalClock::named(zone).unwrap();
    let (from, to) = ("2026-10-01".parse().unwrap(), "2026-12-31".parse().unwrap());
    promptedcode::progress::server::answer_days(db, user, &clock, from, to)
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.to_string())
        .collect()
}

async fn answers_fall_on_local_dates_across_midnight_and_a_clock_change(db: DatabaseConnection) {
    // Berlin leaves summer time on 2026-10-25 at 03:00 (01:00 UTC): +2 before, +1 after.
    let berlin = local_answer_days(
        &db,
        "Europe/Berlin",
        &[
            "2026-10-23T21:59:00Z", // 23:59 on the 23rd
            "2026-10-24T22:30:00Z", // 00:30 on the 25th (UTC still says the 24th)
            "2026-10-25T00:59:00Z", // 02:59 summer time
            "2026-10-25T01:30:00Z", // 02:30 winter time, the same day
            "2026-10-25T23:30:00Z", // 00:30 on the 26th
        ],
    )
    .await;
    assert_eq!(berlin, ["2026-10-23", "2026-10-25", "2026-10-26"]);
    let today = "2026-10-26".parse().unwrap();
    let dates: Vec<chrono::NaiveDate> = berlin.iter().map(|d| d.parse().unwrap()).collect();
    assert_eq!(promptedcode::progress::server::streak_of(&dates, today), 2);

    // Kolkata is 5:30 ahead: a minute either side of its midnight.
    let kolkata = local_answer_days(
        &db,
        "Asia/Kolkata",
        &["2026-12-06T18:29:00Z", "2026-12-06T18:31:00Z"],
    )
    .await;
    assert_eq!(kolkata, ["2026-12-06", "2026-12-07"]);
}

over_http_on_both_backends!(
    each_step_is_checked_and_kept_across_a_reload_and_a_sign_out,
    the_plan_is_written_at_once_and_running_again_edits_it,
);

mod local_days {
    on_both_backends!(answers_fall_on_local_dates_across_midnight_and_a_clock_change);
    use super::answers_fall_on_local_dates_across_midnight_and_a_clock_change;
}

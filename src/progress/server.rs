//! Progress on the server: four aggregate statements over the caller's rows (`GROUP BY`
//! topic, `GROUP BY` local day, the topic settings, the review forecast), never the rows
//! themselves.
use super::model::{DayTotals, ProgressData, Recommendation, TopicAccuracy, Window};
use crate::auth::model::CurrentUser;
use crate::clock::LocalClock;
use crate::error::AppError;
use crate::types::{Difficulty, Topic, UserId};
use chrono::{Duration, NaiveDate, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use std::collections::BTreeMap;

/// Days back the streaks are looked for.
const STREAK_WINDOW_DAYS: i64 = 730;
/// A topic needs this many answers before it can be called weak.
const WEAK_AFTER: u32 = 3;
/// Below this accuracy (%) a topic is weak.
const WEAK_BELOW: u32 = 70;
/// Recommendations shown at most.
const RECOMMENDATIONS: usize = 3;

pub async fn progress(
    db: &DatabaseConnection,
    user: &CurrentUser,
    window: Window,
    new_per_day: u32,
) -> Result<ProgressData, AppError> {
    let clock = LocalClock::of_user(user)?;
    let today = clock.local_date(Utc::now());
    let topics = topic_accuracy(db, user.id).await?;
    let first = today - Duration::days(i64::from(window.days()) - 1);
    // One statement for the charts' window and the streaks' two years.
    let totals = day_totals(
        db,
        user.id,
        &clock,
        today - Duration::days(STREAK_WINDOW_DAYS),
        today,
    )
    .await?;
    let days = (0..i64::from(window.days()))
        .map(|i| {
            let date = first + Duration::days(i);
            let t = totals.get(&date).copied().unwrap_or_default();
            DayTotals {
                date: date.to_string(),
                answered: t.answered,
                correct: t.correct,
                mean_seconds: (t.timed > 0)
                    .then(|| (t.time_ms as f64 / t.timed as f64 / 100.0).round() as f32 / 10.0),
            }
        })
        .collect();
    let answered_days: Vec<NaiveDate> = totals.keys().copied().collect();
    let settings = crate::topics::server::list(db, user.id).await?;
    let untried: Vec<Topic> = settings
        .into_iter()
        .filter(|s| s.active && !topics.iter().any(|t| t.topic.slug == s.slug))
        .map(|s| Topic {
            slug: s.slug,
            name: s.name,
            category: s.category,
        })
        .collect();
    let forecast = crate::plan::server::review_forecast(db, user.id, &clock, today, new_per_day)
        .await?
        .into_iter()
        .enumerate()
        .map(|(i, n)| ((today + Duration::days(i as i64)).to_string(), n))
        .collect();
    Ok(ProgressData {
        window,
        answered: topics.iter().map(|t| t.answered).sum(),
        correct: topics.iter().map(|t| t.correct).sum(),
        recommendations: recommend(&topics, &untried),
        current_streak: streak_of(&answered_days, today),
        longest_streak: longest_run(&answered_days),
        topics,
        days,
        forecast,
    })
}

/// Weak topics first (fewest right, at least `WEAK_AFTER` answers, under `WEAK_BELOW` %):
/// a 10-question quiz, easy under 40 %, else medium. Then active topics never tried: 5
/// easy questions.
pub fn recommend(topics: &[TopicAccuracy], untried: &[Topic]) -> Vec<Recommendation> {
    let mut weak: Vec<&TopicAccuracy> = topics
        .iter()
        .filter(|t| t.answered >= WEAK_AFTER && t.percent() < WEAK_BELOW)
        .collect();
    weak.sort_by_key(|t| (t.percent(), std::cmp::Reverse(t.answered)));
    weak.into_iter()
        .map(|t| Recommendation {
            topic: t.topic.clone(),
            questions: 10,
            difficulty: if t.percent() < 40 {
                Difficulty::Easy
            } else {
                Difficulty::Medium
            },
            reason: format!("{} of {} right ({} %)", t.correct, t.answered, t.percent()),
        })
        .chain(untried.iter().map(|topic| Recommendation {
            topic: topic.clone(),
            questions: 5,
            difficulty: Difficulty::Easy,
            reason: "not tried yet".to_owned(),
        }))
        .take(RECOMMENDATIONS)
        .collect()
}

/// Answered and correct per topic, most answered first: one `GROUP BY`.
pub async fn topic_accuracy(
    db: &DatabaseConnection,
    user: UserId,
) -> Result<Vec<TopicAccuracy>, AppError> {
    let rows = db
        .query_all_raw(crate::db::portable(
            db,
            "SELECT t.slug, t.name, t.category, COUNT(c.correct), \
               SUM(CASE WHEN c.correct THEN 1 ELSE 0 END) \
             FROM challenges c JOIN questions q ON q.id = c.question_id \
             JOIN topics t ON t.id = q.topic_id \
             WHERE c.user_id = $1 AND c.correct IS NOT NULL \
             GROUP BY t.id, t.slug, t.name, t.category \
             ORDER BY COUNT(c.correct) DESC, t.name",
            vec![user.0.into()],
        ))
        .await?;
    rows.iter()
        .map(|row| {
            let slug: String = row.try_get_by_index(0)?;
            let answered: i64 = row.try_get_by_index(3)?;
            let correct: i64 = row.try_get_by_index(4)?;
            Ok(TopicAccuracy {
                topic: Topic {
                    slug: slug.parse().map_err(|_| AppError::Internal)?,
                    name: row.try_get_by_index(1)?,
                    category: row.try_get_by_index(2)?,
                },
                answered: count(answered)?,
                correct: count(correct)?,
            })
        })
        .collect()
}

/// A count read from SQL (never negative, well under `u32::MAX` for one learner).
pub fn count(n: i64) -> Result<u32, AppError> {
    u32::try_from(n).map_err(|_| AppError::Internal)
}

/// One local day's sums.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    pub answered: u32,
    pub correct: u32,
    pub time_ms: i64,
    /// Answers with a time.
    pub timed: u32,
}

/// The answers of each local date from `from` to `to` (dates without any are absent).
/// Postgres groups by the local date itself (`AT TIME ZONE`); SQLite has no zones, so it
/// groups by quarter hour (every zone's offset is a whole number of them) and the quarter
/// hours are added up by local date here.
pub async fn day_totals(
    db: &DatabaseConnection,
    user: UserId,
    clock: &LocalClock,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<BTreeMap<NaiveDate, Totals>, AppError> {
    let (start, _) = clock.date_bounds(from);
    let (_, end) = clock.date_bounds(to);
    const SUMS: &str = "COUNT(*), SUM(CASE WHEN correct THEN 1 ELSE 0 END), \
        CAST(COALESCE(SUM(time_taken_ms), 0) AS BIGINT), COUNT(time_taken_ms) \
        FROM challenges WHERE user_id = $1 AND answered_at >= $2 AND answered_at < $3 \
        AND correct IS NOT NULL GROUP BY 1";
    let backend = db.get_database_backend();
    let statement = match backend {
        DbBackend::Postgres => Statement::from_sql_and_values(
            backend,
            format!("SELECT (answered_at AT TIME ZONE $4)::date, {SUMS}"),
            vec![user.0.into(), start.into(), end.into(), clock.name().into()],
        ),
        _ => crate::db::portable(
            db,
            &format!("SELECT CAST(strftime('%s', answered_at) AS INTEGER) / 900, {SUMS}"),
            vec![user.0.into(), start.into(), end.into()],
        ),
    };
    let rows = db.query_all_raw(statement).await?;
    let mut days: BTreeMap<NaiveDate, Totals> = BTreeMap::new();
    for row in rows {
        let date = match backend {
            DbBackend::Postgres => row.try_get_by_index::<NaiveDate>(0)?,
            _ => {
                let quarter: i64 = row.try_get_by_index(0)?;
                let at =
                    chrono::DateTime::from_timestamp(quarter * 900, 0).ok_or(AppError::Internal)?;
                clock.local_date(at)
            }
        };
        let day = days.entry(date).or_default();
        day.answered += count(row.try_get_by_index(1)?)?;
        day.correct += count(row.try_get_by_index(2)?)?;
        day.time_ms += row.try_get_by_index::<i64>(3)?;
        day.timed += count(row.try_get_by_index(4)?)?;
    }
    Ok(days)
}

/// The local dates from `from` to `to` with at least one answer, sorted.
pub async fn answer_days(
    db: &DatabaseConnection,
    user: UserId,
    clock: &LocalClock,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<NaiveDate>, AppError> {
    Ok(day_totals(db, user, clock, from, to)
        .await?
        .into_keys()
        .collect())
}

/// The length of the run of consecutive dates in `days` (sorted, distinct) that ends today
/// or yesterday (a streak is alive until midnight).
pub fn streak_of(days: &[NaiveDate], today: NaiveDate) -> u32 {
    let Some(&last) = days.last() else {
        return 0;
    };
    if last != today && Some(last) != today.pred_opt() {
        return 0;
    }
    let mut run = 1;
    for pair in days.windows(2).rev() {
        if pair[0].succ_opt() != Some(pair[1]) {
            break;
        }
        run += 1;
    }
    run
}

/// The longest run of consecutive dates in `days` (sorted, distinct).
pub fn longest_run(days: &[NaiveDate]) -> u32 {
    let mut best = 0;
    let mut run = 0;
    let mut previous: Option<NaiveDate> = None;
    for &day in days {
        run = if previous.and_then(|p| p.succ_opt()) == Some(day) {
            run + 1
        } else {
            1
        };
        best = best.max(run);
        previous = Some(day);
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dates(list: &[&str]) -> Vec<NaiveDate> {
        list.iter().map(|d| d.parse().unwrap()).collect()
    }

    #[test]
    fn streaks_count_back_from_today_or_yesterday() {
        let today: NaiveDate = "2026-12-07".parse().unwrap();
        assert_eq!(
            streak_of(&dates(&["2026-12-05", "2026-12-06", "2026-12-07"]), today),
            3
        );
        assert_eq!(
            streak_of(&dates(&["2026-12-05", "2026-12-06"]), today),
            2,
            "alive until midnight"
        );
        assert_eq!(
            streak_of(&dates(&["2026-12-04", "2026-12-05"]), today),
            0,
            "a day missed"
        );
        assert_eq!(
            streak_of(
                &dates(&["2026-12-01", "2026-12-03", "2026-12-06", "2026-12-07"]),
                today
            ),
            2
        );
        assert_eq!(streak_of(&[], today), 0);
    }

    #[test]
    fn the_longest_run_anywhere() {
        let days = dates(&[
            "2026-02-27",
            "2026-02-28",
            "2026-03-01",
            "2026-03-02", // across a month end
            "2026-03-04",
            "2026-12-31",
            "2027-01-01",
        ]);
        assert_eq!(longest_run(&days), 4);
        assert_eq!(longest_run(&[]), 0);
    }

    fn topic(slug: &str) -> Topic {
        Topic {
            slug: slug.parse().unwrap(),
            name: slug.to_uppercase(),
            category: "bank".into(),
        }
    }

    fn record(slug: &str, answered: u32, correct: u32) -> TopicAccuracy {
        TopicAccuracy {
            topic: topic(slug),
            answered,
            correct,
        }
    }

    #[test]
    fn weak_topics_become_concrete_quizzes() {
        let recs = recommend(
            &[
                record("sql", 10, 9),    // strong
                record("graphs", 10, 3), // 30 %: easy
                record("trees", 10, 6),  // 60 %: medium
                record("heaps", 2, 0),   // too few answers to judge
            ],
            &[topic("tries"), topic("stack")],
        );
        let got: Vec<_> = recs
            .iter()
            .map(|r| {
                (
                    r.topic.slug.as_str(),
                    r.questions,
                    r.difficulty,
                    r.reason.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("graphs", 10, Difficulty::Easy, "3 of 10 right (30 %)"),
                ("trees", 10, Difficulty::Medium, "6 of 10 right (60 %)"),
                ("tries", 5, Difficulty::Easy, "not tried yet"),
            ]
        );
        assert!(recommend(&[record("sql", 10, 9)], &[]).is_empty());
    }
}

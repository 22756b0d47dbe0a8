//! The wizard's answers, checked: each step's fields on their own (messages next to the
//! field), and all of them at once into a plan that can be written.
use crate::error::FieldProblem;
use crate::plan::model::{
    Experience, JobRole, StepProblem, WizardFields, WizardStep, DAILY_GOALS, MAX_DAYS_AHEAD,
    MINUTES_PER_DAY, MIXED, SKIP, TIMER_CHOICES, TIMER_OFF,
};
use crate::types::{Difficulty, Priority, Topic};
use chrono::{NaiveDate, NaiveTime};

/// At most this many target companies, each at most `COMPANY_CHARS` long.
pub const MAX_COMPANIES: usize = 10;
pub const COMPANY_CHARS: usize = 60;
/// A stored answer is cut to this many characters (a select or a short text never needs
/// more; the cut one then fails its check instead of growing the draft).
pub const MAX_FIELD_CHARS: usize = 800;

/// A plan ready to be written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidPlan {
    pub role: JobRole,
    pub experience: Experience,
    pub companies: Vec<String>,
    pub interview_date: Option<NaiveDate>,
    /// Every listed topic: `Some` priority when it is in the plan.
    pub topics: Vec<(Topic, Option<Priority>)>,
    pub daily_goal: u16,
    pub minutes_per_day: u16,
    pub reminder_time: Option<NaiveTime>,
    pub timer_minutes: Option<u16>,
    pub difficulty: Option<Difficulty>,
    pub time_zone: crate::clock::LocalClock,
}

/// What the checks need besides the answers.
pub struct Checks<'a> {
    /// The topics the learner can practise.
    pub topics: &'a [Topic],
    /// Today in the learner's zone (the one chosen in the wizard when it is valid).
    pub today: NaiveDate,
}

type Checked<T> = Result<T, String>;

fn role(raw: &str) -> Checked<JobRole> {
    raw.parse()
        .map_err(|_| "Choose the role you are interviewing for.".to_owned())
}

fn experience(raw: &str) -> Checked<Experience> {
    raw.parse()
        .map_err(|_| "Choose how much experience you have.".to_owned())
}

fn companies(raw: &str) -> Checked<Vec<String>> {
    let mut list: Vec<String> = Vec::new();
    for name in raw.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        if name.chars().count() > COMPANY_CHARS {
            return Err(format!(
                "A company name is at most {COMPANY_CHARS} characters."
            ));
        }
        if name.chars().any(char::is_control) {
            return Err("Company names are plain text on one line.".to_owned());
        }
        if !list.iter().any(|known| known.eq_ignore_ascii_case(name)) {
            list.push(name.to_owned());
        }
    }
    if list.len() > MAX_COMPANIES {
        return Err(format!("Name at most {MAX_COMPANIES} companies."));
    }
    Ok(list)
}

fn interview_date(raw: &str, today: NaiveDate) -> Checked<Option<NaiveDate>> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let date = NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map_err(|_| "Give the date as YYYY-MM-DD, or leave it empty.".to_owned())?;
    if date < today {
        return Err("The interview date is in the past.".to_owned());
    }
    if (date - today).num_days() > i64::from(MAX_DAYS_AHEAD) {
        return Err(
            "The interview date is more than 2 years away: leave it empty for a four-week plan."
                .to_owned(),
        );
    }
    Ok(Some(date))
}

fn priorities(
    raw: &std::collections::BTreeMap<String, String>,
    topics: &[Topic],
) -> Checked<Vec<(Topic, Option<Priority>)>> {
    if let Some(unknown) = raw
        .keys()
        .find(|slug| !topics.iter().any(|t| t.slug.as_str() == slug.as_str()))
    {
        return Err(format!(
            "There is no topic \"{}\" to choose.",
            unknown.chars().take(40).collect::<String>()
        ));
    }
    let chosen = topics
        .iter()
        .map(|topic| {
            let priority = match raw.get(topic.slug.as_str()).map(String::as_str) {
                None | Some(SKIP) => None,
                Some(value) => Some(
                    value
                        .parse::<u8>()
                        .ok()
                        .and_then(|p| Priority::try_from(p).ok())
                        .ok_or_else(|| {
                            format!("{}: a priority is 1 (lowest) to 5 (highest).", topic.name)
                        })?,
                ),
            };
            Ok((topic.clone(), priority))
        })
        .collect::<Checked<Vec<_>>>()?;
    if chosen.iter().all(|(_, p)| p.is_none()) {
        return Err("Choose at least one topic.".to_owned());
    }
    Ok(chosen)
}

fn number_in(raw: &str, range: std::ops::RangeInclusive<u16>, what: &str) -> Checked<u16> {
    raw.trim()
        .parse::<u16>()
        .ok()
        .filter(|n| range.contains(n))
        .ok_or_else(|| {
            format!(
                "{what} is a whole number from {} to {}.",
                range.start(),
                range.end()
            )
        })
}

fn reminder_time(raw: &str) -> Checked<Option<NaiveTime>> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    NaiveTime::parse_from_str(raw, "%H:%M")
        .map(Some)
        .map_err(|_| "Give the time as HH:MM (24-hour), or leave it empty.".to_owned())
}

fn timer(raw: &str) -> Checked<Option<u16>> {
    if raw == TIMER_OFF {
        return Ok(None);
    }
    raw.parse::<u16>()
        .ok()
        .filter(|m| TIMER_CHOICES.contains(m))
        .map(Some)
        .ok_or_else(|| "Choose a quiz time limit from the list.".to_owned())
}

fn difficulty(raw: &str) -> Checked<Option<Difficulty>> {
    if raw == MIXED {
        return Ok(None);
    }
    raw.parse()
        .map(Some)
        .map_err(|_| "Choose a difficulty from the list.".to_owned())
}

fn time_zone(raw: &str) -> Checked<crate::clock::LocalClock> {
    crate::clock::LocalClock::named(raw).map_err(|e| e.to_string())
}

/// Each field of `step` that does not hold, with its message.
pub fn check_step(step: WizardStep, fields: &WizardFields, checks: &Checks) -> Vec<FieldProblem> {
    let mut problems = Vec::new();
    let mut note = |field: &str, result: Result<(), String>| {
        if let Err(message) = result {
            problems.push(FieldProblem {
                field: field.to_owned(),
                message,
            });
        }
    };
    match step {
        WizardStep::Role => {
            note("role", role(&fields.role).map(drop));
            note("experience", experience(&fields.experience).map(drop));
        }
        WizardStep::Goal => {
            note("companies", companies(&fields.companies).map(drop));
            note(
                "interview_date",
                interview_date(&fields.interview_date, checks.today).map(drop),
            );
        }
        WizardStep::Topics => {
            note(
                "priority",
                priorities(&fields.priorities, checks.topics).map(drop),
            );
        }
        WizardStep::Schedule => {
            note(
                "daily_goal",
                number_in(&fields.daily_goal, DAILY_GOALS, "The daily goal").map(drop),
            );
            note(
                "minutes_per_day",
                number_in(&fields.minutes_per_day, MINUTES_PER_DAY, "Minutes per day").map(drop),
            );
            note(
                "reminder_time",
                reminder_time(&fields.reminder_time).map(drop),
            );
            note("timer_minutes", timer(&fields.timer_minutes).map(drop));
            note("difficulty", difficulty(&fields.difficulty).map(drop));
            note("time_zone", time_zone(&fields.time_zone).map(drop));
        }
        WizardStep::Review => {}
    }
    problems
}

/// Every answer checked: the plan, or each problem with the step it is on.
pub fn check_all(fields: &WizardFields, checks: &Checks) -> Result<ValidPlan, Vec<StepProblem>> {
    let problems: Vec<StepProblem> = WizardStep::ALL
        .into_iter()
        .flat_map(|step| {
            check_step(step, fields, checks)
                .into_iter()
                .map(move |p| StepProblem {
                    step,
                    field: p.field,
                    message: p.message,
                })
        })
        .collect();
    if !problems.is_empty() {
        return Err(problems);
    }
    let checked = (|| -> Checked<ValidPlan> {
        Ok(ValidPlan {
            role: role(&fields.role)?,
            experience: experience(&fields.experience)?,
            companies: companies(&fields.companies)?,
            interview_date: interview_date(&fields.interview_date, checks.today)?,
            topics: priorities(&fields.priorities, checks.topics)?,
            daily_goal: number_in(&fields.daily_goal, DAILY_GOALS, "")?,
            minutes_per_day: number_in(&fields.minutes_per_day, MINUTES_PER_DAY, "")?,
            reminder_time: reminder_time(&fields.reminder_time)?,
            timer_minutes: timer(&fields.timer_minutes)?,
            difficulty: difficulty(&fields.difficulty)?,
            time_zone: time_zone(&fields.time_zone)?,
        })
    })();
    checked.map_err(|message| {
        vec![StepProblem {
            step: WizardStep::Review,
            field: String::new(),
            message,
        }]
    })
}

/// `raw` cut to `MAX_FIELD_CHARS` characters.
pub fn bounded(raw: &str) -> String {
    raw.chars().take(MAX_FIELD_CHARS).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::model::WizardStep::*;

    fn topics() -> Vec<Topic> {
        ["graphs", "sql"]
            .into_iter()
            .map(|slug| Topic {
                slug: slug.parse().unwrap(),
                name: slug.to_uppercase(),
                category: "bank".into(),
            })
            .collect()
    }

    fn good() -> WizardFields {
        WizardFields {
            role: "backend".into(),
            experience: "mid".into(),
            companies: "Acme, Globex, acme".into(),
            interview_date: "2027-01-15".into(),
            priorities: [("graphs".into(), "5".into()), ("sql".into(), SKIP.into())].into(),
            daily_goal: "8".into(),
            minutes_per_day: "45".into(),
            reminder_time: "07:30".into(),
            timer_minutes: "20".into(),
            difficulty: "medium".into(),
            time_zone: "Europe/Berlin".into(),
        }
    }

    fn fields_failing(step: WizardStep, fields: &WizardFields) -> Vec<String> {
        let topics = topics();
        let checks = Checks {
            topics: &topics,
            today: "2026-12-07".parse().unwrap(),
        };
        check_step(step, fields, &checks)
            .into_iter()
            .map(|p| p.field)
            .collect()
    }

    #[test]
    fn good_answers_make_a_plan() {
        let topics = topics();
        let checks = Checks {
            topics: &topics,
            today: "2026-12-07".parse().unwrap(),
        };
        let plan = check_all(&good(), &checks).unwrap();
        assert_eq!(
            plan.companies,
            vec!["Acme", "Globex"],
            "a repeat is dropped"
        );
        assert_eq!(plan.topics[0].1, Some(Priority::try_from(5).unwrap()));
        assert_eq!(plan.topics[1].1, None);
        assert_eq!(plan.timer_minutes, Some(20));
        assert_eq!(plan.difficulty, Some(Difficulty::Medium));
    }

    #[test]
    fn each_step_names_its_bad_fields() {
        let mut f = good();
        f.role = "wizard".into();
        f.experience = String::new();
        assert_eq!(fields_failing(Role, &f), ["role", "experience"]);

        let mut f = good();
        f.companies = "x".repeat(61);
        f.interview_date = "2026-12-06".into();
        assert_eq!(fields_failing(Goal, &f), ["companies", "interview_date"]);
        f.companies = (0..11)
            .map(|i| format!("Co{i}"))
            .collect::<Vec<_>>()
            .join(",");
        f.interview_date = "2028-12-07".into();
        assert_eq!(
            fields_failing(Goal, &f),
            ["companies", "interview_date"],
            "11 companies; > 730 days"
        );
        f.companies = String::new();
        f.interview_date = "2026-12-07".into();
        assert!(
            fields_failing(Goal, &f).is_empty(),
            "no companies, an interview today"
        );
        f.interview_date = "7.1.2027".into();
        assert_eq!(fields_failing(Goal, &f), ["interview_date"]);

        let mut f = good();
        f.priorities = [("graphs".into(), SKIP.into()), ("sql".into(), SKIP.into())].into();
        assert_eq!(fields_failing(Topics, &f), ["priority"], "none chosen");
        f.priorities = [("graphs".into(), "6".into())].into();
        assert_eq!(fields_failing(Topics, &f), ["priority"]);
        f.priorities = [("nope".into(), "3".into())].into();
        assert_eq!(fields_failing(Topics, &f), ["priority"], "an unknown topic");

        let mut f = good();
        f.daily_goal = "0".into();
        f.minutes_per_day = "241".into();
        f.reminder_time = "25:00".into();
        f.timer_minutes = "7".into();
        f.difficulty = "brutal".into();
        f.time_zone = "Mars/Base".into();
        assert_eq!(
            fields_failing(Schedule, &f),
            [
                "daily_goal",
                "minutes_per_day",
                "reminder_time",
                "timer_minutes",
                "difficulty",
                "time_zone"
            ]
        );
        f = good();
        f.reminder_time = String::new();
        f.timer_minutes = TIMER_OFF.into();
        f.difficulty = MIXED.into();
        assert!(fields_failing(Schedule, &f).is_empty());
    }

    #[test]
    fn all_problems_are_listed_with_their_step() {
        let topics = topics();
        let checks = Checks {
            topics: &topics,
            today: "2026-12-07".parse().unwrap(),
        };
        let mut f = good();
        f.role = String::new();
        f.daily_goal = "lots".into();
        let problems = check_all(&f, &checks).unwrap_err();
        let at: Vec<_> = problems
            .iter()
            .map(|p| (p.step, p.field.as_str()))
            .collect();
        assert_eq!(at, [(Role, "role"), (Schedule, "daily_goal")]);
    }
}

//! What the browser and the server share about the study plan, its wizard and today's
//! share of it.
use crate::types::{Difficulty, Priority, Topic};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The role a learner interviews for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobRole {
    Backend,
    Frontend,
    FullStack,
    Mobile,
    Data,
    MachineLearning,
    DevOps,
    Other,
}

impl JobRole {
    pub const ALL: [JobRole; 8] = [
        JobRole::Backend,
        JobRole::Frontend,
        JobRole::FullStack,
        JobRole::Mobile,
        JobRole::Data,
        JobRole::MachineLearning,
        JobRole::DevOps,
        JobRole::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            JobRole::Backend => "backend",
            JobRole::Frontend => "frontend",
            JobRole::FullStack => "full_stack",
            JobRole::Mobile => "mobile",
            JobRole::Data => "data",
            JobRole::MachineLearning => "machine_learning",
            JobRole::DevOps => "devops",
            JobRole::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            JobRole::Backend => "Backend engineer",
            JobRole::Frontend => "Frontend engineer",
            JobRole::FullStack => "Full-stack engineer",
            JobRole::Mobile => "Mobile engineer",
            JobRole::Data => "Data engineer",
            JobRole::MachineLearning => "Machine-learning engineer",
            JobRole::DevOps => "DevOps / SRE",
            JobRole::Other => "Something else",
        }
    }
}

crate::types::parse_by_name!(JobRole, "role");

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Experience {
    Student,
    Junior,
    Mid,
    Senior,
    Staff,
}

impl Experience {
    pub const ALL: [Experience; 5] = [
        Experience::Student,
        Experience::Junior,
        Experience::Mid,
        Experience::Senior,
        Experience::Staff,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Experience::Student => "student",
            Experience::Junior => "junior",
            Experience::Mid => "mid",
            Experience::Senior => "senior",
            Experience::Staff => "staff",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Experience::Student => "Student or new graduate",
            Experience::Junior => "Junior (up to 2 years)",
            Experience::Mid => "Mid-level (2 to 5 years)",
            Experience::Senior => "Senior (5 years or more)",
            Experience::Staff => "Staff or principal",
        }
    }
}

crate::types::parse_by_name!(Experience, "experience");

/// The wizard's five steps, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum WizardStep {
    Role,
    Goal,
    Topics,
    Schedule,
    Review,
}

impl WizardStep {
    pub const ALL: [WizardStep; 5] = [
        WizardStep::Role,
        WizardStep::Goal,
        WizardStep::Topics,
        WizardStep::Schedule,
        WizardStep::Review,
    ];

    /// 1 to 5.
    pub fn number(self) -> u8 {
        self as u8 + 1
    }

    pub fn from_number(number: u8) -> Option<WizardStep> {
        WizardStep::ALL
            .get(usize::from(number).checked_sub(1)?)
            .copied()
    }

    pub fn title(self) -> &'static str {
        match self {
            WizardStep::Role => "Role and experience",
            WizardStep::Goal => "Target companies and interview date",
            WizardStep::Topics => "Topics and priorities",
            WizardStep::Schedule => "Schedule",
            WizardStep::Review => "Review and create",
        }
    }

    pub fn next(self) -> WizardStep {
        WizardStep::from_number(self.number() + 1).unwrap_or(WizardStep::Review)
    }

    pub fn previous(self) -> WizardStep {
        WizardStep::from_number(self.number() - 1).unwrap_or(WizardStep::Role)
    }
}

/// The wizard's answers as the learner typed them (checked when a step is left forward and
/// again, all together, when the plan is created). Kept server-side between steps.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WizardFields {
    pub role: String,
    pub experience: String,
    /// Comma-separated.
    pub companies: String,
    /// YYYY-MM-DD, or empty for none.
    pub interview_date: String,
    /// Topic slug → "skip" or a priority "1" to "5".
    pub priorities: BTreeMap<String, String>,
    pub daily_goal: String,
    pub minutes_per_day: String,
    /// HH:MM, or empty for none.
    pub reminder_time: String,
    /// Minutes, or "off".
    pub timer_minutes: String,
    /// "mixed" or a difficulty.
    pub difficulty: String,
    pub time_zone: String,
}

/// What a priority select offers for a topic left out of the plan.
pub const SKIP: &str = "skip";
/// What the difficulty select offers for "any difficulty".
pub const MIXED: &str = "mixed";
/// What the timer select offers for "no timer".
pub const TIMER_OFF: &str = "off";
/// Quiz time limits the schedule step offers, in minutes.
pub const TIMER_CHOICES: [u16; 6] = [10, 15, 20, 30, 45, 60];
pub const DAILY_GOALS: std::ops::RangeInclusive<u16> = 1..=50;
pub const MINUTES_PER_DAY: std::ops::RangeInclusive<u16> = 5..=240;
/// The plan's length when no interview date is given.
pub const DEFAULT_PLAN_DAYS: u16 = 28;
/// The latest interview date the wizard takes, in days from today.
pub const MAX_DAYS_AHEAD: u16 = 730;

/// The wizard as the page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WizardView {
    pub step: WizardStep,
    /// The furthest step reached (earlier ones can be revisited).
    pub reached: WizardStep,
    pub fields: WizardFields,
    /// Every topic the learner can practise.
    pub topics: Vec<Topic>,
    /// Every zone they can choose, by name, sorted.
    pub zones: Vec<String>,
    /// The learner's local date (YYYY-MM-DD), the earliest interview date.
    pub today: String,
    /// Whether running the wizard now edits an existing plan.
    pub editing: bool,
    /// On the last step: the plan as it would be created, or why it cannot be yet.
    pub preview: Option<Result<PlanSummary, Vec<StepProblem>>>,
}

/// A field of a step that does not hold (the review step lists them, linked to the step).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepProblem {
    pub step: WizardStep,
    pub field: String,
    pub message: String,
}

/// A plan's settings in words, for the review step and the dashboard.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanSummary {
    pub role: JobRole,
    pub experience: Experience,
    pub companies: Vec<String>,
    pub interview_date: Option<String>,
    pub topics: Vec<(Topic, Priority)>,
    pub daily_goal: u16,
    pub minutes_per_day: u16,
    pub reminder_time: Option<String>,
    pub timer_minutes: Option<u16>,
    pub difficulty: Option<Difficulty>,
    pub time_zone: String,
    /// Days from the first to the last of the plan.
    pub days: u32,
}

/// One day of the schedule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanDay {
    /// YYYY-MM-DD, in the learner's zone.
    pub date: String,
    /// Questions to answer that day (the daily goal plus a share of any shortfall).
    pub questions: u32,
    /// The day's topics with their share of the questions, most first.
    pub topics: Vec<(Topic, u32)>,
    /// Review cards due that day (known for the next two weeks).
    pub reviews: Option<u32>,
}

/// The plan as of today: what is left of it, day by day, and how today goes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanView {
    pub summary: PlanSummary,
    /// Today first, then the rest of the plan. Empty when the plan is over.
    pub days: Vec<PlanDay>,
    /// Questions answered today (local day).
    pub answered_today: u32,
    /// Questions the plan asked for before today and that were not answered; the days
    /// left share them.
    pub behind: u32,
    /// The plan's last day (YYYY-MM-DD).
    pub last_day: String,
    /// Days in a row, up to today, with at least one answer.
    pub streak: u32,
}

/// What the dashboard shows a signed-in learner.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Dashboard {
    /// No plan yet: the wizard is the next step (a draft if one was started).
    FirstRun {
        draft_step: Option<WizardStep>,
    },
    Plan(Box<PlanView>),
}

/// What the quiz page starts its forms with: the plan's time limit and difficulty.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuizDefaults {
    pub timer_minutes: Option<u16>,
    pub difficulty: Option<Difficulty>,
    /// Questions in the daily quiz.
    pub daily_goal: Option<u16>,
}

//! What the browser and the server share about a learner's progress.
use crate::types::{Difficulty, Topic};
use serde::{Deserialize, Serialize};

/// The window of the charts over time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Window {
    Days30,
    Days90,
}

impl Window {
    pub const ALL: [Window; 2] = [Window::Days30, Window::Days90];

    pub fn days(self) -> u16 {
        match self {
            Window::Days30 => 30,
            Window::Days90 => 90,
        }
    }

    pub fn from_days(days: u16) -> Option<Window> {
        Window::ALL.into_iter().find(|w| w.days() == days)
    }
}

/// Answers on one topic, all time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicAccuracy {
    pub topic: Topic,
    pub answered: u32,
    pub correct: u32,
}

impl TopicAccuracy {
    /// Whole percent, rounded down.
    pub fn percent(&self) -> u32 {
        (self.correct * 100).checked_div(self.answered).unwrap_or(0)
    }
}

/// One local day of answers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DayTotals {
    /// YYYY-MM-DD in the learner's zone.
    pub date: String,
    pub answered: u32,
    pub correct: u32,
    /// Mean seconds per answered question (tenths kept), `None` on a day without answers.
    pub mean_seconds: Option<f32>,
}

/// What to practise next, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recommendation {
    pub topic: Topic,
    pub questions: u16,
    pub difficulty: Difficulty,
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProgressData {
    pub window: Window,
    pub answered: u32,
    pub correct: u32,
    /// Most answered first.
    pub topics: Vec<TopicAccuracy>,
    /// Every day of the window, oldest first (days without answers included).
    pub days: Vec<DayTotals>,
    pub current_streak: u32,
    pub longest_streak: u32,
    pub recommendations: Vec<Recommendation>,
    /// Reviews due on each of the next 14 days, today first, with their dates.
    pub forecast: Vec<(String, u32)>,
}

//! What the browser and the server share about quizzes.
use crate::types::{Difficulty, QuizId};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QuizKind {
    /// One question per active topic, highest priority first, up to the daily goal; one
    /// quiz per learner per local day.
    Daily,
    /// N questions of one topic, at one difficulty or mixed.
    Topic,
    /// Mixed topics and difficulties, timed; topic, difficulty and keys hidden until the end.
    Mock,
}

impl QuizKind {
    pub const ALL: [QuizKind; 3] = [QuizKind::Daily, QuizKind::Topic, QuizKind::Mock];

    pub fn as_str(self) -> &'static str {
        match self {
            QuizKind::Daily => "daily",
            QuizKind::Topic => "topic",
            QuizKind::Mock => "mock",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            QuizKind::Daily => "Daily quiz",
            QuizKind::Topic => "Topic quiz",
            QuizKind::Mock => "Mock interview",
        }
    }

    /// Whether each answer shows its key and explanation at once (a mock shows them at the end).
    pub fn reveals_as_you_go(self) -> bool {
        self != QuizKind::Mock
    }
}

crate::types::parse_by_name!(QuizKind, "quiz kind");

/// Questions in a topic quiz.
pub const TOPIC_QUIZ_SIZES: std::ops::RangeInclusive<u16> = 5..=50;
/// Questions in a mock interview.
pub const MOCK_SIZES: std::ops::RangeInclusive<u16> = 5..=30;
/// A timed quiz's total time, in minutes.
pub const TIME_LIMIT_MINUTES: std::ops::RangeInclusive<u16> = 1..=180;
/// Questions in a daily quiz when the learner set no goal.
pub const DEFAULT_DAILY_GOAL: u16 = 5;

/// The time of a quiz as the server counts it, at the moment it answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuizClock {
    /// Time left in the whole quiz; `None` when it is not timed.
    pub total_left_ms: Option<u64>,
    /// Time on the question on screen so far (pauses not counted).
    pub question_ms: u64,
    pub paused: bool,
}

/// The question on screen: what a learner may see of it now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuizQuestion {
    /// 0-based place in the quiz.
    pub position: u16,
    pub title: String,
    pub stem_html: String,
    pub options_html: Vec<String>,
    /// Hidden (`None`) in a mock interview until it ends.
    pub topic: Option<String>,
    pub difficulty: Option<Difficulty>,
}

/// A quiz as its page shows it: the question on screen, or that it has ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuizView {
    pub id: QuizId,
    pub kind: QuizKind,
    pub count: u16,
    pub answered: u16,
    pub clock: QuizClock,
    /// `None` once the quiz has finished (its result is at `/quiz/:id/result`).
    pub question: Option<QuizQuestion>,
}

/// What an answer tells the learner straight away.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuizAnswer {
    pub position: u16,
    pub chosen: u8,
    /// The verdict, key and explanation: `None` in a mock interview until it ends.
    pub reveal: Option<Reveal>,
    /// This was the last question (or the time ran out): the result is ready.
    pub finished: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reveal {
    pub correct: bool,
    pub answer_index: u8,
    pub explanation_html: String,
}

/// One question of a finished quiz, all of it shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultItem {
    pub position: u16,
    pub question: crate::types::QuestionId,
    pub title: String,
    pub stem_html: String,
    pub options_html: Vec<String>,
    pub topic: String,
    pub difficulty: Difficulty,
    /// `None`: not answered before the time ran out (counted as wrong).
    pub chosen: Option<u8>,
    pub answer_index: u8,
    pub correct: bool,
    pub time_ms: Option<u64>,
    pub explanation_html: String,
    /// The learner's note on the question.
    pub note: Option<String>,
    /// The question is in the learner's review queue (missed, or flagged).
    pub in_review: bool,
}

/// Right answers out of questions, for one topic or difficulty.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    pub label: String,
    pub correct: u16,
    pub count: u16,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuizResult {
    pub id: QuizId,
    pub kind: QuizKind,
    pub correct: u16,
    pub count: u16,
    /// The time ran out before every question was answered.
    pub timed_out: bool,
    pub by_topic: Vec<Tally>,
    pub by_difficulty: Vec<Tally>,
    pub items: Vec<ResultItem>,
}

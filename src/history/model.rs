//! What the browser and the server share about history.
use crate::types::{ChallengeId, Difficulty, Topic, TopicSlug, UnknownValue};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Correct,
    Wrong,
    Unanswered,
}

impl Outcome {
    pub const ALL: [Outcome; 3] = [Outcome::Correct, Outcome::Wrong, Outcome::Unanswered];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Correct => "correct",
            Outcome::Wrong => "wrong",
            Outcome::Unanswered => "unanswered",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Outcome::Correct => "Correct",
            Outcome::Wrong => "Wrong",
            Outcome::Unanswered => "Unanswered",
        }
    }
}

impl std::str::FromStr for Outcome {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, UnknownValue> {
        Outcome::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| UnknownValue {
                expected: "result",
                value: s.chars().take(40).collect(),
            })
    }
}

/// Which of the learner's challenges a history page lists: all, or one topic, or one result.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct HistoryFilter {
    pub topic: Option<TopicSlug>,
    pub outcome: Option<Outcome>,
}

impl HistoryFilter {
    pub fn is_empty(&self) -> bool {
        self.topic.is_none() && self.outcome.is_none()
    }

    /// The page's query string for `page` under this filter ("?page=2&result=wrong").
    pub fn href(&self, page: u64) -> String {
        let mut href = format!("/history?page={page}");
        if let Some(topic) = &self.topic {
            href.push_str("&topic=");
            href.push_str(topic.as_str());
        }
        if let Some(outcome) = self.outcome {
            href.push_str("&result=");
            href.push_str(outcome.as_str());
        }
        href
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub id: ChallengeId,
    pub title: String,
    pub topic: String,
    pub difficulty: Difficulty,
    pub outcome: Outcome,
    pub created_at: String,
    /// The quiz it was asked in, if any (its result page shows it whole).
    pub quiz: Option<crate::types::QuizId>,
}

/// One page of history. There is no total: a page knows only whether an older one follows
/// (it asks for one row more than it shows), which keeps it one indexed query.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryPageData {
    pub entries: Vec<HistoryEntry>,
    pub page: u64,
    pub has_older: bool,
    /// What the topic filter offers.
    pub topics: Vec<Topic>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    pub answered: u64,
    pub correct: u64,
    /// Review cards left for today (the learner's local day).
    pub reviews_due: u64,
}

//! What the browser and the server share about history.
use crate::types::{ChallengeId, Difficulty, Topic, TopicSlug, UnknownValue};

/// Where a challenge was asked: on its own (`/challenge`) or in a quiz.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AskedIn {
    Challenge,
    Quiz,
}

impl AskedIn {
    pub const ALL: [AskedIn; 2] = [AskedIn::Challenge, AskedIn::Quiz];

    pub fn as_str(self) -> &'static str {
        match self {
            AskedIn::Challenge => "challenge",
            AskedIn::Quiz => "quiz",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            AskedIn::Challenge => "Single challenges",
            AskedIn::Quiz => "Quiz questions",
        }
    }
}

impl std::str::FromStr for AskedIn {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, UnknownValue> {
        AskedIn::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| UnknownValue {
                expected: "kind",
                value: s.chars().take(40).collect(),
            })
    }
}

/// Words to look for in a question's title and text: trimmed, 2 to 100 characters.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SearchText(String);

impl SearchText {
    pub const MAX: usize = 100;

    /// `None` for an empty search.
    pub fn parse(raw: &str) -> Result<Option<Self>, String> {
        let text = raw.trim();
        match text.chars().count() {
            0 => Ok(None),
            1 => Err("Search for at least 2 characters.".into()),
            n if n > Self::MAX => Err(format!("Search for at most {} characters.", Self::MAX)),
            _ if crate::types::has_stray_control(text) || text.contains('\n') => {
                Err("Search for words on one line.".into())
            }
            _ => Ok(Some(SearchText(text.to_owned()))),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}
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

/// Which of the learner's challenges a history page lists: all, or those of one topic,
/// result, difficulty and kind, whose question has the searched words.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct HistoryFilter {
    pub topic: Option<TopicSlug>,
    pub outcome: Option<Outcome>,
    pub difficulty: Option<Difficulty>,
    pub asked_in: Option<AskedIn>,
    pub search: Option<SearchText>,
}

impl HistoryFilter {
    pub fn is_empty(&self) -> bool {
        *self == HistoryFilter::default()
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
        if let Some(difficulty) = self.difficulty {
            href.push_str("&difficulty=");
            href.push_str(difficulty.as_str());
        }
        if let Some(kind) = self.asked_in {
            href.push_str("&kind=");
            href.push_str(kind.as_str());
        }
        if let Some(search) = &self.search {
            href.push_str("&q=");
            href.push_str(&crate::ui::encode_query_value(search.as_str()));
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

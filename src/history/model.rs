//! What the browser and the server share about history.
use crate::types::{ChallengeId, Difficulty};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    Correct,
    Wrong,
    Unanswered,
}

impl Outcome {
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Correct => "Correct",
            Outcome::Wrong => "Wrong",
            Outcome::Unanswered => "Unanswered",
        }
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
}

/// One page of history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryPageData {
    pub entries: Vec<HistoryEntry>,
    pub page: u64,
    pub total_pages: u64,
    pub total: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    pub answered: u64,
    pub correct: u64,
}

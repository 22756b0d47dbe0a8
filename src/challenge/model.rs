//! What the browser and the server share about challenges.
use crate::generation::model::AiStatus;
use crate::types::{ChallengeId, Difficulty, QuestionSource, Topic};
use serde::{Deserialize, Serialize};

/// A question served to the learner, without its key until it is answered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChallengeView {
    pub id: ChallengeId,
    pub title: String,
    pub stem_html: String,
    pub options_html: Vec<String>,
    pub topic: Topic,
    pub difficulty: Difficulty,
    pub source: QuestionSource,
    pub answer: Option<AnswerResult>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerResult {
    pub challenge_id: ChallengeId,
    pub chosen: u8,
    pub answer_index: u8,
    pub correct: bool,
    pub explanation_html: String,
}

/// What the picker needs: the topics, and whether (and how much) AI generation is on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChallengeSetup {
    pub topics: Vec<Topic>,
    pub ai: AiStatus,
}

/// What the challenge area shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChallengeSlot {
    SignedOut,
    /// Signed in, no challenge picked yet.
    Empty,
    Shown(ChallengeView),
}

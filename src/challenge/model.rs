//! What the browser and the server share about challenges.
use crate::generation::model::AiStatus;
use crate::types::{ChallengeId, Difficulty, QuestionId, QuestionSource, Topic};
use serde::{Deserialize, Serialize};

/// A question served to the learner, without its key until it is answered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChallengeView {
    pub id: ChallengeId,
    pub question: QuestionId,
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
    /// The learner's note on the question, if they wrote one.
    pub note: Option<String>,
}

/// What the picker needs: the topics, and whether (and how much) AI generation is on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChallengeSetup {
    pub topics: Vec<Topic>,
    pub ai: AiStatus,
}

/// What the challenge area shows.
// One value per page, rarely moved: boxing the view would only add code to the island.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChallengeSlot {
    SignedOut,
    /// Signed in, no challenge picked yet.
    Empty,
    Shown(ChallengeView),
}

//! What the browser and the server share about AI generation.
use crate::error::AppError;
use crate::types::{ChallengeId, Difficulty, Language, TopicSlug};
use serde::{Deserialize, Deserializer, Serialize};

/// Body of `POST /api/challenge/generate` (JSON). A malformed topic, difficulty or
/// language is refused when it is read (400); `focus` is the learner's own text, checked
/// on the server so its error can sit next to the field (422).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GenerateRequest {
    pub topic: TopicSlug,
    pub difficulty: Difficulty,
    /// `None` (or "" / "any" on the wire) lets the model choose.
    #[serde(default, deserialize_with = "any_language")]
    pub language: Option<Language>,
    #[serde(default)]
    pub focus: Option<String>,
}

fn any_language<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Language>, D::Error> {
    match Option::<String>::deserialize(d)?.as_deref().map(str::trim) {
        None | Some("") | Some("any") => Ok(None),
        Some(raw) => raw
            .parse()
            .map(Some)
            .map_err(|_| serde::de::Error::custom("choose a language from the list")),
    }
}

/// A step of AI generation, as the learner sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Pool,
    Writing,
    Repairing,
    Verifying,
    Deduplicating,
    Saving,
}

impl Stage {
    pub fn label(self) -> &'static str {
        match self {
            Stage::Pool => "Looking for a ready question",
            Stage::Writing => "Writing the question",
            Stage::Repairing => "Fixing the model's format",
            Stage::Verifying => "Checking the answer independently",
            Stage::Deduplicating => "Making sure it is new",
            Stage::Saving => "Saving",
        }
    }
}

/// One server-sent event of `POST /api/challenge/generate` (the `data:` line, as JSON).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum GenerationEvent {
    Stage {
        stage: Stage,
    },
    /// Visible text of the question being written (title, then stem).
    Preview {
        text: String,
    },
    Done {
        challenge_id: ChallengeId,
        from_pool: bool,
    },
    /// The generation failed; the error has the same shape as every other error.
    Failed {
        error: AppError,
        /// Whether the learner's quota was charged (it never is for a failure).
        charged: bool,
    },
}

/// Whether AI generation is on, and the caller's quota.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AiStatus {
    /// The model's name; `None` when questions come only from the bank.
    pub model: Option<String>,
    pub quota: Option<QuotaView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuotaView {
    pub limit: u32,
    pub used: u32,
    /// Generations that may be started per day (failed and cancelled ones count), and
    /// started so far.
    pub attempts_limit: u32,
    pub attempts_used: u32,
    pub resets_in_secs: u64,
    /// The learner's IANA time zone, whose midnight resets the quota.
    pub time_zone: String,
}

impl QuotaView {
    /// AI questions the learner can still get today: charged ones, and no more than
    /// the tries left.
    pub fn remaining(&self) -> u32 {
        self.limit.saturating_sub(self.used).min(self.tries_left())
    }

    pub fn tries_left(&self) -> u32 {
        self.attempts_limit.saturating_sub(self.attempts_used)
    }

    /// The try cap, not the quota, is what limits the learner now.
    pub fn tries_bite(&self) -> bool {
        self.tries_left() < self.limit.saturating_sub(self.used)
    }

    /// "resets at midnight (Europe/Berlin), in 5 h 12 min"
    pub fn reset_text(&self) -> String {
        let wait = crate::error::wait_text(self.resets_in_secs);
        format!("resets at midnight ({}), in {wait}", self.time_zone)
    }
}

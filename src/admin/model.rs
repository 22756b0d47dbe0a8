//! What the browser and the server share about the admin console.
use serde::{Deserialize, Serialize};

/// The app's figures: accounts, questions, and the last 24 hours' use.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminOverview {
    pub users: i64,
    pub admins: i64,
    pub users_new_this_week: i64,
    pub provider_logins: i64,
    pub bank_questions: i64,
    pub ai_questions: i64,
    pub retired_questions: i64,
    pub answers_last_day: i64,
    pub model_calls_last_day: i64,
    pub model_calls_failed_last_day: i64,
    pub tokens_last_day: i64,
}

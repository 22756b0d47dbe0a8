//! What the browser and the server share about accounts.
use crate::types::{Role, UserId};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    /// The IANA time zone the learner's days are counted in and times are shown in.
    pub time_zone: String,
}

/// Where to go after logging in: `next` if it is a path on this site, else the challenge
/// page. (Never another origin: `//evil.example` is refused.)
pub fn after_login(next: Option<&str>) -> String {
    crate::ui::local_path(next.unwrap_or(""), "/challenge")
}

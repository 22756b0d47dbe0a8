//! What the browser and the server share about a learner's settings.
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingsPageData {
    pub email: String,
    pub display_name: String,
    /// The learner's IANA time zone.
    pub time_zone: String,
    /// Every zone they can choose, by name, sorted.
    pub zones: Vec<String>,
    /// Their sessions, the one of this request first, then the latest seen.
    pub sessions: Vec<SessionInfo>,
    /// The provider logins that sign in as them, oldest first.
    pub logins: Vec<LinkedLogin>,
    /// Configured providers not linked yet.
    pub linkable: Vec<crate::auth::model::ProviderLink>,
}

/// A provider login linked to the account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkedLogin {
    pub id: i64,
    /// The provider's display name (its id when it is no longer configured).
    pub provider: String,
    pub email: Option<String>,
    /// In the learner's time zone.
    pub linked: String,
    /// Whether unlinking it would leave no way in.
    pub last_way_in: bool,
}

/// One of the learner's sessions (a login on some device), as the settings list it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    /// The session's stored id (the hash of its cookie: the cookie cannot be had from it).
    pub id: String,
    pub device: String,
    /// In the learner's time zone.
    pub signed_in: String,
    pub last_seen: String,
    /// The session of the request that asked.
    pub current: bool,
}

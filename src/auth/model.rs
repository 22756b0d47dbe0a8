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

/// Where to go after registering: `next` if it is a path on this site, else the study-plan
/// wizard (a new learner is offered a plan first; every step of it can be left for later).
pub fn after_register(next: Option<&str>) -> String {
    crate::ui::local_path(next.unwrap_or(""), "/wizard")
}

/// Why a sign-in at an external provider did not sign anyone in. The callback sends the
/// browser to `/login?auth_error=<code>&provider=<id>`, which shows the message; the
/// details stay in the server's log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthFailure {
    UnknownProvider,
    /// The `state` is unknown, used, expired, or from another browser.
    State,
    /// The user chose not to sign in at the provider.
    Cancelled,
    /// The provider answered with an error.
    Provider,
    /// The provider refused the code (used already, or the PKCE verifier did not match).
    Exchange,
    /// The ID token (or the callback) failed verification.
    Verification,
    /// The provider could not be reached.
    Unavailable,
    NoEmail,
    UnverifiedEmail,
    /// This provider login already belongs to another account.
    AlreadyLinked,
    /// Linking needs the account it was started from to be signed in.
    NotSignedIn,
    Internal,
}

impl AuthFailure {
    const ALL: [AuthFailure; 12] = [
        AuthFailure::UnknownProvider,
        AuthFailure::State,
        AuthFailure::Cancelled,
        AuthFailure::Provider,
        AuthFailure::Exchange,
        AuthFailure::Verification,
        AuthFailure::Unavailable,
        AuthFailure::NoEmail,
        AuthFailure::UnverifiedEmail,
        AuthFailure::AlreadyLinked,
        AuthFailure::NotSignedIn,
        AuthFailure::Internal,
    ];

    pub fn code(self) -> &'static str {
        match self {
            AuthFailure::UnknownProvider => "unknown_provider",
            AuthFailure::State => "state",
            AuthFailure::Cancelled => "cancelled",
            AuthFailure::Provider => "provider_error",
            AuthFailure::Exchange => "exchange",
            AuthFailure::Verification => "verification",
            AuthFailure::Unavailable => "unavailable",
            AuthFailure::NoEmail => "no_email",
            AuthFailure::UnverifiedEmail => "unverified_email",
            AuthFailure::AlreadyLinked => "already_linked",
            AuthFailure::NotSignedIn => "not_signed_in",
            AuthFailure::Internal => "internal",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.code() == code)
    }

    /// What the login page says; `provider` is the provider's display name.
    pub fn message(self, provider: &str) -> String {
        match self {
            AuthFailure::UnknownProvider => "That sign-in provider is not configured here.".into(),
            AuthFailure::State => "This sign-in could not be matched to this browser, or it took too long. Please try again.".into(),
            AuthFailure::Cancelled => format!("Sign-in with {provider} was cancelled. You are not signed in."),
            AuthFailure::Provider => format!("{provider} reported an error and did not sign you in. Please try again."),
            AuthFailure::Exchange => format!("{provider} did not confirm this sign-in. Please try again."),
            AuthFailure::Verification => format!("The answer from {provider} could not be verified, so you were not signed in."),
            AuthFailure::Unavailable => format!("{provider} could not be reached. Please try again in a moment."),
            AuthFailure::NoEmail => format!("{provider} did not share an email address, which an account here needs."),
            AuthFailure::UnverifiedEmail => format!("{provider} has not verified your email address, so it cannot sign you in here. Verify it there, or use a password."),
            AuthFailure::AlreadyLinked => format!("This {provider} login already belongs to another account."),
            AuthFailure::NotSignedIn => "Log in first, then link the provider from your settings.".into(),
            AuthFailure::Internal => "Something went wrong on our side. Please try again.".into(),
        }
    }
}

/// A provider on the login page: "Sign in with {name}" links to `/auth/login/{id}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderLink {
    pub id: String,
    pub name: String,
}

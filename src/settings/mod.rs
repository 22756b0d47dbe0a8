//! The learner's settings: their display name and the IANA time zone their days are
//! counted in (the AI quota, the daily quiz, reviews due) and every time is shown in.
pub mod api;
pub mod model;
mod page;
#[cfg(feature = "ssr")]
pub mod server;
#[cfg(feature = "ssr")]
pub mod transfer;

pub use page::SettingsPage;

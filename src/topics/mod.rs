//! Topics: the bank's topics and a learner's own, with their priority (1–5) and active
//! flag, which the daily quiz follows.
pub mod api;
pub mod model;
mod page;
#[cfg(feature = "ssr")]
pub mod server;

pub use page::TopicsPage;

/// Slugs of learners' own topics start with this; the bank's never do (checked at load).
pub const OWN_SLUG_PREFIX: &str = "my-";

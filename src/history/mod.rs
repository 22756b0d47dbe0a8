//! History: every challenge of the learner's, newest first, paged; and their totals.
pub mod api;
pub mod model;
mod page;
#[cfg(feature = "ssr")]
pub mod server;

pub use page::HistoryPage;

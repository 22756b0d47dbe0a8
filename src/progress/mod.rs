//! Progress: accuracy by topic, accuracy, volume and time over 30 or 90 days, streaks,
//! weak topics turned into concrete next steps, and the review forecast. The charts are
//! server-rendered SVG with a text equivalent; every figure comes from SQL aggregates.
pub mod api;
mod charts;
pub mod model;
mod page;
#[cfg(feature = "ssr")]
pub mod server;

pub use page::ProgressPage;

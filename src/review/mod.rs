//! Spaced review (FSRS): missed and flagged questions come back on the day they are due.
pub mod api;
pub mod model;
mod page;
#[cfg(feature = "ssr")]
pub mod server;

pub use page::{FlagButton, ReviewPage};

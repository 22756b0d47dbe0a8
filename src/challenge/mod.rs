//! Challenges: pick a topic and difficulty, get a question (from the bank, or written by
//! the `generation` feature when a model is configured), answer it by click or keys 1–4,
//! then see the key and the explanation.
pub mod api;
mod card;
pub mod model;
mod page;
mod picker;
#[cfg(feature = "ssr")]
pub mod server;
mod shortcuts;

pub use page::ChallengePage;

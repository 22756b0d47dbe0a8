//! AI generation: with a model configured, a question is written for the learner (streamed
//! as it is written, verified by a second call, deduplicated, within a daily quota) or
//! taken at once from the ready pool. Without one, this feature stays out of the way.
pub mod api;
#[cfg(feature = "hydrate")]
mod browser;
mod components;
mod hook;
pub mod model;
#[cfg(feature = "ssr")]
pub mod server;

pub use components::{AiProgress, ModeNote, QuotaLine};
pub use hook::{use_ai_generation, AiGeneration, AiRun};

//! AI generation on the server: `serve` answers a learner (quota, pool or live), `pipeline`
//! writes and checks a question with `prompt` and `calls`, `pool` keeps questions ready,
//! `quota` counts each learner's day, and `stream` is the HTTP endpoint.
pub mod calls;
pub mod pipeline;
pub mod pool;
mod preview;
pub mod prompt;
pub mod quota;
pub mod serve;
pub mod stream;

pub use serve::status;

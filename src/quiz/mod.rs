//! Quizzes: daily, topic and mock, one question at a time, timed by the server.
pub mod api;
pub mod model;
mod page;
#[cfg(feature = "ssr")]
pub mod server;

pub use page::{QuizPage, QuizResultPage, QuizStartPage};

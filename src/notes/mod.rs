//! The mistake notebook: a private note per question, written wherever the question
//! appears (a review, a quiz result, the notebook) and listed on `/notes`.
pub mod api;
pub mod model;
mod page;
#[cfg(feature = "ssr")]
pub mod server;

pub use page::{NoteEditor, NotesPage};

//! What the browser and the server share about notes.
use crate::types::QuestionId;
use serde::{Deserialize, Serialize};

/// A note with the question it belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    pub question: QuestionId,
    pub title: String,
    pub topic: String,
    /// Empty for a question that has no note yet (the notebook's editor for it).
    pub body: String,
    /// "2026-12-03 09:41 UTC"; empty when there is no note yet.
    pub updated: String,
}

/// A question to write a note on (from `?question=`), and whether it is in the review queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Editing {
    pub note: Note,
    pub in_review: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotesPageData {
    /// Most recently written first.
    pub notes: Vec<Note>,
    /// The question named in the address (`?question=`), to write its note.
    pub editing: Option<Editing>,
}

/// A note's text: trimmed, 1–5,000 characters, no control characters but line breaks
/// and tabs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoteBody(String);

impl NoteBody {
    pub const MAX_CHARS: usize = 5_000;

    pub fn parse(raw: &str) -> Result<NoteBody, String> {
        let text = raw.trim();
        if crate::types::has_stray_control(text) {
            return Err("A note cannot contain control characters.".into());
        }
        match text.chars().count() {
            0 => Err("Write something first (or delete the note).".into()),
            n if n > Self::MAX_CHARS => Err(format!(
                "A note is at most {} characters (this one has {n}).",
                Self::MAX_CHARS
            )),
            _ => Ok(NoteBody(text.to_owned())),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::NoteBody;

    #[test]
    fn a_note_is_trimmed_and_bounded() {
        assert_eq!(
            NoteBody::parse("  off by one \n").unwrap().as_str(),
            "off by one"
        );
        assert!(NoteBody::parse(" \n\t ").is_err());
        assert!(NoteBody::parse(&"x".repeat(NoteBody::MAX_CHARS)).is_ok());
        let long = NoteBody::parse(&"x".repeat(NoteBody::MAX_CHARS + 1)).unwrap_err();
        assert!(long.contains("5001"), "{long}");
        assert!(NoteBody::parse("bell\u{7}").is_err());
        assert_eq!(
            NoteBody::parse("line one\nline two").unwrap().as_str(),
            "line one\nline two"
        );
    }
}

//! Types shared by the server and the browser: parsed once at the edge, trusted after.
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Difficulty {
    Easy,
    Medium,
    Hard,
}

impl Difficulty {
    pub const ALL: [Difficulty; 3] = [Difficulty::Easy, Difficulty::Medium, Difficulty::Hard];

    pub fn as_str(self) -> &'static str {
        match self {
            Difficulty::Easy => "easy",
            Difficulty::Medium => "medium",
            Difficulty::Hard => "hard",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Difficulty::Easy => "Easy",
            Difficulty::Medium => "Medium",
            Difficulty::Hard => "Hard",
        }
    }
}

impl fmt::Display for Difficulty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a multi-line text holds a control character other than a line break or a tab.
pub fn has_stray_control(text: &str) -> bool {
    text.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
}

/// A stored or submitted word that names no variant of `expected`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not a valid {expected}")]
pub struct UnknownValue {
    pub expected: &'static str,
    pub value: String,
}

/// `FromStr` for an enum whose variants spell themselves with `as_str`.
macro_rules! parse_by_name {
    ($name:ident, $what:literal) => {
        impl ::std::str::FromStr for $name {
            type Err = $crate::types::UnknownValue;
            fn from_str(s: &str) -> Result<Self, $crate::types::UnknownValue> {
                $name::ALL
                    .into_iter()
                    .find(|v| v.as_str() == s)
                    .ok_or_else(|| $crate::types::UnknownValue {
                        expected: $what,
                        value: s.chars().take(40).collect(),
                    })
            }
        }
    };
}
#[allow(unused_imports)] // used by server-only modules
pub(crate) use parse_by_name;

parse_by_name!(Difficulty, "difficulty");

macro_rules! id_type {
    ($name:ident) => {
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(UserId);
id_type!(QuestionId);
id_type!(ChallengeId);
id_type!(QuizId);

/// A topic's URL name ("binary-search"): 1–64 lowercase letters, digits and hyphens.
/// Checked when it is deserialised, so a malformed one never reaches a query.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TopicSlug(String);

impl TopicSlug {
    pub const MAX: usize = 64;

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for TopicSlug {
    type Error = UnknownValue;
    fn try_from(value: String) -> Result<Self, UnknownValue> {
        let well_formed = (1..=Self::MAX).contains(&value.len())
            && value
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if well_formed {
            Ok(TopicSlug(value))
        } else {
            Err(UnknownValue {
                expected: "topic",
                value: value.chars().take(40).collect(),
            })
        }
    }
}

impl FromStr for TopicSlug {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, UnknownValue> {
        TopicSlug::try_from(s.to_owned())
    }
}

impl From<TopicSlug> for String {
    fn from(slug: TopicSlug) -> String {
        slug.0
    }
}

impl fmt::Display for TopicSlug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    User,
    Admin,
}

impl Role {
    pub const ALL: [Role; 2] = [Role::User, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::User => "user",
            Role::Admin => "admin",
        }
    }
}

parse_by_name!(Role, "role");

/// Where a question came from; shown honestly in the UI.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QuestionSource {
    Bank,
    Ai,
}

impl QuestionSource {
    pub const ALL: [QuestionSource; 2] = [QuestionSource::Bank, QuestionSource::Ai];

    pub fn as_str(self) -> &'static str {
        match self {
            QuestionSource::Bank => "bank",
            QuestionSource::Ai => "ai",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            QuestionSource::Bank => "From the bank",
            QuestionSource::Ai => "AI-generated, verified",
        }
    }
}

parse_by_name!(QuestionSource, "question source");

/// How much a learner wants a topic: 1 (least) to 5 (most); 3 when they never said.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Priority(u8);

impl Priority {
    pub const ALL: [Priority; 5] = [
        Priority(1),
        Priority(2),
        Priority(3),
        Priority(4),
        Priority(5),
    ];
    pub const DEFAULT: Priority = Priority(3);

    pub fn get(self) -> u8 {
        self.0
    }

    pub fn label(self) -> &'static str {
        match self.0 {
            1 => "1 · lowest",
            2 => "2 · low",
            3 => "3 · normal",
            4 => "4 · high",
            _ => "5 · highest",
        }
    }
}

impl TryFrom<u8> for Priority {
    type Error = UnknownValue;
    fn try_from(value: u8) -> Result<Self, UnknownValue> {
        if (1..=5).contains(&value) {
            Ok(Priority(value))
        } else {
            Err(UnknownValue {
                expected: "priority (1 to 5)",
                value: value.to_string(),
            })
        }
    }
}

impl From<Priority> for u8 {
    fn from(priority: Priority) -> u8 {
        priority.0
    }
}

impl fmt::Display for Priority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Topic {
    pub slug: TopicSlug,
    pub name: String,
    pub category: String,
}

/// Languages a generated question may be asked in (an allowlist: nothing else reaches a prompt).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    Python,
    JavaScript,
    TypeScript,
    Rust,
    Java,
    Go,
    Cpp,
    Sql,
}

impl Language {
    pub const ALL: [Language; 8] = [
        Language::Python,
        Language::JavaScript,
        Language::TypeScript,
        Language::Rust,
        Language::Java,
        Language::Go,
        Language::Cpp,
        Language::Sql,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Language::Python => "python",
            Language::JavaScript => "javascript",
            Language::TypeScript => "typescript",
            Language::Rust => "rust",
            Language::Java => "java",
            Language::Go => "go",
            Language::Cpp => "cpp",
            Language::Sql => "sql",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Language::Python => "Python",
            Language::JavaScript => "JavaScript",
            Language::TypeScript => "TypeScript",
            Language::Rust => "Rust",
            Language::Java => "Java",
            Language::Go => "Go",
            Language::Cpp => "C++",
            Language::Sql => "SQL",
        }
    }
}

parse_by_name!(Language, "language");

/// Optional free text a learner adds to a generation request ("focus on edge cases"):
/// trimmed, at most `Focus::MAX` characters, no control characters. It reaches a prompt
/// only as quoted data. Deserialising goes through `parse` too (empty text is refused).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Focus(String);

impl Focus {
    pub const MAX: usize = 120;

    /// `Ok(None)` for empty input.
    pub fn parse(raw: &str) -> Result<Option<Focus>, &'static str> {
        let text = raw.trim();
        if text.is_empty() {
            return Ok(None);
        }
        if text.chars().count() > Self::MAX {
            return Err("Keep the focus under 120 characters.");
        }
        if text.chars().any(char::is_control) {
            return Err("The focus must be a single line of text.");
        }
        Ok(Some(Focus(text.to_owned())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Focus {
    type Error = &'static str;
    fn try_from(value: String) -> Result<Self, &'static str> {
        Focus::parse(&value)?.ok_or("The focus is empty.")
    }
}

impl From<Focus> for String {
    fn from(focus: Focus) -> String {
        focus.0
    }
}

//! What the browser and the server share about topics and a learner's settings of them.
use crate::types::{Priority, TopicSlug};
use serde::{Deserialize, Serialize};

/// One topic as a learner sees it: the bank's or their own, with their settings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicSetting {
    pub slug: TopicSlug,
    pub name: String,
    pub category: String,
    pub description: Option<String>,
    /// The learner made it (and may delete it); otherwise it is the bank's.
    pub own: bool,
    pub priority: Priority,
    pub active: bool,
    /// Questions that can be served now (bank and verified AI ones).
    pub questions: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicsPageData {
    /// Highest priority first, then by name.
    pub topics: Vec<TopicSetting>,
    /// An AI model is configured, so a topic with no questions can still be practised.
    pub ai_enabled: bool,
}

/// A learner's name for their own topic: trimmed, inner whitespace collapsed,
/// 1–60 characters, no control characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopicName(String);

impl TopicName {
    pub const MAX_CHARS: usize = 60;

    pub fn parse(raw: &str) -> Result<TopicName, String> {
        if raw.chars().any(char::is_control) {
            return Err("A topic name cannot contain control characters.".into());
        }
        let name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        match name.chars().count() {
            0 => Err("Give the topic a name.".into()),
            n if n > Self::MAX_CHARS => Err(format!(
                "A topic name is at most {} characters (this one has {n}).",
                Self::MAX_CHARS
            )),
            _ => Ok(TopicName(name)),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An optional note on what the topic covers: at most 500 characters; empty means none.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopicDescription(String);

impl TopicDescription {
    pub const MAX_CHARS: usize = 500;

    pub fn parse(raw: &str) -> Result<Option<TopicDescription>, String> {
        let text = raw.trim();
        if crate::types::has_stray_control(text) {
            return Err("A description cannot contain control characters.".into());
        }
        match text.chars().count() {
            0 => Ok(None),
            n if n > Self::MAX_CHARS => Err(format!(
                "A description is at most {} characters (this one has {n}).",
                Self::MAX_CHARS
            )),
            _ => Ok(Some(TopicDescription(text.to_owned()))),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_topic_name_is_tidied_and_bounded() {
        assert_eq!(
            TopicName::parse("  Graph   theory ").unwrap().as_str(),
            "Graph theory"
        );
        assert!(TopicName::parse("   ").is_err());
        assert!(TopicName::parse("a\u{0}b").is_err());
        assert!(TopicName::parse(&"x".repeat(61)).is_err());
        assert!(
            TopicName::parse(&"é".repeat(60)).is_ok(),
            "counted in characters"
        );
    }

    #[test]
    fn an_empty_description_is_none() {
        assert_eq!(TopicDescription::parse("  ").unwrap(), None);
        assert!(TopicDescription::parse(&"x".repeat(501)).is_err());
        assert_eq!(
            TopicDescription::parse(" Dijkstra, BFS\n")
                .unwrap()
                .unwrap()
                .as_str(),
            "Dijkstra, BFS"
        );
    }
}

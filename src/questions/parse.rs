//! Strict parsing of a model's reply: a question (code fences trimmed, unknown fields
//! refused, every field checked against the one question schema) or a verifier's answer.
use crate::questions::schema::QuestionDraft;
use crate::types::Difficulty;
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WireQuestion {
    title: String,
    stem: String,
    options: Vec<String>,
    answer_index: u8,
    explanation: String,
    topic: String,
    difficulty: Difficulty,
    #[serde(default)]
    language: Option<String>,
    /// Chain-of-thought working, when the prompt asked for it: read and thrown away.
    #[serde(default, rename = "reasoning")]
    _reasoning: Option<serde::de::IgnoredAny>,
}

/// Removes a surrounding Markdown code fence (```json … ```), if there is one.
pub fn trim_code_fence(raw: &str) -> &str {
    let text = raw.trim();
    let Some(rest) = text.strip_prefix("```") else {
        return text;
    };
    let body = rest.split_once('\n').map(|(_, body)| body).unwrap_or("");
    body.trim_end().strip_suffix("```").unwrap_or(body).trim()
}

/// Parses and validates a generated question for `topic` (slug or name) at `difficulty`.
pub fn parse_question(
    raw: &str,
    topic_slug: &str,
    topic_name: &str,
    difficulty: Difficulty,
) -> Result<QuestionDraft, String> {
    let wire: WireQuestion = serde_json::from_str(trim_code_fence(raw))
        .map_err(|e| format!("not the question JSON: {e}"))?;
    let topic = wire.topic.trim();
    if !topic.eq_ignore_ascii_case(topic_slug) && !topic.eq_ignore_ascii_case(topic_name) {
        return Err(format!("asked for topic {topic_name:?}, got {topic:?}"));
    }
    if wire.difficulty != difficulty {
        return Err(format!("asked for {difficulty}, got {}", wire.difficulty));
    }
    let draft = QuestionDraft {
        title: wire.title.trim().to_owned(),
        stem: wire.stem.trim().to_owned(),
        options: wire.options.iter().map(|o| o.trim().to_owned()).collect(),
        answer_index: wire.answer_index,
        explanation: wire.explanation.trim().to_owned(),
        difficulty: wire.difficulty,
        language: wire
            .language
            .map(|l| l.trim().to_lowercase())
            .filter(|l| !l.is_empty() && l.len() <= 32),
    };
    draft.validate().map_err(|e| e.to_string())?;
    Ok(draft)
}

/// The option an independent check chose (`{"answer_index": 0-3}`), if its reply is usable.
pub fn verified_index(raw: &str) -> Option<u8> {
    #[derive(Deserialize)]
    struct Verdict {
        answer_index: u8,
    }
    let verdict: Verdict = serde_json::from_str(trim_code_fence(raw)).ok()?;
    (verdict.answer_index <= 3).then_some(verdict.answer_index)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{"title":"Stack push order","stem":"After pushing 1, 2, 3 and popping once, what is on top?","options":["1","2","3","empty"],"answer_index":1,"explanation":"Popping removes 3, the last pushed, so 2 is on top.","topic":"stack","difficulty":"easy"}"#;

    #[test]
    fn accepts_plain_and_fenced_json() {
        let plain = parse_question(GOOD, "stack", "Stack", Difficulty::Easy).unwrap();
        assert_eq!(plain.answer_index, 1);
        let fenced = format!("```json\n{GOOD}\n```");
        assert_eq!(
            parse_question(&fenced, "stack", "Stack", Difficulty::Easy).unwrap(),
            plain
        );
        let bare_fence = format!("```\n{GOOD}\n```\n");
        assert!(parse_question(&bare_fence, "stack", "Stack", Difficulty::Easy).is_ok());
    }

    #[test]
    fn refuses_unknown_fields_wrong_cells_and_bad_schema() {
        let extra = GOOD.replace("\"topic\"", "\"note\":\"x\",\"topic\"");
        assert!(parse_question(&extra, "stack", "Stack", Difficulty::Easy)
            .unwrap_err()
            .contains("unknown field"));
        assert!(parse_question(GOOD, "sql", "SQL", Difficulty::Easy)
            .unwrap_err()
            .contains("topic"));
        assert!(parse_question(GOOD, "stack", "Stack", Difficulty::Hard)
            .unwrap_err()
            .contains("hard"));
        let dup = GOOD.replace("\"3\",\"empty\"", "\"2\",\"empty\"");
        assert!(parse_question(&dup, "stack", "Stack", Difficulty::Easy)
            .unwrap_err()
            .contains("same"));
        let key = GOOD.replace("\"answer_index\":1", "\"answer_index\":7");
        assert!(parse_question(&key, "stack", "Stack", Difficulty::Easy)
            .unwrap_err()
            .contains("answer_index"));
        assert!(parse_question("{not json", "stack", "Stack", Difficulty::Easy).is_err());
    }
}

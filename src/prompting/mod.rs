//! The prompt-technique engine (server only): classify a request's intent with rules,
//! pick techniques from the rules file (`rules.toml`), and render the prompt from its
//! templates. No model is involved. The generator uses it now; the tutor will too.
use crate::types::Difficulty;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::LazyLock;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Technique {
    ZeroShot,
    FewShot,
    ChainOfThought,
    StructuredOutput,
}

impl Technique {
    pub fn as_str(self) -> &'static str {
        match self {
            Technique::ZeroShot => "zero_shot",
            Technique::FewShot => "few_shot",
            Technique::ChainOfThought => "chain_of_thought",
            Technique::StructuredOutput => "structured_output",
        }
    }
}

/// Intents the engine is asked for directly rather than classified from text.
pub const GENERATE_QUESTION: &str = "generate_question";
pub const VERIFY_ANSWER: &str = "verify_answer";
const GENERAL: &str = "general";

/// Placeholders a template may use.
const VARIABLES: &[&str] = &[
    "schema",
    "examples",
    "difficulty",
    "topic_name",
    "topic_slug",
    "language_clause",
    "focus_clause",
    "stem",
    "options",
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct IntentRule {
    name: String,
    keywords: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TechniqueRule {
    intent: String,
    #[serde(default)]
    difficulty: Vec<Difficulty>,
    #[serde(default)]
    category: Vec<String>,
    techniques: Vec<Technique>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Task {
    system: String,
    user: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    intents: Vec<IntentRule>,
    rules: Vec<TechniqueRule>,
    templates: HashMap<Technique, String>,
    tasks: HashMap<String, Task>,
}

/// What a prompt is for: the intent and what is known about the subject.
#[derive(Clone, Copy, Debug)]
pub struct Request<'a> {
    pub intent: &'a str,
    pub difficulty: Option<Difficulty>,
    pub category: Option<&'a str>,
}

/// The engine's choice for one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    pub intent: String,
    pub techniques: Vec<Technique>,
}

impl Plan {
    /// Stored with each call, e.g. `structured_output+few_shot`.
    pub fn label(&self) -> String {
        self.techniques
            .iter()
            .map(|t| t.as_str())
            .collect::<Vec<_>>()
            .join("+")
    }

    pub fn uses(&self, technique: Technique) -> bool {
        self.techniques.contains(&technique)
    }

    /// Drops a technique the caller cannot supply (e.g. few-shot with no examples).
    pub fn without(mut self, technique: Technique) -> Self {
        self.techniques.retain(|t| *t != technique);
        if self.techniques.is_empty() {
            self.techniques.push(Technique::ZeroShot);
        }
        self
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prompt {
    pub system: String,
    pub user: String,
}

#[derive(Debug)]
pub struct Engine {
    file: RulesFile,
}

static BUILTIN: LazyLock<Result<Engine, String>> =
    LazyLock::new(|| Engine::load(include_str!("rules.toml")));

impl Engine {
    /// Parses and checks a rules file: every rule's intent is known, every technique has a
    /// template, and every placeholder is one the engine fills.
    pub fn load(text: &str) -> Result<Self, String> {
        let file: RulesFile = toml::from_str(text).map_err(|e| format!("rules file: {e}"))?;
        let mut known: Vec<&str> = vec![GENERATE_QUESTION, VERIFY_ANSWER, GENERAL];
        known.extend(file.intents.iter().map(|i| i.name.as_str()));
        for rule in &file.rules {
            if !known.contains(&rule.intent.as_str()) {
                return Err(format!("rule for unknown intent {:?}", rule.intent));
            }
            if rule.techniques.is_empty() {
                return Err(format!("rule for {:?} names no technique", rule.intent));
            }
            for technique in &rule.techniques {
                if !file.templates.contains_key(technique) {
                    return Err(format!("no template for {}", technique.as_str()));
                }
            }
        }
        for intent in known {
            if !file.rules.iter().any(|r| r.intent == intent) {
                return Err(format!("no rule covers intent {intent:?}"));
            }
        }
        for name in [GENERATE_QUESTION, VERIFY_ANSWER] {
            if !file.tasks.contains_key(name) {
                return Err(format!("no task template for {name:?}"));
            }
        }
        let templates = file
            .templates
            .values()
            .chain(file.tasks.values().flat_map(|t| [&t.system, &t.user]));
        for template in templates {
            for name in placeholders(template) {
                if !VARIABLES.contains(&name) {
                    return Err(format!("unknown placeholder {{{name}}} in {template:?}"));
                }
            }
        }
        Ok(Engine { file })
    }

    /// The engine built from `rules.toml`; `check_builtin` at start-up reports a bad file.
    pub fn builtin() -> &'static Engine {
        BUILTIN.as_ref().expect("rules.toml is checked at start-up")
    }

    pub fn check_builtin() -> Result<(), String> {
        BUILTIN.as_ref().map(|_| ()).map_err(Clone::clone)
    }

    /// The intent of free text, by keyword rules in file order; "general" if none match.
    pub fn classify(&self, text: &str) -> String {
        let text = format!(" {} ", text.to_lowercase());
        self.file
            .intents
            .iter()
            .find(|rule| rule.keywords.iter().any(|k| text.contains(k.as_str())))
            .map(|rule| rule.name.clone())
            .unwrap_or_else(|| GENERAL.to_owned())
    }

    /// The techniques of the first rule whose conditions all hold.
    pub fn plan(&self, request: &Request) -> Plan {
        let rule = self.file.rules.iter().find(|rule| {
            rule.intent == request.intent
                && (rule.difficulty.is_empty()
                    || request
                        .difficulty
                        .is_some_and(|d| rule.difficulty.contains(&d)))
                && (rule.category.is_empty()
                    || request
                        .category
                        .is_some_and(|c| rule.category.iter().any(|r| r == c)))
        });
        Plan {
            intent: request.intent.to_owned(),
            techniques: rule
                .map(|r| r.techniques.clone())
                .unwrap_or_else(|| vec![Technique::ZeroShot]),
        }
    }

    /// The task's prompt with each technique's instructions appended to the system part.
    pub fn render(&self, plan: &Plan, vars: &[(&str, &str)]) -> Result<Prompt, String> {
        let task = self
            .file
            .tasks
            .get(&plan.intent)
            .ok_or_else(|| format!("no task template for {:?}", plan.intent))?;
        let mut system = fill(&task.system, vars)?;
        for technique in &plan.techniques {
            let template = &self.file.templates[technique];
            system.push_str("\n\n");
            system.push_str(&fill(template, vars)?);
        }
        Ok(Prompt {
            system,
            user: fill(&task.user, vars)?,
        })
    }
}

/// `{name}` placeholders: lower-case letters and underscores between braces.
fn placeholders(template: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) if is_name(&after[..end]) => {
                found.push(&after[..end]);
                rest = &after[end + 1..];
            }
            _ => rest = after,
        }
    }
    found
}

fn is_name(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
}

/// Fills placeholders; values are inserted as they are and never re-scanned.
fn fill(template: &str, vars: &[(&str, &str)]) -> Result<String, String> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) if is_name(&after[..end]) => {
                let name = &after[..end];
                let value = vars
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| *v)
                    .ok_or_else(|| format!("no value for {{{name}}}"))?;
                out.push_str(value);
                rest = &after[end + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_rules_file_is_valid() {
        Engine::check_builtin().unwrap();
    }

    #[test]
    fn generation_techniques_follow_difficulty() {
        let engine = Engine::builtin();
        let plan = |d| {
            engine
                .plan(&Request {
                    intent: GENERATE_QUESTION,
                    difficulty: Some(d),
                    category: None,
                })
                .label()
        };
        assert_eq!(plan(Difficulty::Easy), "structured_output+few_shot");
        assert_eq!(
            plan(Difficulty::Hard),
            "structured_output+few_shot+chain_of_thought"
        );
        let verify = engine.plan(&Request {
            intent: VERIFY_ANSWER,
            difficulty: Some(Difficulty::Easy),
            category: None,
        });
        assert_eq!(verify.label(), "structured_output+zero_shot");
    }

    #[test]
    fn free_text_is_classified_by_keyword_rules() {
        let engine = Engine::builtin();
        assert_eq!(
            engine.classify("My code panics with index out of bounds"),
            "debug"
        );
        assert_eq!(engine.classify("BFS vs DFS for shortest paths?"), "compare");
        assert_eq!(engine.classify("Why is quicksort O(n log n)?"), "explain");
        assert_eq!(engine.classify("Quiz me on heaps"), "practice");
        assert_eq!(engine.classify("hello there"), "general");
        let plan = engine.plan(&Request {
            intent: &engine.classify("why does this crash?"),
            difficulty: None,
            category: None,
        });
        assert_eq!(plan.intent, "debug");
        assert!(plan.uses(Technique::ChainOfThought));
    }

    #[test]
    fn rendering_fills_values_without_rescanning_them() {
        let engine = Engine::builtin();
        let plan = engine.plan(&Request {
            intent: VERIFY_ANSWER,
            difficulty: Some(Difficulty::Easy),
            category: None,
        });
        let prompt = engine
            .render(
                &plan,
                &[
                    ("schema", "{\"answer_index\": 0-3}"),
                    ("stem", "What is {options}?"),
                    ("options", "0: a\n1: b\n"),
                ],
            )
            .unwrap();
        assert!(prompt.system.contains("{\"answer_index\": 0-3}"));
        assert!(prompt.user.contains("What is {options}?"));
        assert!(prompt.user.ends_with("0: a\n1: b\n"));
        assert!(engine.render(&plan, &[("stem", "x")]).is_err());
    }

    #[test]
    fn a_bad_rules_file_is_refused_with_a_reason() {
        let err = Engine::load("intents = []\nrules = []\n[templates]\n[tasks]\n").unwrap_err();
        assert!(err.contains("no rule covers intent"), "{err}");
        let err = Engine::load(&include_str!("rules.toml").replace("{examples}", "{secret}"))
            .unwrap_err();
        assert!(err.contains("unknown placeholder {secret}"), "{err}");
        assert_eq!(
            Plan {
                intent: "x".into(),
                techniques: vec![Technique::FewShot]
            }
            .without(Technique::FewShot)
            .label(),
            "zero_shot"
        );
    }
}

//! The curated bank: TOML files under `bank/`, validated and synced into the database
//! idempotently at start-up (keyed by each question's stable id).
use super::fingerprint;
use super::schema::{QuestionDraft, SchemaError};
use super::store::{new_row, Origin};
use crate::entities::{question, topic};
use crate::types::{Difficulty, QuestionSource};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, TransactionTrait,
};
use serde::Deserialize;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BankFile {
    pub topic: BankTopic,
    pub questions: Vec<BankQuestion>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BankTopic {
    pub slug: String,
    pub name: String,
    pub category: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Check {
    /// The stem's program prints exactly the key option.
    Stdout,
    /// The stem's Rust program must not compile.
    CompileError,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BankQuestion {
    pub id: String,
    pub difficulty: Difficulty,
    pub title: String,
    pub stem: String,
    pub options: Vec<String>,
    pub answer_index: u8,
    pub explanation: String,
    pub language: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    pub check: Option<Check>,
}

impl BankQuestion {
    pub fn draft(&self) -> QuestionDraft {
        QuestionDraft {
            title: self.title.trim().to_owned(),
            stem: self.stem.trim().to_owned(),
            options: self.options.iter().map(|o| o.trim().to_owned()).collect(),
            answer_index: self.answer_index,
            explanation: self.explanation.trim().to_owned(),
            difficulty: self.difficulty,
            language: self.language.clone(),
        }
    }
}

pub const CATEGORIES: [&str; 5] = [
    "data-structures",
    "algorithms",
    "databases",
    "systems",
    "languages",
];

#[derive(Debug, thiserror::Error)]
pub enum BankError {
    #[error("cannot read bank directory {0}: {1}")]
    Dir(PathBuf, std::io::Error),
    #[error("{0}: {1}")]
    Read(PathBuf, std::io::Error),
    #[error("{0}: invalid TOML: {1}")]
    Parse(PathBuf, toml::de::Error),
    #[error("{file}: {message}")]
    File { file: PathBuf, message: String },
    #[error("{file}: question {id}: {error}")]
    Question {
        file: PathBuf,
        id: String,
        error: SchemaError,
    },
    #[error("question id {0} appears more than once")]
    DuplicateId(String),
    #[error("bank directory {0} holds no .toml files")]
    Empty(PathBuf),
}

/// Reads and validates every `*.toml` file in `dir`, sorted by name.
pub fn load_dir(dir: &Path) -> Result<Vec<BankFile>, BankError> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| BankError::Dir(dir.to_owned(), e))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|ext| ext == "toml"))
        .collect();
    paths.sort();
    if paths.is_empty() {
        return Err(BankError::Empty(dir.to_owned()));
    }
    let mut files = Vec::with_capacity(paths.len());
    let mut ids = HashSet::new();
    for path in paths {
        let text = std::fs::read_to_string(&path).map_err(|e| BankError::Read(path.clone(), e))?;
        let file: BankFile =
            toml::from_str(&text).map_err(|e| BankError::Parse(path.clone(), e))?;
        validate_file(&path, &file)?;
        for q in &file.questions {
            if !ids.insert(q.id.clone()) {
                return Err(BankError::DuplicateId(q.id.clone()));
            }
        }
        files.push(file);
    }
    Ok(files)
}

fn validate_file(path: &Path, file: &BankFile) -> Result<(), BankError> {
    let fail = |message: String| BankError::File {
        file: path.to_owned(),
        message,
    };
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    if file.topic.slug != stem {
        return Err(fail(format!(
            "topic.slug {:?} must match the file name {stem:?}",
            file.topic.slug
        )));
    }
    if file.topic.slug.starts_with(crate::topics::OWN_SLUG_PREFIX) {
        return Err(fail(format!(
            "topic.slug must not start with {:?}: learners' own topics use it",
            crate::topics::OWN_SLUG_PREFIX
        )));
    }
    if !CATEGORIES.contains(&file.topic.category.as_str()) {
        return Err(fail(format!("unknown category {:?}", file.topic.category)));
    }
    if file.topic.name.trim().is_empty() || file.topic.name.len() > 80 {
        return Err(fail("topic.name must be 1..=80 characters".into()));
    }
    for q in &file.questions {
        if !q.id.starts_with(&format!("{}-", file.topic.slug)) {
            return Err(fail(format!(
                "question id {:?} must start with the topic slug",
                q.id
            )));
        }
        q.draft().validate().map_err(|error| BankError::Question {
            file: path.to_owned(),
            id: q.id.clone(),
            error,
        })?;
    }
    Ok(())
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct SyncReport {
    pub topics: usize,
    pub inserted: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub retired: usize,
}

/// Upserts topics and questions. Running it twice changes nothing the second time.
/// Bank questions that disappeared from the files are retired, never deleted
/// (answers point at them).
pub async fn sync(db: &DatabaseConnection, files: &[BankFile]) -> Result<SyncReport, DbErr> {
    let txn = db.begin().await?;
    let mut report = SyncReport::default();
    let now = chrono::Utc::now();

    for file in files {
        topic::Entity::insert(topic::ActiveModel {
            slug: Set(file.topic.slug.clone()),
            name: Set(file.topic.name.clone()),
            category: Set(file.topic.category.clone()),
            ..Default::default()
        })
        .on_conflict(
            OnConflict::column(topic::Column::Slug)
                .update_columns([topic::Column::Name, topic::Column::Category])
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
    }
    report.topics = files.len();
    let topic_ids: HashMap<String, i64> = topic::Entity::find()
        .all(&txn)
        .await?
        .into_iter()
        .map(|t| (t.slug, t.id))
        .collect();

    let existing: HashMap<String, question::Model> = question::Entity::find()
        .filter(question::Column::Source.eq(QuestionSource::Bank))
        .all(&txn)
        .await?
        .into_iter()
        .filter_map(|q| q.external_id.clone().map(|id| (id, q)))
        .collect();

    let mut seen = HashSet::new();
    for file in files {
        let topic_id = topic_ids[&file.topic.slug];
        for q in &file.questions {
            seen.insert(q.id.clone());
            let draft = q.draft();
            let origin = Origin::Bank {
                external_id: q.id.clone(),
                tags: q.tags.clone(),
            };
            let mut model = new_row(draft.clone(), topic_id, origin, now);
            match existing.get(&q.id) {
                None => {
                    let id = question::Entity::insert(model)
                        .exec(&txn)
                        .await?
                        .last_insert_id;
                    fingerprint::index(&txn, id, topic_id, &draft.stem, &draft.options).await?;
                    report.inserted += 1;
                }
                Some(old) => {
                    let same = old.topic_id == topic_id
                        && old.difficulty == draft.difficulty
                        && old.title == draft.title
                        && old.stem == draft.stem
                        && old.options.0 == draft.options
                        && i64::from(old.answer_index) == i64::from(draft.answer_index)
                        && old.explanation == draft.explanation
                        && old.language == draft.language
                        && model.tags.as_ref() == &old.tags
                        && !old.retired;
                    if same {
                        report.unchanged += 1;
                    } else {
                        model.id = Set(old.id);
                        model.created_at = NotSet;
                        question::Entity::update(model).exec(&txn).await?;
                        fingerprint::index(&txn, old.id, topic_id, &draft.stem, &draft.options)
                            .await?;
                        report.updated += 1;
                    }
                }
            }
        }
    }

    let gone: Vec<i64> = existing
        .values()
        .filter(|q| !q.retired && !seen.contains(q.external_id.as_deref().unwrap_or_default()))
        .map(|q| q.id)
        .collect();
    if !gone.is_empty() {
        report.retired = gone.len();
        question::Entity::update_many()
            .col_expr(
                question::Column::Retired,
                sea_orm::sea_query::Expr::value(true),
            )
            .filter(question::Column::Id.is_in(gone))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(report)
}

/// Fenced code blocks of a markdown text, as (language tag, code).
pub fn fenced_blocks(markdown: &str) -> Vec<(String, String)> {
    use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};
    let mut blocks = Vec::new();
    let mut current: Option<(String, String)> = None;
    for event in Parser::new(markdown) {
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => info
                        .split_whitespace()
                        .next()
                        .unwrap_or_default()
                        .to_owned(),
                    CodeBlockKind::Indented => String::new(),
                };
                current = Some((lang, String::new()));
            }
            Event::Text(text) => {
                if let Some((_, code)) = current.as_mut() {
                    code.push_str(&text);
                }
            }
            Event::End(TagEnd::CodeBlock) => blocks.extend(current.take()),
            _ => {}
        }
    }
    blocks
}

/// Questions per topic × difficulty, as a plain-text table (for `promptedcode bank-stats`).
pub fn counts_table(files: &[BankFile]) -> String {
    use std::fmt::Write;
    let mut out = format!(
        "{:<22} {:>5} {:>6} {:>5} {:>6}\n",
        "topic", "easy", "medium", "hard", "total"
    );
    let mut totals = [0usize; 3];
    for file in files {
        let counts =
            Difficulty::ALL.map(|d| file.questions.iter().filter(|q| q.difficulty == d).count());
        for (t, c) in totals.iter_mut().zip(counts) {
            *t += c;
        }
        let _ = writeln!(
            out,
            "{:<22} {:>5} {:>6} {:>5} {:>6}",
            file.topic.slug,
            counts[0],
            counts[1],
            counts[2],
            counts.iter().sum::<usize>()
        );
    }
    let _ = writeln!(
        out,
        "{:<22} {:>5} {:>6} {:>5} {:>6}",
        "all topics",
        totals[0],
        totals[1],
        totals[2],
        totals.iter().sum::<usize>()
    );
    out
}

//! The fingerprinted duplicate check gives the same verdicts as comparing a question with
//! every question of its topic: on the whole bank, and on paraphrases of every bank
//! question (re-ordered options, re-cased and re-spaced text, one word changed, a phrase
//! added, half the words changed), in memory and through the database on both backends.
use crate::common;

use promptedcode::entities::topic;
use promptedcode::questions::bank::{self, BankFile};
use promptedcode::questions::dedup::{content_hash, fingerprint_text, shingles};
use promptedcode::questions::fingerprint::{buckets_of, has_duplicate, same_question};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use std::collections::{HashMap, HashSet};

/// A question's text: stem and options.
#[derive(Clone, Debug)]
struct Text {
    stem: String,
    options: Vec<String>,
}

fn texts(file: &BankFile) -> Vec<Text> {
    file.questions
        .iter()
        .map(|q| {
            let d = q.draft();
            Text {
                stem: d.stem,
                options: d.options,
            }
        })
        .collect()
}

/// Rewordings of `t`, from the same question in other words to a different question.
fn paraphrases(t: &Text, salt: usize) -> Vec<Text> {
    let words: Vec<&str> = t.stem.split_whitespace().collect();
    let mut out = Vec::new();
    let mut reversed = t.options.clone();
    reversed.reverse();
    out.push(Text {
        stem: format!("  {}  ", t.stem.to_uppercase().replace(' ', "   ")),
        options: reversed,
    });
    if !words.is_empty() {
        let mut one_changed = words.clone();
        let at = salt % one_changed.len();
        one_changed[at] = "whichever";
        out.push(Text {
            stem: one_changed.join(" "),
            options: t.options.clone(),
        });
    }
    out.push(Text {
        stem: format!("{} Answer in one word.", t.stem),
        options: t.options.clone(),
    });
    out.push(Text {
        stem: format!("In an interview setting: {}", t.stem),
        options: t.options.clone(),
    });
    let half_changed: Vec<String> = words
        .iter()
        .enumerate()
        .map(|(i, w)| {
            if i % 2 == salt % 2 {
                format!("other{i}")
            } else {
                (*w).to_owned()
            }
        })
        .collect();
    out.push(Text {
        stem: half_changed.join(" "),
        options: t.options.clone(),
    });
    let mut new_option = t.options.clone();
    if let Some(first) = new_option.first_mut() {
        first.push_str(" (amortised)");
    }
    out.push(Text {
        stem: t.stem.clone(),
        options: new_option,
    });
    out
}

/// The verdict of comparing with every stored question (the rule before fingerprints).
fn exact(new: &Text, stored: &[Text]) -> bool {
    let hash = content_hash(&new.stem, &new.options);
    let prints = shingles(&fingerprint_text(&new.stem, &new.options));
    stored.iter().any(|s| {
        same_question(
            (&hash, &prints),
            &content_hash(&s.stem, &s.options),
            &s.stem,
            &s.options,
        )
    })
}

/// The same rule over only the candidates an in-memory bucket index yields.
struct Index<'a> {
    stored: &'a [Text],
    hashes: HashMap<String, Vec<usize>>,
    buckets: HashMap<i64, Vec<usize>>,
}

impl<'a> Index<'a> {
    fn new(stored: &'a [Text]) -> Self {
        let mut hashes: HashMap<String, Vec<usize>> = HashMap::new();
        let mut buckets: HashMap<i64, Vec<usize>> = HashMap::new();
        for (i, t) in stored.iter().enumerate() {
            hashes
                .entry(content_hash(&t.stem, &t.options))
                .or_default()
                .push(i);
            for b in buckets_of(&t.stem, &t.options) {
                buckets.entry(b).or_default().push(i);
            }
        }
        Index {
            stored,
            hashes,
            buckets,
        }
    }

    fn candidates(&self, new: &Text) -> HashSet<usize> {
        let mut found: HashSet<usize> = self
            .hashes
            .get(&content_hash(&new.stem, &new.options))
            .into_iter()
            .flatten()
            .copied()
            .collect();
        for b in buckets_of(&new.stem, &new.options) {
            found.extend(self.buckets.get(&b).into_iter().flatten());
        }
        found
    }

    fn verdict(&self, new: &Text) -> bool {
        let candidates: Vec<Text> = self
            .candidates(new)
            .into_iter()
            .map(|i| self.stored[i].clone())
            .collect();
        exact(new, &candidates)
    }
}

#[test]
fn bucketed_check_agrees_with_the_exact_comparison_on_the_bank_and_paraphrases() {
    let files = bank::load_dir(&common::bank_dir()).unwrap();
    let (mut checked, mut duplicates, mut candidates) = (0usize, 0usize, 0usize);
    for file in &files {
        let stored = texts(file);
        let index = Index::new(&stored);
        for (i, t) in stored.iter().enumerate() {
            // Each bank question against the rest of its topic.
            let rest: Vec<Text> = stored
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, t)| t.clone())
                .collect();
            assert_eq!(
                Index::new(&rest).verdict(t),
                exact(t, &rest),
                "{}: bank question {i}",
                file.topic.slug
            );
            for (k, p) in paraphrases(t, i).iter().enumerate() {
                let want = exact(p, &stored);
                assert_eq!(
                    index.verdict(p),
                    want,
                    "{}: paraphrase {k} of question {i}: {p:?}",
                    file.topic.slug
                );
                checked += 1;
                duplicates += usize::from(want);
                candidates += index.candidates(p).len();
            }
        }
    }
    println!(
        "{checked} paraphrases, {duplicates} duplicates by the exact rule, {:.2} candidates each",
        candidates as f64 / checked as f64
    );
    // Both sides of the threshold are exercised (most rewordings stay near-duplicates; the
    // half-changed stems and some added phrases do not), and candidates are few.
    assert!(
        duplicates > checked / 2 && checked - duplicates > checked / 10,
        "{duplicates} of {checked}"
    );
    assert!((candidates as f64 / checked as f64) < 3.0);
}

async fn stored_check_agrees_with_the_exact_comparison(db: DatabaseConnection) {
    let files = common::load_bank(&db).await;
    for file in files.iter().take(6) {
        let topic = topic::Entity::find()
            .filter(topic::Column::Slug.eq(file.topic.slug.as_str()))
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        let stored = texts(file);
        for (i, t) in stored.iter().enumerate().step_by(3) {
            for p in paraphrases(t, i) {
                assert_eq!(
                    has_duplicate(&db, topic.id, &p.stem, &p.options)
                        .await
                        .unwrap(),
                    exact(&p, &stored),
                    "{}: {p:?}",
                    file.topic.slug
                );
            }
        }
    }
}

async fn questions_stored_before_fingerprints_are_indexed_at_start(db: DatabaseConnection) {
    use promptedcode::entities::question_bucket;
    use sea_orm::PaginatorTrait;
    let files = common::load_bank(&db).await;
    let total: u64 = files.iter().map(|f| f.questions.len() as u64).sum();
    question_bucket::Entity::delete_many()
        .exec(&db)
        .await
        .unwrap();
    let indexed = promptedcode::questions::fingerprint::index_missing(&db)
        .await
        .unwrap();
    assert_eq!(indexed as u64, total);
    assert_eq!(
        question_bucket::Entity::find().count(&db).await.unwrap(),
        total * promptedcode::questions::fingerprint::BANDS as u64
    );
    assert_eq!(
        promptedcode::questions::fingerprint::index_missing(&db)
            .await
            .unwrap(),
        0
    );
}

on_both_backends!(
    stored_check_agrees_with_the_exact_comparison,
    questions_stored_before_fingerprints_are_indexed_at_start,
);

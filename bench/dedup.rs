//! One duplicate check against 1k, 10k and 100k stored questions of one topic, on Postgres
//! (`make bench-dedup`): the fingerprinted check the app runs (candidates by bucket, then the
//! exact rule), and for contrast the old one (read the whole topic, compare with each).
//!
//! The questions are synthetic: interview-style stems of 18–40 words over a 4,000-word
//! vocabulary with common openings ("What is the time complexity of …"), so unrelated
//! questions share phrases as real ones do. Each timing is the median (and p95) over
//! checks of fresh questions, a third of them near-duplicates of a stored one.
use promptedcode::entities::columns::OptionList;
use promptedcode::entities::{question, question_bucket, topic};
use promptedcode::questions::dedup::{content_hash, fingerprint_text, shingles};
use promptedcode::questions::fingerprint::{any_same, bucket_rows, buckets_of, has_duplicate};
use promptedcode::types::{Difficulty, QuestionSource};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, Database, DatabaseConnection,
    EntityTrait, QueryFilter, QuerySelect,
};
use std::time::{Duration, Instant};

const OPENINGS: [&str; 6] = [
    "What is the time complexity of",
    "Which data structure is best for",
    "What does the following code print when",
    "Why does this approach fail when",
    "How many operations are needed to",
    "Which statement about",
];

struct Generator {
    rng: StdRng,
    words: Vec<String>,
}

impl Generator {
    fn new() -> Self {
        let syllables = ["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ze", "qu"];
        let mut words = Vec::new();
        'outer: for a in syllables {
            for b in syllables {
                for c in syllables {
                    for d in ["", "n", "r", "s"] {
                        words.push(format!("{a}{b}{c}{d}"));
                        if words.len() == 4_000 {
                            break 'outer;
                        }
                    }
                }
            }
        }
        Generator {
            rng: StdRng::seed_from_u64(11),
            words,
        }
    }

    fn question(&mut self) -> (String, Vec<String>) {
        let opening = OPENINGS[self.rng.gen_range(0..OPENINGS.len())];
        let length = self.rng.gen_range(18..=40);
        let mut stem = opening.to_owned();
        for _ in 0..length {
            stem.push(' ');
            stem.push_str(&self.words[self.rng.gen_range(0..self.words.len())]);
        }
        stem.push('?');
        let options = (0..4)
            .map(|_| {
                (0..3)
                    .map(|_| self.words[self.rng.gen_range(0..self.words.len())].clone())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        (stem, options)
    }

    /// `stem` with one word changed: still a near-duplicate.
    fn reworded(&mut self, stem: &str) -> String {
        let mut words: Vec<&str> = stem.split(' ').collect();
        let at = self.rng.gen_range(6..words.len());
        words[at] = "changed";
        words.join(" ")
    }
}

async fn fill(
    db: &DatabaseConnection,
    topic_id: i64,
    from: usize,
    to: usize,
    generator: &mut Generator,
    stored: &mut Vec<(String, Vec<String>)>,
) {
    let now = chrono::Utc::now();
    for chunk_start in (from..to).step_by(400) {
        let chunk_end = (chunk_start + 400).min(to);
        let mut questions = Vec::new();
        let mut buckets = Vec::new();
        for n in chunk_start..chunk_end {
            let (stem, options) = generator.question();
            let id = n as i64 + 1;
            buckets.extend(bucket_rows(id, topic_id, &stem, &options));
            questions.push(question::ActiveModel {
                id: Set(id),
                external_id: Set(None),
                topic_id: Set(topic_id),
                difficulty: Set(Difficulty::Medium),
                title: Set(format!("Question {n}")),
                content_hash: Set(content_hash(&stem, &options)),
                stem: Set(stem.clone()),
                options: Set(OptionList(options.clone())),
                answer_index: Set(0),
                explanation: Set("Because.".into()),
                language: Set(None),
                tags: Set("[]".into()),
                source: Set(QuestionSource::Ai),
                model: Set(Some("bench".into())),
                verification: Set(Some("agreed".into())),
                retired: Set(false),
                technique: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
            });
            stored.push((stem, options));
        }
        question::Entity::insert_many(questions)
            .exec_without_returning(db)
            .await
            .expect("insert questions");
        question_bucket::Entity::insert_many(buckets)
            .exec_without_returning(db)
            .await
            .expect("insert buckets");
    }
    db.execute_unprepared("ANALYZE").await.expect("analyze");
}

/// The check before fingerprints: every question of the topic, read and compared.
async fn whole_topic_check(
    db: &DatabaseConnection,
    topic_id: i64,
    stem: &str,
    options: &[String],
) -> bool {
    let whole_topic = question::Entity::find().filter(question::Column::TopicId.eq(topic_id));
    let prints = shingles(&fingerprint_text(stem, options));
    any_same(db, whole_topic, &content_hash(stem, options), &prints)
        .await
        .expect("read topic")
}

fn summary(mut times: Vec<Duration>) -> (f64, f64) {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    (
        ms(times[times.len() / 2]),
        ms(times[(times.len() * 95 / 100).min(times.len() - 1)]),
    )
}

#[tokio::main]
async fn main() {
    let admin_url = std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    let name = format!("pc_bench_dedup_{}", std::process::id());
    let admin = Database::connect(&admin_url).await.expect("Postgres");
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create database");
    let url = format!("{}/{name}", admin_url.rsplit_once('/').unwrap().0);
    let db = promptedcode::db::connect(&url, 4, Default::default())
        .await
        .expect("connect");
    promptedcode::db::migrate(&db).await.expect("migrate");
    let topic = topic::ActiveModel {
        slug: Set("bench".into()),
        name: Set("Bench".into()),
        category: Set("Bench".into()),
        ..Default::default()
    }
    .insert(&db)
    .await
    .expect("topic");

    let mut generator = Generator::new();
    let mut stored = Vec::new();
    println!("| questions in the topic | fingerprinted check: median / p95 | candidates (mean) | whole-topic check: median |");
    println!("|---|---|---|---|");
    let mut filled = 0;
    for size in [1_000usize, 10_000, 100_000] {
        fill(&db, topic.id, filled, size, &mut generator, &mut stored).await;
        filled = size;
        let mut times = Vec::new();
        let mut found = 0;
        for round in 0..300 {
            let (stem, options) = if round % 3 == 0 {
                let (stem, options) = stored[generator.rng.gen_range(0..stored.len())].clone();
                (generator.reworded(&stem), options)
            } else {
                generator.question()
            };
            let started = Instant::now();
            let duplicate = has_duplicate(&db, topic.id, &stem, &options)
                .await
                .expect("check");
            times.push(started.elapsed());
            found += usize::from(duplicate);
        }
        assert!(found >= 100, "every reworded question is found ({found})");
        let (median, p95) = summary(times);
        let mut whole = Vec::new();
        for _ in 0..if size >= 100_000 { 3 } else { 15 } {
            let (stem, options) = generator.question();
            let started = Instant::now();
            whole_topic_check(&db, topic.id, &stem, &options).await;
            whole.push(started.elapsed());
        }
        let (whole_median, _) = summary(whole);
        let candidates = mean_candidates(&db, topic.id, &mut generator).await;
        println!(
            "| {size} | {median:.2} ms / {p95:.2} ms | {candidates:.1} | {whole_median:.0} ms |"
        );
    }
    db.close().await.ok();
    admin
        .execute_unprepared(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .await
        .expect("drop database");
}

/// How many stored questions share a bucket with a fresh question, on average.
async fn mean_candidates(db: &DatabaseConnection, topic_id: i64, generator: &mut Generator) -> f64 {
    let mut total = 0usize;
    for _ in 0..50 {
        let (stem, options) = generator.question();
        let rows: Vec<i64> = question_bucket::Entity::find()
            .select_only()
            .column(question_bucket::Column::QuestionId)
            .distinct()
            .filter(question_bucket::Column::TopicId.eq(topic_id))
            .filter(question_bucket::Column::Bucket.is_in(buckets_of(&stem, &options)))
            .into_tuple()
            .all(db)
            .await
            .expect("candidates");
        total += rows.len();
    }
    total as f64 / 50.0
}

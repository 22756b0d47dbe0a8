//! The duplicate check that stays flat as a topic grows: each stored question keeps its
//! MinHash signature as LSH buckets (`BANDS` bands of `ROWS` hashes), and a new question is
//! compared exactly (content hash, shingle similarity) only with the questions that share
//! a bucket with it or its content hash.
//!
//! Two questions with similarity `s` share at least one bucket with probability
//! `1 - (1 - s^ROWS)^BANDS`: for the near-duplicate threshold 0.8 that misses one pair in
//! 2 × 10⁷ (and fewer above it), while two unrelated questions (s ≈ 0.1) become candidates
//! once in 300. The verdict itself is the exact comparison, so a candidate never makes a
//! false duplicate. The hashes are fixed functions (FNV-1a and the SplitMix64 finaliser
//! with constant seeds): stored buckets stay valid across processes and releases.
use super::dedup::{content_hash, fingerprint_text, shingles, similarity, NEAR_DUPLICATE};
use crate::entities::columns::OptionList;
use crate::entities::{question, question_bucket};
use crate::error::AppError;
use sea_orm::sea_query::{OnConflict, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    QuerySelect, Select,
};
use std::collections::HashSet;

pub const BANDS: usize = 32;
pub const ROWS: usize = 4;
const HASHES: usize = BANDS * ROWS;

/// FNV-1a, 64-bit.
fn stable_hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The SplitMix64 finaliser: a fixed, well-mixing permutation of `u64`.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// The minimum of each of `HASHES` hash functions over the shingles.
pub fn signature(shingles: &HashSet<String>) -> [u64; HASHES] {
    let mut signature = [u64::MAX; HASHES];
    for shingle in shingles {
        let base = stable_hash(shingle);
        for (i, slot) in signature.iter_mut().enumerate() {
            let hashed = mix(base ^ mix(i as u64));
            *slot = (*slot).min(hashed);
        }
    }
    signature
}

/// One bucket per band: a hash of the band's number and its `ROWS` minimums.
pub fn buckets(signature: &[u64; HASHES]) -> [i64; BANDS] {
    let mut buckets = [0i64; BANDS];
    for (band, bucket) in buckets.iter_mut().enumerate() {
        let rows = &signature[band * ROWS..(band + 1) * ROWS];
        let hashed = rows
            .iter()
            .fold(mix(band as u64 ^ 0x5bd1_e995), |h, row| mix(h ^ row));
        *bucket = hashed as i64;
    }
    buckets
}

/// The buckets of a question's text.
pub fn buckets_of(stem: &str, options: &[String]) -> [i64; BANDS] {
    buckets(&signature(&shingles(&fingerprint_text(stem, options))))
}

/// Today's rule, exactly: the same content hash, or shingle similarity at the threshold.
pub fn same_question(
    new: (&str, &HashSet<String>),
    stored_hash: &str,
    stored_stem: &str,
    stored_options: &[String],
) -> bool {
    let (new_hash, new_shingles) = new;
    new_hash == stored_hash
        || similarity(
            new_shingles,
            &shingles(&fingerprint_text(stored_stem, stored_options)),
        ) >= NEAR_DUPLICATE
}

/// A question's bucket rows, one per band.
pub fn bucket_rows(
    question_id: i64,
    topic_id: i64,
    stem: &str,
    options: &[String],
) -> impl Iterator<Item = question_bucket::ActiveModel> {
    buckets_of(stem, options)
        .into_iter()
        .enumerate()
        .map(move |(band, bucket)| question_bucket::ActiveModel {
            question_id: Set(question_id),
            band: Set(band as i16),
            topic_id: Set(topic_id),
            bucket: Set(bucket),
        })
}

/// Stores (or replaces) a question's buckets.
pub async fn index(
    db: &impl ConnectionTrait,
    question_id: i64,
    topic_id: i64,
    stem: &str,
    options: &[String],
) -> Result<(), DbErr> {
    let rows = bucket_rows(question_id, topic_id, stem, options);
    question_bucket::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::columns([
                question_bucket::Column::QuestionId,
                question_bucket::Column::Band,
            ])
            .update_columns([
                question_bucket::Column::TopicId,
                question_bucket::Column::Bucket,
            ])
            .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Indexes every question that has no buckets yet (rows from before the table existed, or
/// written by an older release); run at start. Returns how many it indexed.
pub async fn index_missing(db: &impl ConnectionTrait) -> Result<usize, DbErr> {
    let indexed = Query::select()
        .column(question_bucket::Column::QuestionId)
        .from(question_bucket::Entity)
        .to_owned();
    let missing: Vec<(i64, i64, String, OptionList)> = question::Entity::find()
        .select_only()
        .columns([
            question::Column::Id,
            question::Column::TopicId,
            question::Column::Stem,
            question::Column::Options,
        ])
        .filter(question::Column::Id.not_in_subquery(indexed))
        .into_tuple()
        .all(db)
        .await?;
    for (id, topic_id, stem, options) in &missing {
        index(db, *id, *topic_id, stem, &options.0).await?;
    }
    Ok(missing.len())
}

/// Whether the topic already has this question or a near-duplicate of it: the questions
/// sharing a bucket, then those and any with the same content hash, compared exactly.
pub async fn has_duplicate(
    db: &impl ConnectionTrait,
    topic_id: i64,
    stem: &str,
    options: &[String],
) -> Result<bool, AppError> {
    let hash = content_hash(stem, options);
    let new_shingles = shingles(&fingerprint_text(stem, options));
    let buckets = buckets(&signature(&new_shingles));
    // Two index lookups (an `OR` with a subquery would make the planner scan the topic).
    let sharing_a_bucket: Vec<i64> = question_bucket::Entity::find()
        .select_only()
        .column(question_bucket::Column::QuestionId)
        .distinct()
        .filter(question_bucket::Column::TopicId.eq(topic_id))
        .filter(question_bucket::Column::Bucket.is_in(buckets))
        .into_tuple()
        .all(db)
        .await?;
    let candidates = question::Entity::find()
        .filter(question::Column::TopicId.eq(topic_id))
        .filter(
            Condition::any()
                .add(question::Column::ContentHash.eq(hash.as_str()))
                .add(question::Column::Id.is_in(sharing_a_bucket)),
        );
    Ok(any_same(db, candidates, &hash, &new_shingles).await?)
}

/// Whether any question `stored` selects is the same as the new one by today's rule.
pub async fn any_same(
    db: &impl ConnectionTrait,
    stored: Select<question::Entity>,
    new_hash: &str,
    new_shingles: &HashSet<String>,
) -> Result<bool, DbErr> {
    let rows: Vec<(String, String, OptionList)> = stored
        .select_only()
        .columns([
            question::Column::ContentHash,
            question::Column::Stem,
            question::Column::Options,
        ])
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.iter().any(|(stored_hash, stored_stem, stored_options)| {
        same_question(
            (new_hash, new_shingles),
            stored_hash,
            stored_stem,
            &stored_options.0,
        )
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_fixed_functions_of_the_text() {
        let a = buckets_of("Pick one", &["a".into(), "b".into()]);
        let b = buckets_of("pick   ONE", &["a".into(), "b".into()]);
        assert_eq!(a, b, "normalised text, same buckets");
        // Pinned: a change to the hashing would strand every stored bucket.
        assert_eq!(stable_hash("abc"), 0xe71f_a219_0541_574b);
        assert_eq!(mix(0), 0xe220_a839_7b1d_cdaf);
    }

    #[test]
    fn near_duplicates_share_a_bucket_and_unrelated_questions_rarely_do() {
        let base = "What is the worst-case time complexity of quicksort on an already sorted array with a first-element pivot and no randomisation at all?";
        let reworded = "What is the worst-case time complexity of quicksort on an already sorted array with a first-element pivot and no randomization at all?";
        let options: Vec<String> = vec!["O(n)".into(), "O(n log n)".into()];
        let a = buckets_of(base, &options);
        let b = buckets_of(reworded, &options);
        assert!(a.iter().zip(&b).any(|(x, y)| x == y));
        let other = buckets_of(
            "Which data structure gives O(1) average lookup by key?",
            &["hash map".into(), "list".into()],
        );
        assert!(a.iter().zip(&other).all(|(x, y)| x != y));
    }
}

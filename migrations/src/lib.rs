//! Dated schema migrations, run at start-up on both Postgres and SQLite.
pub use sea_orm_migration::prelude::*;

mod m20261122_000001_create_accounts;
mod m20261122_000002_create_questions;
mod m20261122_000003_create_challenges;
mod m20261122_000004_generation;
mod m20261122_000005_quota;
mod m20261122_000006_pool_and_jobs;
mod m20261201_000007_llm_call_reply_model;
mod m20261201_000008_hardening;
mod m20261202_000009_dedup_and_history;
mod m20261202_000010_stats_index;
mod m20261202_000011_user_topics;
mod m20261202_000012_quizzes;
mod m20261203_000013_review_and_notes;
pub mod m20261206_000014_time_zones;
mod m20261206_000015_session_devices;
mod m20261207_000016_external_logins;
mod m20261207_000017_study_plans;
mod m20261207_000018_analytics_indexes;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_create_accounts::Migration),
            Box::new(m20261122_000002_create_questions::Migration),
            Box::new(m20261122_000003_create_challenges::Migration),
            Box::new(m20261122_000004_generation::Migration),
            Box::new(m20261122_000005_quota::Migration),
            Box::new(m20261122_000006_pool_and_jobs::Migration),
            Box::new(m20261201_000007_llm_call_reply_model::Migration),
            Box::new(m20261201_000008_hardening::Migration),
            Box::new(m20261202_000009_dedup_and_history::Migration),
            Box::new(m20261202_000010_stats_index::Migration),
            Box::new(m20261202_000011_user_topics::Migration),
            Box::new(m20261202_000012_quizzes::Migration),
            Box::new(m20261203_000013_review_and_notes::Migration),
            Box::new(m20261206_000014_time_zones::Migration),
            Box::new(m20261206_000015_session_devices::Migration),
            Box::new(m20261207_000016_external_logins::Migration),
            Box::new(m20261207_000017_study_plans::Migration),
            Box::new(m20261207_000018_analytics_indexes::Migration),
        ]
    }
}

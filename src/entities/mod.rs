//! SeaORM entities, one per table (see `migrations/` for the schema).
pub mod challenge;
pub mod columns;
pub mod job;
pub mod llm_call;
pub mod note;
pub mod pool_entry;
pub mod question;
pub mod question_bucket;
pub mod quiz;
pub mod quiz_item;
pub mod quota_usage;
pub mod review_card;
pub mod review_log;
pub mod session;
pub mod topic;
pub mod user;
pub mod user_topic;

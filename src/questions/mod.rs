//! Questions (server only): the schema every question must satisfy, the curated bank,
//! markdown rendering of untrusted text, and the normalisation used for deduplication.
pub mod bank;
pub mod dedup;
pub mod markdown;
pub mod schema;

//! Questions (server only): the schema every question must satisfy, strict parsing of a
//! model's reply into it, the curated bank, storing questions, markdown rendering of
//! untrusted text with its code highlighted, and deduplication (normalisation, and the stored fingerprints that keep
//! a check to a few candidates).
pub mod bank;
pub mod dedup;
pub mod fingerprint;
pub mod highlight;
pub mod markdown;
pub mod parse;
pub mod schema;
pub mod store;

//! Every integration test in one binary (one link of the app instead of one per file).
//! Each module is one area; `common` holds the fixtures: a fresh database per test on
//! SQLite and on Postgres, the assembled app over HTTP, and a local OpenAI-compatible
//! upstream.
#[macro_use]
mod common;

mod access;
mod admin;
mod ai_http;
mod bank;
mod cost;
mod dedup;
mod external_login;
mod fixtures;
mod generation;
mod hardening;
mod http;
mod jobs;
mod llm_gateway;
mod plan;
mod progress;
mod quiz;
mod quota;
mod real_llm;
mod repository;
mod review;
mod settings;
mod topics;
mod transfer;
mod webhook;

use crate::config::Config;
use crate::llm::Provider;
use crate::ops::Metrics;
use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use sea_orm::DatabaseConnection;
use std::sync::Arc;

/// Shared by every request; provided to server functions as context. Cloned dozens of
/// times per request (axum clones each route's handler with its state), so a clone is one
/// reference count.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

pub struct Shared {
    pub leptos_options: LeptosOptions,
    pub db: DatabaseConnection,
    pub config: Arc<Config>,
    pub metrics: Arc<Metrics>,
    /// `None` is bank mode (no model configured).
    pub llm: Option<Arc<dyn Provider>>,
    /// Wakes the job worker when a job is queued.
    pub jobs_wake: Arc<tokio::sync::Notify>,
    /// The topic list, the same for every learner.
    pub topics: Arc<crate::challenge::server::TopicCache>,
    /// Beaten by the runtime every second; read by `/healthz` and the watchdog.
    pub heartbeat: Arc<crate::watchdog::Heartbeat>,
    /// Talks to external sign-in providers (follows no redirects).
    pub auth_http: reqwest::Client,
}

impl AppState {
    pub fn new(shared: Shared) -> Self {
        AppState(Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

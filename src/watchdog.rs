//! Liveness watchdog and request deadlines.
//!
//! A task on the async runtime beats a heartbeat every second. A plain OS thread, outside
//! the runtime, checks it: when every worker is blocked (a deadlock, or blocking work on
//! the runtime) the heartbeat stops, and the thread logs why and exits the process so its
//! supervisor starts a fresh one. A frozen runtime cannot fire its own timers, which is
//! why the check lives on a thread of its own.
//!
//! Request deadlines cover the other failure: a single response whose render lost its
//! wake-up. Every request except the streamed generation endpoint must finish within
//! `REQUEST_TIMEOUT_SECS`, else it is answered with 503.
//!
//! Such a request also runs to its end (or its deadline) when the client goes away: it runs
//! as a task of its own. Cancelling a render half-way tears its reactive owner down on one
//! worker while its effects may still run on the other, which Leptos does not guard against
//! (they panic on disposed values); and a server function's writes are never cut off
//! half-way. The streamed generation endpoint is the exception: there a client that leaves
//! must stop the work and the model call.
use crate::error::server::{html_attribute, page_response};
use crate::error::AppError;
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tracing::Instrument;

/// Exit status when the watchdog ends the process (EX_SOFTWARE).
pub const STALLED_EXIT_CODE: i32 = 70;
/// Paths whose responses stream for as long as their own timeouts allow.
const STREAMING_PATHS: [&str; 1] = ["/api/challenge/generate"];
/// What a client is told to wait after a deadline passed.
const RETRY_AFTER_SECS: u64 = 5;

/// When the runtime last ran its heartbeat task.
pub struct Heartbeat {
    epoch: Instant,
    last_beat_ms: AtomicU64,
}

impl Heartbeat {
    /// Starts beating on the current tokio runtime, once a second.
    pub fn spawn() -> Arc<Heartbeat> {
        let heartbeat = Arc::new(Heartbeat {
            epoch: Instant::now(),
            last_beat_ms: AtomicU64::new(0),
        });
        let beating = heartbeat.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                beating.beat();
            }
        });
        heartbeat
    }

    fn beat(&self) {
        let now = self.epoch.elapsed().as_millis() as u64;
        self.last_beat_ms.store(now, Ordering::Relaxed);
    }

    /// Time since the last beat.
    pub fn age(&self) -> Duration {
        let now = self.epoch.elapsed().as_millis() as u64;
        Duration::from_millis(now.saturating_sub(self.last_beat_ms.load(Ordering::Relaxed)))
    }
}

/// Starts the OS thread that ends the process when the heartbeat is older than `limit`.
pub fn supervise(heartbeat: Arc<Heartbeat>, limit: Duration) {
    let check_every = (limit / 4).min(Duration::from_secs(1));
    let spawned = std::thread::Builder::new()
        .name("watchdog".into())
        .spawn(move || loop {
            std::thread::sleep(check_every);
            let age = heartbeat.age();
            if age > limit {
                let message = format!(
                    "watchdog: the async runtime has not run for {:.1} s (limit {} s): every \
                     worker thread is blocked (a deadlock, or blocking work on the runtime); \
                     exiting with status {STALLED_EXIT_CODE} so the supervisor restarts the process",
                    age.as_secs_f64(),
                    limit.as_secs()
                );
                tracing::error!("{message}");
                eprintln!("promptedcode: {message}");
                std::process::exit(STALLED_EXIT_CODE);
            }
        });
    if let Err(err) = spawned {
        tracing::error!(%err, "cannot start the watchdog thread; running without it");
    }
}

/// Middleware: every non-streaming request finishes within `REQUEST_TIMEOUT_SECS`.
pub async fn request_deadline(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    if STREAMING_PATHS.contains(&path.as_str()) {
        return next.run(request).await;
    }
    let target = request
        .uri()
        .path_and_query()
        .map_or_else(|| path.clone(), |p| p.as_str().to_owned());
    let limit = state.config.request_timeout;
    let run = tokio::time::timeout(limit, next.run(request)).instrument(tracing::Span::current());
    match tokio::spawn(run).await {
        Ok(Ok(response)) => response,
        Err(failed) => {
            tracing::error!(path, error = %failed, "request task failed");
            AppError::Internal.into_response()
        }
        Ok(Err(_)) => {
            state.metrics.deadline_passed();
            tracing::error!(
                path,
                limit_secs = limit.as_secs(),
                "request deadline passed; answered 503"
            );
            deadline_response(&path, &target)
        }
    }
}

/// 503 in the shape the caller reads: the typed error for server functions, a page for
/// everything else.
fn deadline_response(path: &str, target: &str) -> Response {
    let error = AppError::Unavailable {
        retry_after_secs: RETRY_AFTER_SECS,
    };
    if path.starts_with("/api/") {
        return error.into_response();
    }
    let page = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" \
         content=\"width=device-width, initial-scale=1\"><title>Try again · PromptedCode</title>\
         </head><body><main><h1>That took too long</h1><p>{error}</p><p><a href=\"{path}\">Try again</a> \
         or go <a href=\"/\">back to the start</a>.</p></main></body></html>",
        path = html_attribute(target),
    );
    page_response(&error, page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_heartbeat_beats_on_a_live_runtime() {
        let heartbeat = Heartbeat::spawn();
        tokio::time::sleep(Duration::from_millis(2300)).await;
        assert!(
            heartbeat.age() < Duration::from_millis(1500),
            "{:?}",
            heartbeat.age()
        );
    }

    #[test]
    fn the_retry_link_cannot_break_out_of_its_attribute() {
        assert_eq!(html_attribute("/a\"><script>"), "/a%22%3E%3Cscript%3E");
    }
}

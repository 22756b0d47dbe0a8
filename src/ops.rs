//! Operations: health, readiness and Prometheus metrics.
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Instant;

/// Upper bounds of the latency histogram, in seconds.
const BUCKETS: [f64; 10] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

#[derive(Default)]
pub struct Metrics {
    /// By status class: 1xx..5xx.
    responses: [AtomicU64; 5],
    latency_buckets: [AtomicU64; BUCKETS.len()],
    latency_count: AtomicU64,
    latency_sum_micros: AtomicU64,
    challenges_served: AtomicU64,
    answers_correct: AtomicU64,
    answers_wrong: AtomicU64,
    deadlines_passed: AtomicU64,
    /// Statements sent to the database (counted by the connection).
    pub db_queries: std::sync::Arc<AtomicU64>,
}

impl Metrics {
    pub fn observe(&self, status: StatusCode, seconds: f64) {
        let class = (status.as_u16() / 100).clamp(1, 5) as usize - 1;
        self.responses[class].fetch_add(1, Relaxed);
        for (bound, bucket) in BUCKETS.iter().zip(&self.latency_buckets) {
            if seconds <= *bound {
                bucket.fetch_add(1, Relaxed);
            }
        }
        self.latency_count.fetch_add(1, Relaxed);
        self.latency_sum_micros
            .fetch_add((seconds * 1e6) as u64, Relaxed);
    }

    pub fn challenge_served(&self) {
        self.challenges_served.fetch_add(1, Relaxed);
    }

    pub fn answer_recorded(&self, correct: bool) {
        if correct {
            self.answers_correct.fetch_add(1, Relaxed);
        } else {
            self.answers_wrong.fetch_add(1, Relaxed);
        }
    }

    pub fn deadline_passed(&self) {
        self.deadlines_passed.fetch_add(1, Relaxed);
    }

    pub fn render(&self) -> String {
        let mut out = String::with_capacity(2048);
        out.push_str("# HELP http_responses_total HTTP responses by status class.\n# TYPE http_responses_total counter\n");
        for (i, count) in self.responses.iter().enumerate() {
            let _ = writeln!(
                out,
                "http_responses_total{{class=\"{}xx\"}} {}",
                i + 1,
                count.load(Relaxed)
            );
        }
        out.push_str("# HELP http_request_duration_seconds Time to produce a response.\n# TYPE http_request_duration_seconds histogram\n");
        for (bound, bucket) in BUCKETS.iter().zip(&self.latency_buckets) {
            let _ = writeln!(
                out,
                "http_request_duration_seconds_bucket{{le=\"{bound}\"}} {}",
                bucket.load(Relaxed)
            );
        }
        let count = self.latency_count.load(Relaxed);
        let _ = writeln!(
            out,
            "http_request_duration_seconds_bucket{{le=\"+Inf\"}} {count}"
        );
        let _ = writeln!(
            out,
            "http_request_duration_seconds_sum {}",
            self.latency_sum_micros.load(Relaxed) as f64 / 1e6
        );
        let _ = writeln!(out, "http_request_duration_seconds_count {count}");
        out.push_str("# HELP challenges_served_total Challenges served to users.\n# TYPE challenges_served_total counter\n");
        let _ = writeln!(
            out,
            "challenges_served_total {}",
            self.challenges_served.load(Relaxed)
        );
        out.push_str(
            "# HELP answers_total Answers recorded, by result.\n# TYPE answers_total counter\n",
        );
        let _ = writeln!(
            out,
            "answers_total{{result=\"correct\"}} {}",
            self.answers_correct.load(Relaxed)
        );
        let _ = writeln!(
            out,
            "answers_total{{result=\"wrong\"}} {}",
            self.answers_wrong.load(Relaxed)
        );
        out.push_str("# HELP db_queries_total Statements sent to the database.\n# TYPE db_queries_total counter\n");
        let _ = writeln!(out, "db_queries_total {}", self.db_queries.load(Relaxed));
        out.push_str("# HELP request_deadlines_passed_total Requests answered 503 because their deadline passed.\n# TYPE request_deadlines_passed_total counter\n");
        let _ = writeln!(
            out,
            "request_deadlines_passed_total {}",
            self.deadlines_passed.load(Relaxed)
        );
        out
    }
}

pub async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let is_metrics = request.uri().path() == "/metrics";
    let response = next.run(request).await;
    if !is_metrics {
        state
            .metrics
            .observe(response.status(), started.elapsed().as_secs_f64());
    }
    response
}

/// Liveness: answers while the runtime runs, with the age of its heartbeat.
pub async fn healthz(State(state): State<AppState>) -> Response {
    let age_ms = state.heartbeat.age().as_millis() as u64;
    axum::Json(serde_json::json!({ "status": "ok", "heartbeat_age_ms": age_ms })).into_response()
}

/// Ready when the database is. A model server refusing our configuration (bad key,
/// unknown model) does not make the app unready (the bank still serves) but is named here
/// for operators, as it is in the log.
pub async fn readyz(State(state): State<AppState>) -> Response {
    if let Err(reason) = crate::db::ready(&state.db).await {
        return (StatusCode::SERVICE_UNAVAILABLE, reason.as_str()).into_response();
    }
    match state.llm.as_ref().and_then(|llm| llm.config_fault()) {
        Some(fault) => (
            StatusCode::OK,
            format!("ready; AI generation is misconfigured: {fault}"),
        )
            .into_response(),
        None => (StatusCode::OK, "ready").into_response(),
    }
}

/// Whether the request carries `Authorization: Bearer <token>`, compared in constant time.
fn has_bearer(headers: &axum::http::HeaderMap, token: &str) -> bool {
    let Some(given) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    else {
        return false;
    };
    let (given, token) = (given.trim().as_bytes(), token.as_bytes());
    given.len() == token.len()
        && given
            .iter()
            .zip(token)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

/// Prometheus text, for `Authorization: Bearer $METRICS_TOKEN` only; without a configured
/// token the endpoint does not exist (404).
pub async fn metrics(State(state): State<AppState>, headers: axum::http::HeaderMap) -> Response {
    let Some(token) = &state.config.metrics_token else {
        return crate::error::AppError::NotFound("Page".into()).into_response();
    };
    if !has_bearer(&headers, token.expose()) {
        let mut response = crate::error::AppError::Unauthorized.into_response();
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            axum::http::HeaderValue::from_static("Bearer"),
        );
        return response;
    }
    let mut text = state.metrics.render();
    text.push_str("# HELP runtime_heartbeat_age_seconds Time since the async runtime last ran its heartbeat.\n# TYPE runtime_heartbeat_age_seconds gauge\n");
    let _ = writeln!(
        text,
        "runtime_heartbeat_age_seconds {:.3}",
        state.heartbeat.age().as_secs_f64()
    );
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_prometheus_text() {
        let m = Metrics::default();
        m.observe(StatusCode::OK, 0.003);
        m.observe(StatusCode::NOT_FOUND, 0.2);
        m.challenge_served();
        m.answer_recorded(true);
        let text = m.render();
        assert!(
            text.contains("http_responses_total{class=\"2xx\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("http_responses_total{class=\"4xx\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("http_request_duration_seconds_bucket{le=\"0.005\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("http_request_duration_seconds_bucket{le=\"0.25\"} 2"),
            "{text}"
        );
        assert!(
            text.contains("http_request_duration_seconds_count 2"),
            "{text}"
        );
        assert!(text.contains("challenges_served_total 1"), "{text}");
        assert!(
            text.contains("answers_total{result=\"correct\"} 1"),
            "{text}"
        );
    }
}

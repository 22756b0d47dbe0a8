//! `POST /api/challenge/generate`: AI generation as server-sent events. Validation, login
//! and quota are checked first and answered with their own HTTP status; after that the
//! response streams `GenerationEvent`s (stages, the visible text, then `done` or `failed`).
//! Closing the connection cancels the work: the task is aborted, which drops the upstream
//! request, and the reserved quota unit is given back. A comment line every few seconds
//! keeps proxies from timing out and notices a closed connection in the quiet stages.
use super::pipeline::Progress;
use super::serve;
use crate::auth::server::session;
use crate::error::AppError;
use crate::generation::model::{GenerateRequest, GenerationEvent};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use std::convert::Infallible;
use std::time::Duration;

/// Aborts the generation task when the response stream is dropped.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

pub async fn generate(
    State(state): State<AppState>,
    once: Option<Extension<session::SessionOnce>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let started = async {
        let user = session::caller(&state, &headers, once.as_deref())
            .await?
            .ok_or(AppError::Unauthorized)?
            .id;
        let request: GenerateRequest = serde_json::from_slice(&body)
            .map_err(|e| AppError::BadRequest(format!("Invalid request: {e}")))?;
        let (parsed, charge) = serve::begin(&state, user, &request).await?;
        Ok::<_, AppError>((user, parsed, charge))
    }
    .await;
    let (user, parsed, charge) = match started {
        Ok(started) => started,
        Err(err) => return err.into_response(),
    };

    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let task = tokio::spawn(async move {
        let progress = Progress::to(tx.clone());
        let last = match serve::run(&state, user, parsed, charge, &progress).await {
            Ok(done) => done,
            // `run` has given the unit back before it reports a failure.
            Err(error) => GenerationEvent::Failed {
                error,
                charged: false,
            },
        };
        let _ = tx.send(last);
    });
    let guard = AbortOnDrop(task);
    let events = futures_util::stream::poll_fn(move |cx| {
        let _keep = &guard;
        rx.poll_recv(cx).map(|event| {
            event.map(|event| {
                let data = serde_json::to_string(&event).expect("events serialise");
                Ok::<_, Infallible>(Event::default().data(data))
            })
        })
    });
    Sse::new(events)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(5)))
        .into_response()
}

//! The browser side of AI generation: `POST /api/challenge/generate` with `fetch`, reading
//! the server-sent events as they arrive. `Generation::cancel` aborts the request, which
//! closes the connection, and the server stops the upstream call.
use super::hook::RunUpdate;
use super::model::{GenerateRequest, GenerationEvent};
use crate::error::AppError;
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal, ReadableStreamDefaultReader, RequestInit, Response};

pub struct Generation {
    controller: AbortController,
}

impl Generation {
    pub fn cancel(&self) {
        self.controller.abort();
    }
}

fn unreachable(message: &str) -> RunUpdate {
    RunUpdate::Refused(AppError::Network(message.to_owned()))
}

pub fn start(
    request: &GenerateRequest,
    on_update: impl Fn(RunUpdate) + 'static,
) -> Option<Generation> {
    let controller = AbortController::new().ok()?;
    let on_update: Rc<dyn Fn(RunUpdate)> = Rc::new(on_update);
    wasm_bindgen_futures::spawn_local(stream(request.clone(), controller.signal(), on_update));
    Some(Generation { controller })
}

/// The streaming code is its own chunk: only a learner who generates fetches it.
#[leptos::lazy]
async fn stream(request: GenerateRequest, signal: AbortSignal, on_update: Rc<dyn Fn(RunUpdate)>) {
    let outcome = match send(&request, &signal) {
        Ok(pending) => read(pending, &*on_update).await,
        Err(error) => Err(error),
    };
    match outcome {
        Ok(true) => {}
        Ok(false) => on_update(unreachable(
            "the connection closed before the question was ready. Try again.",
        )),
        Err(_) if signal.aborted() => on_update(RunUpdate::Cancelled),
        Err(_) => on_update(unreachable("check your connection and try again.")),
    }
}

fn send(request: &GenerateRequest, signal: &AbortSignal) -> Result<js_sys::Promise, JsValue> {
    let window = web_sys::window().ok_or("no window")?;
    let init = RequestInit::new();
    init.set_method("POST");
    let body = serde_json::to_string(request).map_err(|e| e.to_string())?;
    init.set_body(&JsValue::from_str(&body));
    init.set_signal(Some(signal));
    init.set_credentials(web_sys::RequestCredentials::SameOrigin);
    let headers = web_sys::Headers::new()?;
    headers.set("content-type", "application/json")?;
    headers.set("accept", "text/event-stream")?;
    init.set_headers(&headers);
    Ok(window.fetch_with_str_and_init("/api/challenge/generate", &init))
}

/// Reads the response; `Ok(true)` once a final event (`done` or `failed`) was delivered.
async fn read(pending: js_sys::Promise, on_update: &dyn Fn(RunUpdate)) -> Result<bool, JsValue> {
    let response: Response = JsFuture::from(pending).await?.dyn_into()?;
    if !response.ok() {
        let status = response.status();
        let text = JsFuture::from(response.text()?)
            .await?
            .as_string()
            .unwrap_or_default();
        // Every error body is an `AppError`; anything else came from a proxy in between.
        let error = serde_json::from_slice::<AppError>(text.as_bytes())
            .unwrap_or_else(|_| AppError::Network(format!("the server answered {status}")));
        on_update(RunUpdate::Refused(error));
        return Ok(true);
    }
    let Some(body) = response.body() else {
        return Ok(false);
    };
    let reader: ReadableStreamDefaultReader = body.get_reader().dyn_into()?;
    let decoder = web_sys::TextDecoder::new()?;
    let options = web_sys::TextDecodeOptions::new();
    options.set_stream(true);
    let mut buffer = String::new();
    loop {
        let chunk = JsFuture::from(reader.read()).await?;
        if js_sys::Reflect::get(&chunk, &"done".into())?.is_truthy() {
            return Ok(false);
        }
        let bytes: js_sys::Uint8Array =
            js_sys::Reflect::get(&chunk, &"value".into())?.dyn_into()?;
        buffer.push_str(&decoder.decode_with_js_u8_array_and_options(&bytes, &options)?);
        while let Some(end) = buffer.find("\n\n") {
            let frame: String = buffer.drain(..end + 2).collect();
            for line in frame.lines() {
                let Some(data) = line.strip_prefix("data:") else {
                    continue;
                };
                let Ok(event) =
                    serde_json::from_slice::<GenerationEvent>(data.trim_start().as_bytes())
                else {
                    continue;
                };
                let last = matches!(
                    event,
                    GenerationEvent::Done { .. } | GenerationEvent::Failed { .. }
                );
                on_update(RunUpdate::Event(event));
                if last {
                    let _ = reader.cancel();
                    return Ok(true);
                }
            }
        }
    }
}

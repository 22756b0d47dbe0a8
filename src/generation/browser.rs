//! The browser side of AI generation: `POST /api/challenge/generate` with `fetch`, reading
//! the server-sent events as they arrive. `Generation::cancel` aborts the request, which
//! closes the connection, and the server stops the upstream call.
use super::hook::RunUpdate;
use super::model::{GenerateRequest, GenerationEvent};
use crate::error::AppError;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, ReadableStreamDefaultReader, RequestInit, Response};

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
    let window = web_sys::window()?;
    let controller = AbortController::new().ok()?;
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_body(&JsValue::from_str(
        &serde_json::to_string(request).expect("request serialises"),
    ));
    init.set_signal(Some(&controller.signal()));
    init.set_credentials(web_sys::RequestCredentials::SameOrigin);
    let headers = web_sys::Headers::new().ok()?;
    headers.set("content-type", "application/json").ok()?;
    headers.set("accept", "text/event-stream").ok()?;
    init.set_headers(&headers);
    let pending = window.fetch_with_str_and_init("/api/challenge/generate", &init);
    let signal = controller.signal();

    wasm_bindgen_futures::spawn_local(async move {
        let outcome = read(pending, &on_update).await;
        match outcome {
            Ok(true) => {}
            Ok(false) => on_update(unreachable(
                "the connection closed before the question was ready. Try again.",
            )),
            Err(_) if signal.aborted() => on_update(RunUpdate::Cancelled),
            Err(_) => on_update(unreachable("check your connection and try again.")),
        }
    });
    Some(Generation { controller })
}

/// Reads the response; `Ok(true)` once a final event (`done` or `failed`) was delivered.
async fn read(pending: js_sys::Promise, on_update: &impl Fn(RunUpdate)) -> Result<bool, JsValue> {
    let response: Response = JsFuture::from(pending).await?.dyn_into()?;
    if !response.ok() {
        let status = response.status();
        let text = JsFuture::from(response.text()?)
            .await?
            .as_string()
            .unwrap_or_default();
        // Every error body is an `AppError`; anything else came from a proxy in between.
        let error = serde_json::from_str::<AppError>(&text)
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
                let Ok(event) = serde_json::from_str::<GenerationEvent>(data.trim_start()) else {
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

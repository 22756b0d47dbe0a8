//! Request bodies are checked once, before any handler reads them: too large is 413;
//! a form or JSON body that is not UTF-8, or has a NUL character in a value, is 400 naming
//! the field. So no server function ever decodes such input (it used to answer 500), and
//! nothing reaches a database that would refuse it (Postgres rejects NUL in text).
use crate::error::{AppError, FieldProblem};
use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{header, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;

/// The largest body any route accepts: forms and generation requests are a few hundred
/// bytes; the longest field (a 128-character password, a 200-character focus) is far below.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The body limit of a path: `MAX_BODY_BYTES`, but an import file may be larger.
fn limit_for(path: &str) -> usize {
    if path == "/settings/import" {
        crate::settings::transfer::IMPORT_MAX_BYTES
    } else {
        MAX_BODY_BYTES
    }
}

pub async fn guard_body(request: Request, next: Next) -> Response {
    if matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(request).await;
    }
    let limit = limit_for(request.uri().path());
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > DRAINED_BYTES as u64) {
        return too_large(limit).into_response();
    }
    // A declared size under the drain bound but over the limit is read to its end below.
    let (parts, body) = request.into_parts();
    let mut body = body.into_data_stream();
    let mut bytes = Vec::new();
    while let Some(chunk) = body.next().await {
        let Ok(chunk) = chunk else {
            return AppError::BadRequest("The request body could not be read.".into())
                .into_response();
        };
        if bytes.len() + chunk.len() > limit {
            drain(body).await;
            return too_large(limit).into_response();
        }
        bytes.extend_from_slice(&chunk);
    }
    let bytes = Bytes::from(bytes);
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if let Err(error) = check(content_type, &bytes) {
        return error.into_response();
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// An oversized body is still read (and thrown away) up to this much, briefly, so that the
/// client, still sending, gets to read the 413 instead of a broken connection; beyond it
/// the connection is simply closed.
const DRAINED_BYTES: usize = 8 * 1024 * 1024;

async fn drain(mut body: axum::body::BodyDataStream) {
    let mut read = 0;
    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), async {
        while let Some(Ok(chunk)) = body.next().await {
            read += chunk.len();
            if read > DRAINED_BYTES {
                break;
            }
        }
    })
    .await;
}

fn too_large(limit: usize) -> AppError {
    AppError::PayloadTooLarge {
        limit_bytes: limit as u32,
    }
}

fn malformed(field: &str, message: &str) -> AppError {
    AppError::Malformed(FieldProblem {
        field: field.to_owned(),
        message: message.to_owned(),
    })
}

/// Checks a body of this content type.
pub fn check(content_type: &str, bytes: &Bytes) -> Result<(), AppError> {
    let mime = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match mime.as_str() {
        "application/x-www-form-urlencoded" => check_form(bytes),
        "application/json" => check_json(bytes),
        _ => Ok(()),
    }
}

fn check_form(bytes: &[u8]) -> Result<(), AppError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| malformed("body", "The form is not valid UTF-8 text."))?;
    for pair in text.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let name = decode_component(name).map_err(|_| {
            malformed("body", "A form field name is not valid UTF-8 text.")
        })?;
        let field = if name.contains('\0') { "body" } else { &name };
        let value = decode_component(value)
            .map_err(|_| malformed(field, "This field is not valid UTF-8 text."))?;
        if name.contains('\0') || value.contains('\0') {
            return Err(malformed(field, "This field contains a NUL character."));
        }
    }
    Ok(())
}

/// A form-urlencoded component: `+` is a space, `%XX` a byte; the bytes must be UTF-8.
fn decode_component(raw: &str) -> Result<String, std::str::Utf8Error> {
    let spaced = raw.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8()
        .map(|text| text.into_owned())
}

fn check_json(bytes: &[u8]) -> Result<(), AppError> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
        if std::str::from_utf8(bytes).is_err() {
            malformed("body", "The request is not valid UTF-8 text.")
        } else {
            malformed("body", &format!("The request is not valid JSON: {e}"))
        }
    })?;
    match nul_field(&value, "body") {
        Some(field) => Err(malformed(&field, "This field contains a NUL character.")),
        None => Ok(()),
    }
}

/// The name of the first field holding a NUL character.
fn nul_field(value: &serde_json::Value, name: &str) -> Option<String> {
    match value {
        serde_json::Value::String(s) => s.contains('\0').then(|| name.to_owned()),
        serde_json::Value::Array(items) => items.iter().find_map(|v| nul_field(v, name)),
        serde_json::Value::Object(map) => map.iter().find_map(|(k, v)| {
            if k.contains('\0') {
                Some(name.to_owned())
            } else {
                nul_field(v, k)
            }
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(body: &[u8]) -> Result<(), AppError> {
        check("application/x-www-form-urlencoded", &Bytes::copy_from_slice(body))
    }

    #[test]
    fn forms_must_be_utf8_without_nul() {
        assert!(form(b"email=a%40b.c&password=p+q&next=").is_ok());
        assert!(form("display_name=Zoë".as_bytes()).is_ok());
        assert!(form(b"a=100%").is_ok(), "a stray % is kept as typed");
        let err = form(b"email=a%00b").unwrap_err();
        assert_eq!((err.status(), err.field()), (400, Some("email")));
        let err = form(b"email=ok&password=%FF%FE").unwrap_err();
        assert_eq!((err.status(), err.field()), (400, Some("password")));
        let err = form(b"email=\xff").unwrap_err();
        assert_eq!((err.status(), err.field()), (400, Some("body")));
    }

    #[test]
    fn json_must_be_utf8_without_nul() {
        let json = |s: &[u8]| check("application/json", &Bytes::copy_from_slice(s));
        assert!(json(br#"{"topic":"stack","focus":null}"#).is_ok());
        let err = json(br#"{"topic":"st\u0000ack"}"#).unwrap_err();
        assert_eq!((err.status(), err.field()), (400, Some("topic")));
        let err = json(b"{\"topic\":\"\xff\"}").unwrap_err();
        assert_eq!((err.status(), err.field()), (400, Some("body")));
        assert_eq!(json(b"{").unwrap_err().status(), 400);
    }

    #[test]
    fn other_bodies_pass_through() {
        assert!(check("text/plain", &Bytes::from_static(b"\xff\x00")).is_ok());
    }
}

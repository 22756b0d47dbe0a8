//! The OpenAI chat-completions wire format, as typed structs: what we send, a whole reply,
//! a streamed chunk, and an error body. Fields we do not use are ignored when reading, so
//! servers that add their own (OpenRouter, vLLM, llama.cpp) still parse.
use super::{Message, Usage};
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize)]
pub struct ChatCompletionRequest<'a> {
    pub model: &'a str,
    pub messages: &'a [Message],
    pub temperature: f32,
    pub max_tokens: u32,
    pub stream: bool,
    /// Streaming only: without it OpenAI sends no usage, and the call records 0 tokens.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stream_options: Option<StreamOptions>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_format: Option<ResponseFormat>,
}

#[derive(Debug, Serialize)]
pub struct StreamOptions {
    pub include_usage: bool,
}

#[derive(Debug, Serialize)]
pub struct ResponseFormat {
    #[serde(rename = "type")]
    pub kind: &'static str,
}

impl ResponseFormat {
    pub const JSON_OBJECT: ResponseFormat = ResponseFormat {
        kind: "json_object",
    };
}

/// A whole (non-streamed) reply.
#[derive(Debug, Deserialize)]
pub struct ChatCompletion {
    #[serde(default)]
    pub model: Option<String>,
    #[serde(default)]
    pub choices: Vec<Choice>,
    #[serde(default)]
    pub usage: Option<WireUsage>,
}

#[derive(Debug, Deserialize)]
pub struct Choice {
    pub message: ChoiceMessage,
}

#[derive(Debug, Deserialize)]
pub struct ChoiceMessage {
    #[serde(default)]
    pub content: Option<String>,
}

/// One `data:` payload of a streamed reply.
#[derive(Debug, Deserialize)]
pub struct ChatCompletionChunk {
    #[serde(default)]
    pub model: Option<String>,
    #[serde(default)]
    pub choices: Vec<ChunkChoice>,
    #[serde(default)]
    pub usage: Option<WireUsage>,
    /// Some servers report a failure mid-stream as a chunk with an `error`.
    #[serde(default)]
    pub error: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
pub struct ChunkChoice {
    #[serde(default)]
    pub delta: Delta,
    #[serde(default)]
    pub finish_reason: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Delta {
    #[serde(default)]
    pub content: Option<String>,
}

#[derive(Clone, Copy, Debug, Deserialize)]
pub struct WireUsage {
    pub prompt_tokens: u32,
    pub completion_tokens: u32,
}

impl From<WireUsage> for Usage {
    fn from(u: WireUsage) -> Usage {
        Usage {
            prompt_tokens: u.prompt_tokens,
            completion_tokens: u.completion_tokens,
        }
    }
}

/// An error reply: `{"error": {"message": …, "param": …, "code": …}}`.
#[derive(Debug, Default, Deserialize)]
pub struct ErrorReply {
    #[serde(default)]
    pub error: ErrorDetail,
}

#[derive(Debug, Default, Deserialize)]
pub struct ErrorDetail {
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub param: Option<String>,
}

impl ErrorReply {
    pub fn parse(body: &str) -> ErrorReply {
        serde_json::from_str(body).unwrap_or_else(|_| ErrorReply {
            error: ErrorDetail {
                message: body.chars().take(200).collect(),
                param: None,
            },
        })
    }

    /// Whether this 400 refuses JSON mode itself (not some other field of the request
    /// that merely mentions it): the parameter it names is `response_format`, or, where a
    /// server names none, its message says `response_format` is not supported.
    pub fn refuses_json_mode(&self) -> bool {
        match self.error.param.as_deref() {
            Some(param) => param == "response_format",
            None => {
                let message = self.error.message.to_lowercase();
                message.contains("response_format")
                    && [
                        "not supported",
                        "unsupported",
                        "does not support",
                        "unknown",
                        "unrecognized",
                    ]
                    .iter()
                    .any(|phrase| message.contains(phrase))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_refusal_of_response_format_turns_json_mode_off() {
        let refusals = [
            r#"{"error":{"message":"'response_format' of type 'json_object' is not supported with this model.","param":"response_format"}}"#,
            r#"{"error":{"message":"response_format is not supported by this server"}}"#,
            r#"{"error":{"message":"Unknown field: response_format"}}"#,
        ];
        for body in refusals {
            assert!(ErrorReply::parse(body).refuses_json_mode(), "{body}");
        }
        let unrelated = [
            r#"{"error":{"message":"max_tokens is too large for response_format json_object","param":"max_tokens"}}"#,
            r#"{"error":{"message":"messages must not be empty (response_format ok)"}}"#,
            "plain text mentioning response_format",
        ];
        for body in unrelated {
            assert!(!ErrorReply::parse(body).refuses_json_mode(), "{body}");
        }
    }

    #[test]
    fn requests_carry_stream_options_only_when_streaming() {
        let messages = [Message::user("hi")];
        let streamed = ChatCompletionRequest {
            model: "m",
            messages: &messages,
            temperature: 0.0,
            max_tokens: 10,
            stream: true,
            stream_options: Some(StreamOptions {
                include_usage: true,
            }),
            response_format: Some(ResponseFormat::JSON_OBJECT),
        };
        let json = serde_json::to_value(&streamed).unwrap();
        assert_eq!(json["stream_options"]["include_usage"], true);
        assert_eq!(json["response_format"]["type"], "json_object");
        assert_eq!(json["messages"][0]["role"], "user");
        let plain = ChatCompletionRequest {
            stream: false,
            stream_options: None,
            response_format: None,
            ..streamed
        };
        let json = serde_json::to_value(&plain).unwrap();
        assert!(json.get("stream_options").is_none() && json.get("response_format").is_none());
    }
}

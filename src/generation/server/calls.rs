//! Model calls and their bookkeeping: every call is written to `llm_calls` when it ends,
//! whatever the outcome, or as "cancelled" if it is dropped midway (the learner cancelled;
//! tokens may still have been spent).
use super::pipeline::Progress;
use super::preview::Preview;
use crate::entities::llm_call;
use crate::error::AppError;
use crate::llm::{ChatRequest, Completion, LlmError, Provider, StreamEvent};
use crate::types::UserId;
use futures_util::StreamExt;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, DatabaseConnection};

/// What is written to `llm_calls` for one model call.
struct CallRecord {
    db: DatabaseConnection,
    user: Option<UserId>,
    purpose: &'static str,
    technique: String,
    /// The model asked for.
    model: String,
}

impl CallRecord {
    async fn write(&self, completion: Option<&Completion>, outcome: &str) -> Result<(), AppError> {
        let usage = completion.and_then(|c| c.usage).unwrap_or_default();
        llm_call::ActiveModel {
            user_id: Set(self.user.map(|u| u.0)),
            purpose: Set(self.purpose.to_owned()),
            model: Set(self.model.clone()),
            reply_model: Set(completion.and_then(|c| c.reply_model.clone())),
            technique: Set(self.technique.clone()),
            prompt_tokens: Set(usage.prompt_tokens as i32),
            completion_tokens: Set(usage.completion_tokens as i32),
            outcome: Set(outcome.to_owned()),
            created_at: Set(chrono::Utc::now()),
            ..Default::default()
        }
        .insert(&self.db)
        .await?;
        Ok(())
    }
}

/// One model call's bookkeeping: recorded when the call ends, whatever the outcome, or as
/// "cancelled" if it is dropped midway (the learner cancelled, tokens may still be spent).
struct CallLog(Option<CallRecord>);

impl CallLog {
    async fn finish(
        mut self,
        result: Result<Completion, LlmError>,
    ) -> Result<Completion, AppError> {
        let record = self.0.take().expect("a call is finished once");
        let outcome = match &result {
            Ok(_) => "ok",
            Err(LlmError::Timeout(_)) => "timeout",
            Err(LlmError::RateLimited { .. }) => "rate_limited",
            Err(LlmError::Unavailable(_)) => "unavailable",
            Err(LlmError::InvalidOutput(_)) => "invalid",
            Err(LlmError::Misconfigured(_)) => "misconfigured",
            Err(LlmError::TooLarge { .. }) => "too_large",
        };
        record.write(result.as_ref().ok(), outcome).await?;
        result.map_err(AppError::from)
    }
}

impl Drop for CallLog {
    fn drop(&mut self) {
        if let Some(record) = self.0.take() {
            tokio::spawn(async move {
                let _ = record.write(None, "cancelled").await;
            });
        }
    }
}

/// The model calls of one generation, each recorded in `llm_calls`.
pub struct Calls<'a> {
    pub provider: &'a dyn Provider,
    pub db: &'a DatabaseConnection,
    pub user: Option<UserId>,
}

impl Calls<'_> {
    fn log(&self, purpose: &'static str, technique: &str, request: &ChatRequest) -> CallLog {
        CallLog(Some(CallRecord {
            db: self.db.clone(),
            user: self.user,
            purpose,
            technique: technique.to_owned(),
            model: request
                .model
                .clone()
                .unwrap_or_else(|| self.provider.default_model().to_owned()),
        }))
    }

    pub async fn complete(
        &self,
        purpose: &'static str,
        technique: &str,
        request: &ChatRequest,
    ) -> Result<Completion, AppError> {
        let log = self.log(purpose, technique, request);
        log.finish(self.provider.complete(request).await).await
    }

    /// Streams the call, relaying the visible part of each piece as it arrives.
    pub async fn stream(
        &self,
        purpose: &'static str,
        technique: &str,
        request: &ChatRequest,
        progress: &Progress,
    ) -> Result<Completion, AppError> {
        let log = self.log(purpose, technique, request);
        let result = async {
            let mut stream = self.provider.stream(request).await?;
            let mut preview = Preview::default();
            while let Some(event) = stream.next().await {
                match event? {
                    StreamEvent::Delta(text) => {
                        let shown = preview.push(&text);
                        if !shown.is_empty() {
                            progress.preview(shown);
                        }
                    }
                    StreamEvent::Done(completion) => return Ok(completion),
                }
            }
            Err(LlmError::Unavailable("the stream ended early".into()))
        }
        .await;
        log.finish(result).await
    }
}

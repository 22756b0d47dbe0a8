//! `use_ai_generation`: starts, follows and cancels one AI generation from the browser.
//! The browser half lives in `browser.rs`; on the server the hook is inert (nothing is
//! generated during a render), so the components using it carry no `cfg`.
use super::model::{GenerateRequest, GenerationEvent, Stage};
use crate::error::AppError;
use crate::types::ChallengeId;
use leptos::prelude::*;

/// What the generation panel shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AiRun {
    pub running: bool,
    pub stage: Option<Stage>,
    pub preview: String,
    pub error: Option<String>,
    pub notice: Option<String>,
}

/// What the page hears about a running generation.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
pub(super) enum RunUpdate {
    Event(GenerationEvent),
    /// Refused before anything was reserved (login, validation, quota) or never reached
    /// the server: the error alone says what happened.
    Refused(AppError),
    /// The learner cancelled (the request was aborted).
    Cancelled,
}

// The browser's handle lives on its one thread; on the server there is none, and storage
// that must be dropped on its own thread would panic when a request ends elsewhere.
#[cfg(feature = "hydrate")]
type Handle = super::browser::Generation;
#[cfg(feature = "hydrate")]
type HandleStorage = LocalStorage;
#[cfg(not(feature = "hydrate"))]
type Handle = ();
#[cfg(not(feature = "hydrate"))]
type HandleStorage = SyncStorage;

#[derive(Clone, Copy)]
pub struct AiGeneration {
    run: RwSignal<AiRun>,
    /// Bumped whenever the learner's quota may have changed.
    quota_version: RwSignal<u32>,
    /// The challenge of the last generation that finished.
    ready: RwSignal<Option<ChallengeId>>,
    handle: StoredValue<Option<Handle>, HandleStorage>,
}

/// The page's AI generation. Leaving the page cancels a running one rather than paying
/// for a question nobody sees.
pub fn use_ai_generation() -> AiGeneration {
    let generation = AiGeneration {
        run: RwSignal::new(AiRun::default()),
        quota_version: RwSignal::new(0),
        ready: RwSignal::new(None),
        handle: StoredValue::new_with_storage(None),
    };
    on_cleanup(move || generation.cancel());
    generation
}

impl AiGeneration {
    pub fn run(&self) -> Signal<AiRun> {
        self.run.into()
    }

    pub fn quota_version(&self) -> Signal<u32> {
        self.quota_version.into()
    }

    pub fn ready(&self) -> Signal<Option<ChallengeId>> {
        self.ready.into()
    }

    pub fn is_running(&self) -> bool {
        self.run.with_untracked(|r| r.running)
    }

    pub fn cancel(&self) {
        #[cfg(feature = "hydrate")]
        self.handle.try_with_value(|handle| {
            if let Some(handle) = handle {
                handle.cancel();
            }
        });
    }

    /// Starts a generation unless one is running.
    pub fn start(&self, request: GenerateRequest) {
        if self.is_running() {
            return;
        }
        self.run.set(AiRun {
            running: true,
            ..AiRun::default()
        });
        let this = *self;
        let handle = self.begin(&request, move |update| this.apply(update));
        if handle.is_none() {
            self.run.set(AiRun {
                error: Some("This browser cannot stream the question.".to_owned()),
                ..AiRun::default()
            });
        }
        self.handle.set_value(handle);
    }

    #[cfg(feature = "hydrate")]
    fn begin(&self, request: &GenerateRequest, on: impl Fn(RunUpdate) + 'static) -> Option<Handle> {
        super::browser::start(request, on)
    }

    #[cfg(not(feature = "hydrate"))]
    fn begin(&self, _: &GenerateRequest, _: impl Fn(RunUpdate) + 'static) -> Option<Handle> {
        None
    }

    fn apply(&self, update: RunUpdate) {
        let finished = |run: AiRun| {
            self.run.set(run);
            self.quota_version.update(|v| *v += 1);
        };
        match update {
            RunUpdate::Event(GenerationEvent::Stage { stage }) => {
                self.run.update(|r| r.stage = Some(stage))
            }
            RunUpdate::Event(GenerationEvent::Preview { text }) => {
                self.run.update(|r| r.preview.push_str(&text))
            }
            RunUpdate::Event(GenerationEvent::Done {
                challenge_id,
                from_pool,
            }) => {
                finished(AiRun {
                    notice: from_pool.then(|| "Served at once from the ready pool.".to_owned()),
                    ..AiRun::default()
                });
                self.ready.set(Some(challenge_id));
            }
            RunUpdate::Event(GenerationEvent::Failed { error, charged }) => {
                let note = if charged { "" } else { " Nothing was charged." };
                finished(AiRun {
                    error: Some(format!("{error}{note}")),
                    ..AiRun::default()
                });
            }
            RunUpdate::Refused(error) => finished(AiRun {
                error: Some(error.to_string()),
                ..AiRun::default()
            }),
            RunUpdate::Cancelled => {
                finished(AiRun {
                    notice: Some("Cancelled.".to_owned()),
                    ..AiRun::default()
                });
                // The server gives the unit back once it sees the connection close, at
                // the latest with its next keep-alive (5 s).
                let quota_version = self.quota_version;
                for wait in [500, 6000] {
                    set_timeout(
                        move || quota_version.update(|v| *v += 1),
                        std::time::Duration::from_millis(wait),
                    );
                }
            }
        }
    }
}

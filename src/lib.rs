//! PromptedCode: coding-interview practice. The same crate builds the server (`ssr`) and
//! the browser bundle (`hydrate`); server-only modules are behind the `ssr` feature.
#![recursion_limit = "256"]
pub mod admin;
pub mod app;
pub mod auth;
pub mod challenge;
pub mod error;
pub mod generation;
pub mod history;
pub mod notes;
pub mod plan;
pub mod progress;
pub mod quiz;
pub mod review;
pub mod settings;
pub mod topics;
pub mod types;
pub mod ui;

/// Declares modules that exist only in the server build.
macro_rules! server_only {
    ($($name:ident),* $(,)?) => {
        $(
            #[cfg(feature = "ssr")]
            pub mod $name;
        )*
    };
}

server_only!(
    assets,
    clock,
    config,
    db,
    entities,
    housekeeping,
    jobs,
    llm,
    ops,
    prompting,
    questions,
    request,
    security,
    seed,
    server,
    state,
    watchdog,
);

/// Called by the island script once the bundle has loaded; it then hydrates each
/// `#[island]` on the page (the rest of the page is plain server-rendered HTML). The big
/// islands are lazy: their code is a chunk of its own, fetched only by a page that has one.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}

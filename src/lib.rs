//! PromptedCode: coding-interview practice. The same crate builds the server (`ssr`) and
//! the browser bundle (`hydrate`); server-only modules are behind the `ssr` feature.
pub mod app;
pub mod auth;
pub mod challenge;
pub mod error;
pub mod generation;
pub mod history;
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

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    _ = any_spawner::Executor::init_wasm_bindgen();
    // Lazy routes: the page's chunk is fetched, then the page hydrates.
    leptos::task::spawn_local(async {
        let body = leptos::prelude::document()
            .body()
            .expect("the page has a body");
        leptos::mount::hydrate_from_async(body, app::App)
            .await
            .forget();
        // Lets tests (and curious users) see that the page is interactive.
        if let Some(root) = leptos::prelude::document().document_element() {
            let _ = root.set_attribute("data-hydrated", "true");
        }
    });
}

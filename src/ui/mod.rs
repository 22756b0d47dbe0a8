//! Small shared components.
use crate::error::AppError;
use leptos::prelude::*;

/// The message of a validation error for `field`, shown under its input; `id` is what
/// the input's `aria-describedby` names. The element is always there (empty without an
/// error), so the reference never dangles.
#[component]
pub fn FieldError(
    #[prop(into)] error: Signal<Option<AppError>>,
    field: &'static str,
    id: &'static str,
) -> impl IntoView {
    let message = move || {
        error.with(|e| {
            e.as_ref()
                .and_then(|e| e.message_for(field))
                .map(str::to_owned)
        })
    };
    view! {
        <p class="field-error" id=id role="alert" data-field=field hidden=move || message().is_none()>{message}</p>
    }
}

/// Any error that does not belong to one field.
#[component]
pub fn FormError(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    let message = move || {
        error
            .get()
            .filter(|e| e.field().is_none())
            .map(|e| e.to_string())
    };
    // A closure rather than `<Show>`: `Show` boxes its children as an `AnyView`, whose
    // hydration code is large, and islands keep out of it.
    move || message().map(|message| view! { <p class="form-error" role="alert">{message}</p> })
}

/// The error a plain form post of `S` came back with: without JavaScript the server sends
/// the browser back to the form's page with the error in the address.
pub fn form_error<S: leptos::server_fn::ServerFn>() -> Option<AppError> {
    use leptos::server_fn::error::ServerFnUrlError;
    use_context::<leptos::server::ServerActionError>()
        .filter(|e| e.path() == S::PATH)
        .map(|e| ServerFnUrlError::<AppError>::decode_err(e.err()))
}

/// `value` percent-encoded for a URL's query (all but unreserved characters).
pub fn encode_query_value(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `next` if it is a path on this site, else `fallback`: never another origin
/// (`//evil.example` and `/\\evil.example` are refused).
pub fn local_path(next: &str, fallback: &str) -> String {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next.to_owned()
    } else {
        fallback.to_owned()
    }
}

/// What a page shows a visitor who is not signed in: why to, and a way back after.
#[component]
pub fn SignInPrompt(message: &'static str, next: &'static str) -> impl IntoView {
    view! {
        <div class="card empty">
            <p>{message}</p>
            <a href=format!("/login?next={next}") class="button primary">"Log in"</a>
        </div>
    }
}

/// A question's four options as submit buttons of a plain form (`name="choice"`), each
/// with its key 1–4 for `public/quiz.js`; `testid` prefixes each button's test id.
#[component]
pub fn ChoiceButtons(options_html: Vec<String>, testid: &'static str) -> impl IntoView {
    let options = options_html
        .into_iter()
        .enumerate()
        .map(|(i, html)| {
            let key = (i + 1).to_string();
            view! {
                <li>
                    <button type="submit" name="choice" value=i.to_string() class="option"
                        data-quiz-choice=key.clone() data-testid=format!("{testid}-{key}") aria-keyshortcuts=key.clone()>
                        <kbd class="key">{key.clone()}</kbd>
                        <span class="option-text" inner_html=html></span>
                    </button>
                </li>
            }
        })
        .collect_view();
    view! { <ol class="options" aria-label="Answer options">{options}</ol> }
}

/// Server-rendered, already sanitised HTML (markdown rendered on the server).
#[component]
pub fn Html(html: String, #[prop(optional)] class: &'static str) -> impl IntoView {
    view! { <div class=format!("prose {class}") inner_html=html></div> }
}

/// Switches between light and dark; the choice is remembered in localStorage and
/// applied before first paint by the inline script in the page head.
#[island]
pub fn ThemeToggle() -> impl IntoView {
    use_island_ready();
    view! {
        <button type="button" class="icon-button" on:click=move |_| browser::toggle_theme() aria-label="Toggle dark mode" title="Toggle dark mode">
            <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
                <path fill="currentColor" d="M12 3a9 9 0 1 0 9 9 7 7 0 0 1-9-9z" />
            </svg>
        </button>
    }
}

/// Script for the page head: applies a remembered theme before the first paint.
pub const THEME_BOOT_SCRIPT: &str = "try{var t=localStorage.getItem('theme');if(t==='dark'||t==='light')document.documentElement.setAttribute('data-theme',t)}catch(e){}";

/// The browser's IANA time zone ("Europe/Berlin"), as form text; empty until hydrated
/// (and without JavaScript, which the server reads as UTC).
pub fn use_browser_time_zone() -> RwSignal<String> {
    let zone = RwSignal::new(String::new());
    Effect::new(move |_| zone.set(browser::time_zone()));
    zone
}

/// An island prop that travels as a JSON string inside the page's JSON. Leptos decodes
/// island props with `serde_json::from_str` but server-function replies with `from_slice`:
/// two readers, so two copies of every type's decoder in the wasm. Decoding the inner JSON
/// with `from_slice` keeps one.
#[derive(Clone, Debug, PartialEq)]
pub struct Shipped<T>(pub T);

impl<T: serde::Serialize> serde::Serialize for Shipped<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let json = serde_json::to_string(&self.0).map_err(serde::ser::Error::custom)?;
        serializer.serialize_str(&json)
    }
}

impl<'de, T: serde::de::DeserializeOwned> serde::Deserialize<'de> for Shipped<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let json = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        serde_json::from_slice(json.as_bytes())
            .map(Shipped)
            .map_err(serde::de::Error::custom)
    }
}

/// Every island calls this: once all the islands on the page have hydrated (the lazy ones
/// load their code first), the page is marked `data-hydrated`, so tests wait for the real
/// thing.
pub fn use_island_ready() {
    Effect::new(|_| browser::island_ready());
}

/// On the server, boxes a large part of an island's view so its render is not one deeply
/// nested future (debug builds overflowed a worker's stack); in the browser, the view as it
/// is (a boxed view would ship its async hydration code too).
#[cfg(feature = "ssr")]
pub fn boxed_on_server(view: impl IntoView + 'static) -> AnyView {
    view.into_any()
}

#[cfg(not(feature = "ssr"))]
pub fn boxed_on_server<V: IntoView>(view: V) -> V {
    view
}

/// Loads `url` as a new page (islands have no client-side router: a page the server renders
/// is the way to show a changed session).
pub fn go_to(url: &str) {
    browser::go_to(url);
}

/// Records `url` as the address of what the page now shows, so Back returns to it; the
/// page itself changes in place.
pub fn push_address(url: &str) {
    browser::push_address(url);
}

/// Hears Back and Forward between addresses this page pushed: `on_change` gets the value
/// of the query parameter `key` of the address returned to.
pub fn use_address_param(key: &'static str, on_change: impl Fn(Option<String>) + 'static) {
    browser::on_pop_state(key, on_change);
}

/// Gives the page being rendered on the server the status of the error it shows instead
/// of its content (a quiz that is not the caller's is a 404 page, as one that never was).
pub fn use_error_status(error: &AppError) {
    #[cfg(feature = "ssr")]
    if let (Some(response), Ok(status)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        axum::http::StatusCode::from_u16(error.status()),
    ) {
        response.set_status(status);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = error;
}

/// Marks the response of the page being rendered on the server as a 404.
pub fn use_not_found_status() {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
}

/// What only a browser can do; inert elsewhere (these run from events and effects only).
mod browser {
    #[cfg(feature = "hydrate")]
    pub fn toggle_theme() {
        let Some(window) = web_sys::window() else {
            return;
        };
        let Some(root) = window.document().and_then(|d| d.document_element()) else {
            return;
        };
        let current = root.get_attribute("data-theme").unwrap_or_else(|| {
            let dark = window
                .match_media("(prefers-color-scheme: dark)")
                .ok()
                .flatten()
                .is_some_and(|m| m.matches());
            if dark { "dark" } else { "light" }.to_owned()
        });
        let next = if current == "dark" { "light" } else { "dark" };
        let _ = root.set_attribute("data-theme", next);
        if let Ok(Some(storage)) = window.local_storage() {
            let _ = storage.set_item("theme", next);
        }
    }

    #[cfg(feature = "hydrate")]
    pub fn time_zone() -> String {
        let format =
            js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new());
        js_sys::Reflect::get(&format.resolved_options(), &"timeZone".into())
            .ok()
            .and_then(|zone| zone.as_string())
            .unwrap_or_default()
    }

    #[cfg(feature = "hydrate")]
    pub fn go_to(url: &str) {
        if let Some(window) = web_sys::window() {
            let _ = window.location().assign(url);
        }
    }

    #[cfg(feature = "hydrate")]
    pub fn push_address(url: &str) {
        if let Some(Ok(history)) = web_sys::window().map(|w| w.history()) {
            let _ = history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(url));
        }
    }

    #[cfg(feature = "hydrate")]
    pub fn on_pop_state(key: &'static str, on_change: impl Fn(Option<String>) + 'static) {
        let handle = leptos::prelude::window_event_listener(leptos::ev::popstate, move |_| {
            let search = web_sys::window()
                .and_then(|w| w.location().search().ok())
                .unwrap_or_default();
            let value = web_sys::UrlSearchParams::new_with_str(&search)
                .ok()
                .and_then(|params| params.get(key));
            on_change(value);
        });
        leptos::prelude::on_cleanup(move || handle.remove());
    }

    #[cfg(feature = "hydrate")]
    pub fn island_ready() {
        use std::sync::atomic::{AtomicU32, Ordering};
        static READY: AtomicU32 = AtomicU32::new(0);
        let ready = READY.fetch_add(1, Ordering::Relaxed) + 1;
        let Some(document) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        let islands = document
            .query_selector_all("leptos-island")
            .map_or(0, |list| list.length());
        if ready >= islands {
            if let Some(root) = document.document_element() {
                let _ = root.set_attribute("data-hydrated", "true");
            }
        }
    }

    #[cfg(not(feature = "hydrate"))]
    pub fn island_ready() {}

    #[cfg(not(feature = "hydrate"))]
    pub fn toggle_theme() {}

    #[cfg(not(feature = "hydrate"))]
    pub fn go_to(_url: &str) {}

    #[cfg(not(feature = "hydrate"))]
    pub fn push_address(_url: &str) {}

    #[cfg(not(feature = "hydrate"))]
    pub fn on_pop_state(_key: &'static str, _on_change: impl Fn(Option<String>) + 'static) {}

    #[cfg(not(feature = "hydrate"))]
    pub fn time_zone() -> String {
        String::new()
    }
}

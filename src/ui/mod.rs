//! Small shared components.
use crate::error::AppError;
use leptos::prelude::*;

/// The message of a validation error for `field`, shown under its input.
#[component]
pub fn FieldError(
    #[prop(into)] error: Signal<Option<AppError>>,
    field: &'static str,
) -> impl IntoView {
    let message = move || {
        error
            .get()
            .filter(|e| e.field() == Some(field))
            .map(|e| e.to_string())
    };
    view! {
        <Show when=move || message().is_some()>
            <p class="field-error" role="alert" data-field=field>{message}</p>
        </Show>
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
    view! {
        <Show when=move || message().is_some()>
            <p class="form-error" role="alert">{message}</p>
        </Show>
    }
}

/// Server-rendered, already sanitised HTML (markdown rendered on the server).
#[component]
pub fn Html(html: String, #[prop(optional)] class: &'static str) -> impl IntoView {
    view! { <div class=format!("prose {class}") inner_html=html></div> }
}

/// Switches between light and dark; the choice is remembered in localStorage and
/// applied before first paint by the inline script in the page head.
#[component]
pub fn ThemeToggle() -> impl IntoView {
    let toggle = move |_| {
        #[cfg(feature = "hydrate")]
        {
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
    };
    view! {
        <button type="button" class="icon-button" on:click=toggle aria-label="Toggle dark mode" title="Toggle dark mode">
            <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
                <path fill="currentColor" d="M12 3a9 9 0 1 0 9 9 7 7 0 0 1-9-9z" />
            </svg>
        </button>
    }
}

/// Script for the page head: applies a remembered theme before the first paint.
pub const THEME_BOOT_SCRIPT: &str = "try{var t=localStorage.getItem('theme');if(t==='dark'||t==='light')document.documentElement.setAttribute('data-theme',t)}catch(e){}";

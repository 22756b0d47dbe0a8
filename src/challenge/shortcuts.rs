//! Keyboard shortcuts of the challenge page: 1–4 answer, N next, B a bank question,
//! Esc cancels a generation. Browser only; inert while rendering on the server.

// Read only by the browser build.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
pub struct Shortcuts<Choose, Next, Bank, Cancel> {
    pub choose: Choose,
    pub next: Next,
    pub bank: Bank,
    /// Returns whether there was something to cancel.
    pub cancel: Cancel,
}

pub fn use_challenge_shortcuts<Choose, Next, Bank, Cancel>(
    keys: Shortcuts<Choose, Next, Bank, Cancel>,
) where
    Choose: Fn(u8) + 'static,
    Next: Fn() + 'static,
    Bank: Fn() + 'static,
    Cancel: Fn() -> bool + 'static,
{
    #[cfg(feature = "hydrate")]
    {
        use leptos::ev;
        use leptos::prelude::*;
        use wasm_bindgen::JsCast;
        let handle = window_event_listener(ev::keydown, move |event| {
            if event.ctrl_key() || event.meta_key() || event.alt_key() {
                return;
            }
            if event.key() == "Escape" && (keys.cancel)() {
                event.prevent_default();
                return;
            }
            let typing = event
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .is_some_and(|el| {
                    matches!(el.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA")
                });
            if typing {
                return;
            }
            match event.key().as_str() {
                k @ ("1" | "2" | "3" | "4") => {
                    event.prevent_default();
                    (keys.choose)(k.as_bytes()[0] - b'1');
                }
                "n" | "N" => (keys.next)(),
                "b" | "B" => (keys.bank)(),
                _ => {}
            }
        });
        on_cleanup(move || handle.remove());
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = keys;
}

//! Markdown → sanitised HTML. Everything rendered here may come from a model or a user,
//! so raw HTML is shown as text and the result is cleaned by ammonia.
use pulldown_cmark::{html, Event, Options, Parser};
use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

static CLEANER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::default();
    builder
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .link_rel(Some("noopener noreferrer nofollow"))
        .add_tag_attributes("code", ["class"]);
    builder
});

/// Rendering is a pure function of the text, so each process keeps what it rendered: a
/// question's stem, options and explanation are parsed and sanitised once, not on every
/// page. Bounded: when full it starts over (the bank is ~2,000 texts).
static RENDERED: LazyLock<Mutex<HashMap<String, String>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));
const RENDERED_MAX: usize = 4_096;

pub fn to_html(markdown: &str) -> String {
    if let Some(html) = RENDERED
        .lock()
        .ok()
        .and_then(|cache| cache.get(markdown).cloned())
    {
        return html;
    }
    let html = render(markdown);
    if let Ok(mut cache) = RENDERED.lock() {
        if cache.len() >= RENDERED_MAX {
            cache.clear();
        }
        cache.insert(markdown.to_owned(), html.clone());
    }
    html
}

fn render(markdown: &str) -> String {
    let parser = Parser::new_ext(
        markdown,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    )
    .map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        other => other,
    });
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut unsafe_html, parser);
    // A code block may scroll sideways; keyboard users need to be able to focus it to
    // scroll. (Cleaned `<pre>` carries no attributes, so the tag is matched exactly.)
    CLEANER
        .clean(&unsafe_html)
        .to_string()
        .replace("<pre>", "<pre tabindex=\"0\">")
}

/// For one-line text such as an option: no wrapping paragraph.
pub fn to_inline_html(markdown: &str) -> String {
    let html = to_html(markdown);
    let trimmed = html.trim();
    match trimmed
        .strip_prefix("<p>")
        .and_then(|rest| rest.strip_suffix("</p>"))
    {
        Some(inner) if !inner.contains("<p>") => inner.to_owned(),
        _ => trimmed.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_code_blocks_with_language() {
        let html = to_html("Look:\n\n```rust\nlet x = 1 < 2;\n```\n");
        assert!(
            html.contains(
                "<pre tabindex=\"0\"><code class=\"language-rust\">let x = 1 &lt; 2;\n</code></pre>"
            ),
            "{html}"
        );
    }

    #[test]
    fn raw_html_and_script_are_shown_as_text() {
        let html = to_html("Hi <script>alert(1)</script> <img src=x onerror=alert(1)>");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }

    #[test]
    fn javascript_links_are_removed() {
        let html = to_html("[click](javascript:alert(1)) and [ok](https://example.com)");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(html.contains("href=\"https://example.com\""), "{html}");
        assert!(
            html.contains("rel=\"noopener noreferrer nofollow\""),
            "{html}"
        );
    }

    #[test]
    fn inline_drops_the_paragraph() {
        assert_eq!(to_inline_html("`O(n)` time"), "<code>O(n)</code> time");
    }
}

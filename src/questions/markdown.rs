//! Markdown → sanitised HTML. Everything rendered here may come from a model or a user,
//! so raw HTML is shown as text and the result is cleaned by ammonia.
use super::highlight::highlight;
use pulldown_cmark::{html, CodeBlockKind, Event, Options, Parser, Tag, TagEnd};
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

/// Marks where a highlighted block goes back in after cleaning; never in the input (it
/// is removed from it first), so a text cannot forge one.
const MARK: char = '\u{F8FF}';

fn render(markdown: &str) -> String {
    let markdown = markdown.replace(MARK, "");
    let mut highlighted: Vec<String> = Vec::new();
    let mut in_block: Option<(String, String)> = None;
    let mut events = Vec::new();
    for event in Parser::new_ext(
        &markdown,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    ) {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(language))) => {
                in_block = Some((language.to_string(), String::new()));
                events.push(Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(language))));
            }
            Event::Text(text) if in_block.is_some() => {
                if let Some((_, code)) = in_block.as_mut() {
                    code.push_str(&text);
                }
            }
            Event::End(TagEnd::CodeBlock) if in_block.is_some() => {
                let (language, code) = in_block.take().unwrap_or_default();
                match highlight(&code, &language) {
                    Some(html) => {
                        events.push(Event::Text(
                            format!("{MARK}{}{MARK}", highlighted.len()).into(),
                        ));
                        highlighted.push(html);
                    }
                    None => events.push(Event::Text(code.into())),
                }
                events.push(Event::End(TagEnd::CodeBlock));
            }
            Event::Html(raw) | Event::InlineHtml(raw) => events.push(Event::Text(raw)),
            other => events.push(other),
        }
    }
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut unsafe_html, events.into_iter());
    // A code block may scroll sideways; keyboard users need to be able to focus it to
    // scroll. (Cleaned `<pre>` carries no attributes, so the tag is matched exactly.)
    let mut clean = CLEANER
        .clean(&unsafe_html)
        .to_string()
        .replace("<pre>", "<pre tabindex=\"0\">");
    for (at, html) in highlighted.iter().enumerate() {
        clean = clean.replace(&format!("{MARK}{at}{MARK}"), html);
    }
    clean
}

/// A question's four options, each as one-line HTML.
pub fn options_html(options: &[String]) -> Vec<String> {
    options.iter().map(|o| to_inline_html(o)).collect()
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
    fn renders_code_blocks_with_language_highlighted() {
        let html = to_html("Look:\n\n```rust\nlet x = 1 < 2;\n```\n");
        assert!(
            html.starts_with("<p>Look:</p>\n<pre tabindex=\"0\"><code class=\"language-rust\"><span class=\"hl-source hl-rust\">"),
            "{html}"
        );
        assert!(html.contains("<span class=\"hl-storage hl-type hl-rust\">let</span>"), "{html}");
        assert!(html.contains("&lt;"), "{html}");
        assert!(html.ends_with("</code></pre>\n"), "{html}");
    }

    #[test]
    fn plain_blocks_stay_plain_and_a_forged_mark_is_dropped() {
        let html = to_html("```\nx < 1\n```\n");
        assert_eq!(html, "<pre tabindex=\"0\"><code>x &lt; 1\n</code></pre>\n");
        let forged = to_html("\u{F8FF}0\u{F8FF} and\n\n```rust\nlet a = 1;\n```\n");
        assert!(forged.starts_with("<p>0 and</p>"), "{forged}");
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

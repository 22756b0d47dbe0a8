//! Syntax highlighting of fenced code blocks, on the server (syntect with Sublime Text's
//! grammars and a pure-Rust regex engine; nothing of it reaches the browser bundle). The
//! output is classes only (`hl-keyword`, `hl-string`, …), coloured by the stylesheet for
//! both themes, and every character of the code is escaped by the generator.
use std::sync::LazyLock;
use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::{SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

static SYNTAXES: LazyLock<SyntaxSet> = LazyLock::new(SyntaxSet::load_defaults_newlines);

/// The class prefix of highlighted spans (the stylesheet's `.hl-*` rules).
const STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

/// A fence's language word, as the grammars know it ("ts" has no grammar of its own in the
/// default set: JavaScript's reads it well enough).
fn syntax_for(language: &str) -> Option<&'static SyntaxReference> {
    let token = match language.trim().to_ascii_lowercase().as_str() {
        "" => return None,
        "ts" | "typescript" | "tsx" | "jsx" => "js".to_owned(),
        "c++" | "cpp" | "cxx" => "cpp".to_owned(),
        "golang" => "go".to_owned(),
        "shell" | "bash" | "sh" | "zsh" => "sh".to_owned(),
        "postgres" | "postgresql" | "sqlite" | "mysql" => "sql".to_owned(),
        other => other.to_owned(),
    };
    SYNTAXES.find_syntax_by_token(&token)
}

/// The code as highlighted HTML (spans in the code's own text, escaped), or `None` for a
/// language without a grammar (the caller keeps the plain block).
pub fn highlight(code: &str, language: &str) -> Option<String> {
    let syntax = syntax_for(language)?;
    let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, &SYNTAXES, STYLE);
    for line in LinesWithEndings::from(code) {
        if generator
            .parse_html_for_line_which_includes_newline(line)
            .is_err()
        {
            tracing::warn!(language, "syntax highlighting failed; the block stays plain");
            return None;
        }
    }
    Some(generator.finalize())
}

#[cfg(test)]
mod tests {
    use super::highlight;

    #[test]
    fn every_language_the_issue_names_has_a_grammar() {
        type Case = (&'static str, &'static str);
        let cases: [Case; 8] = [
            ("rust", "fn main() { let x = 1; }\n"),
            ("python", "def f(x):\n    return x  # done\n"),
            ("javascript", "const f = (x) => x + 1;\n"),
            ("typescript", "let n: number = 1;\n"),
            ("sql", "SELECT id FROM users WHERE id = 1;\n"),
            ("go", "func main() { fmt.Println(\"hi\") }\n"),
            ("java", "public class A { int x = 1; }\n"),
            ("cpp", "int main() { return 0; }\n"),
        ];
        for (language, code) in cases {
            let html = highlight(code, language).unwrap_or_else(|| panic!("{language}"));
            assert!(html.contains("<span class=\"hl-"), "{language}: {html}");
        }
    }

    #[test]
    fn code_is_escaped_and_unknown_languages_stay_plain() {
        let html = highlight("let s = \"<script>\";\n", "rust").unwrap();
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert_eq!(highlight("anything", "klingon"), None);
        assert_eq!(highlight("anything", ""), None);
    }
}

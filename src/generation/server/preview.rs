//! Picks the title and stem out of a question's JSON while it streams in, so the learner
//! watches the question being written without ever seeing the options, the key or the
//! model's reasoning. It reads one character at a time and keeps its place between chunks.
//! Each shown field is cut at the schema's size for it, so an oversized stem never streams
//! more to the browser than a valid question could hold.
use crate::questions::schema::{STEM_CHARS, TITLE_CHARS};

#[derive(Default)]
pub struct Preview {
    depth: u32,
    in_string: bool,
    escape: bool,
    unicode: Option<String>,
    /// At depth 1, the next string is a key.
    expecting_key: bool,
    key: String,
    reading_key: bool,
    /// The key whose value comes next, after its `:`.
    pending_key: Option<String>,
    /// Characters the field being shown may still add.
    showing: Option<usize>,
    shown_any: bool,
}

/// The fields shown, with the most characters each may show.
const SHOWN: [(&str, usize); 2] = [("title", *TITLE_CHARS.end()), ("stem", *STEM_CHARS.end())];
/// Keys longer than any in the schema are not kept whole.
const KEY_CHARS: usize = 32;

impl Preview {
    /// The visible text this chunk adds (possibly empty).
    pub fn push(&mut self, chunk: &str) -> String {
        let mut out = String::new();
        for c in chunk.chars() {
            self.step(c, &mut out);
        }
        out
    }

    fn step(&mut self, c: char, out: &mut String) {
        if self.in_string {
            if let Some(hex) = &mut self.unicode {
                hex.push(c);
                if hex.len() == 4 {
                    let decoded = u32::from_str_radix(hex, 16).ok().and_then(char::from_u32);
                    self.unicode = None;
                    self.emit(decoded.unwrap_or('\u{fffd}'), out);
                }
                return;
            }
            if self.escape {
                self.escape = false;
                match c {
                    'n' => self.emit('\n', out),
                    't' => self.emit('\t', out),
                    'r' | 'b' | 'f' => {}
                    'u' => self.unicode = Some(String::new()),
                    other => self.emit(other, out),
                }
                return;
            }
            match c {
                '\\' => self.escape = true,
                '"' => {
                    self.in_string = false;
                    if self.reading_key {
                        self.reading_key = false;
                        self.pending_key = Some(std::mem::take(&mut self.key));
                    }
                    self.showing = None;
                }
                other => self.emit(other, out),
            }
            return;
        }
        match c {
            '"' => {
                self.in_string = true;
                if self.depth == 1 && self.expecting_key {
                    self.expecting_key = false;
                    self.reading_key = true;
                } else if self.depth == 1 {
                    if let Some(key) = self.pending_key.take() {
                        if let Some((_, max)) = SHOWN.iter().find(|(name, _)| *name == key) {
                            if self.shown_any {
                                out.push_str("\n\n");
                            }
                            self.showing = Some(*max);
                            self.shown_any = true;
                        }
                    }
                }
            }
            '{' | '[' => {
                self.depth += 1;
                if self.depth == 1 {
                    self.expecting_key = true;
                }
                self.pending_key = None;
            }
            '}' | ']' => self.depth = self.depth.saturating_sub(1),
            ',' if self.depth == 1 => {
                self.expecting_key = true;
                self.pending_key = None;
            }
            _ => {}
        }
    }

    fn emit(&mut self, c: char, out: &mut String) {
        if self.reading_key {
            if self.key.len() < KEY_CHARS {
                self.key.push(c);
            }
        } else if let Some(left) = &mut self.showing {
            if *left > 0 {
                *left -= 1;
                out.push(c);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Preview;

    const JSON: &str = r#"```json
{"reasoning":"the key is 1","title":"Stack \"top\"","stem":"Push 1, 2\nthen pop. Caf\u00e9?","options":["1","2","3","4"],"answer_index":1,"explanation":"x","topic":"stack","difficulty":"easy"}
```"#;

    #[test]
    fn shows_title_and_stem_only_whatever_the_chunking() {
        let expected = "Stack \"top\"\n\nPush 1, 2\nthen pop. Café?";
        for size in [1, 2, 3, 7, 16, 1000] {
            let mut preview = Preview::default();
            let chars: Vec<char> = JSON.chars().collect();
            let shown: String = chars
                .chunks(size)
                .map(|c| preview.push(&c.iter().collect::<String>()))
                .collect();
            assert_eq!(shown, expected, "chunk size {size}");
        }
    }

    #[test]
    fn a_shown_field_never_streams_more_than_the_schema_allows() {
        let mut preview = Preview::default();
        let huge = "x".repeat(1_000_000);
        let mut shown = preview.push(r#"{"title":"Big","stem":""#);
        for _ in 0..5 {
            shown.push_str(&preview.push(&huge));
        }
        shown.push_str(&preview.push(r#"","options":[]}"#));
        assert_eq!(shown.chars().count(), "Big\n\n".chars().count() + 4000);
        let mut preview = Preview::default();
        let long_key = format!(r#"{{"{}":"a","title":"T"}}"#, "k".repeat(100_000));
        assert_eq!(preview.push(&long_key), "T");
    }

    #[test]
    fn nested_values_named_like_shown_fields_stay_hidden() {
        let mut preview = Preview::default();
        let shown = preview.push(r#"{"options":[{"stem":"secret"}],"title":"T"}"#);
        assert_eq!(shown, "T");
    }
}

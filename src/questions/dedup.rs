//! Normalisation, content hashes and shingled similarity: how the bank test and AI
//! generation decide that two questions are the same or nearly the same.
use sha2::{Digest, Sha256};
use std::collections::HashSet;

/// Lower-cases, drops markdown emphasis and code marks (`*`, `_`, `` ` ``, `#`) and other
/// symbols, and collapses white space; operators and brackets stay, since they carry meaning.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() || "+-/%<>=!&|^~()[]{}.,:;'\"?".contains(c) {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.push(c);
        } else {
            pending_space = true;
        }
    }
    out
}

/// Hash of the normalised stem and the options in sorted order: re-ordering the options
/// or re-spacing the text does not make a "new" question.
pub fn content_hash(stem: &str, options: &[String]) -> String {
    let mut opts: Vec<String> = options.iter().map(|o| normalize(o)).collect();
    opts.sort();
    let mut hasher = Sha256::new();
    hasher.update(normalize(stem).as_bytes());
    for o in opts {
        hasher.update([0u8]);
        hasher.update(o.as_bytes());
    }
    hex(&hasher.finalize())
}

/// Lower-case hex (every request hashes its session token through this).
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    out
}

/// Word 3-shingles of the normalised text.
pub fn shingles(text: &str) -> HashSet<String> {
    let norm = normalize(text);
    let words: Vec<&str> = norm.split(' ').filter(|w| !w.is_empty()).collect();
    if words.len() < 3 {
        return words.iter().map(|w| w.to_string()).collect();
    }
    words.windows(3).map(|w| w.join(" ")).collect()
}

/// Jaccard similarity of two shingle sets, 0.0..=1.0.
pub fn similarity(a: &HashSet<String>, b: &HashSet<String>) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    let inter = a.intersection(b).count() as f64;
    let union = a.union(b).count() as f64;
    inter / union
}

/// Two questions above this similarity (stem + options) count as near-duplicates.
pub const NEAR_DUPLICATE: f64 = 0.8;

/// The text compared for near-duplicates.
pub fn fingerprint_text(stem: &str, options: &[String]) -> String {
    let mut text = stem.to_owned();
    for o in options {
        text.push('\n');
        text.push_str(o);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_is_two_lower_case_digits_a_byte() {
        assert_eq!(hex(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
        assert_eq!(hex(&[]), "");
    }

    #[test]
    fn normalize_ignores_case_spacing_and_markup() {
        assert_eq!(normalize("  **Hello**\n\n  `World`  "), "hello world");
        assert_eq!(normalize("O(n log n)"), "o(n log n)");
    }

    #[test]
    fn hash_ignores_option_order_but_not_content() {
        let a = content_hash(
            "Pick one",
            &["a".into(), "b".into(), "c".into(), "d".into()],
        );
        let b = content_hash(
            "pick  ONE",
            &["d".into(), "c".into(), "b".into(), "a".into()],
        );
        let c = content_hash(
            "Pick one",
            &["a".into(), "b".into(), "c".into(), "e".into()],
        );
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn similarity_separates_rewording_from_new_questions() {
        let base = shingles("What is the worst-case time complexity of quicksort on an already sorted array with a first-element pivot?");
        let reworded = shingles("What is the worst-case time complexity of quicksort on an already sorted array using a first-element pivot?");
        let other = shingles("Which data structure gives O(1) average lookup by key?");
        assert!(similarity(&base, &reworded) > 0.6);
        assert!(similarity(&base, &other) < 0.1);
        assert_eq!(similarity(&base, &base), 1.0);
    }
}

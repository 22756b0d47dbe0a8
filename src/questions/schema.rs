//! The question schema shared by the bank and (later) AI generation: one set of limits.
use crate::types::Difficulty;

pub const TITLE_CHARS: std::ops::RangeInclusive<usize> = 5..=200;
pub const STEM_CHARS: std::ops::RangeInclusive<usize> = 10..=4000;
pub const OPTION_CHARS: std::ops::RangeInclusive<usize> = 1..=500;
pub const EXPLANATION_CHARS: std::ops::RangeInclusive<usize> = 20..=4000;

/// A question as it arrives from a bank file or a model, before it is trusted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuestionDraft {
    pub title: String,
    pub stem: String,
    pub options: Vec<String>,
    pub answer_index: u8,
    pub explanation: String,
    pub difficulty: Difficulty,
    pub language: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SchemaError {
    #[error("{field} must be {min}..={max} characters, got {got}")]
    Length {
        field: &'static str,
        min: usize,
        max: usize,
        got: usize,
    },
    #[error("expected exactly 4 options, got {0}")]
    OptionCount(usize),
    #[error("options {0} and {1} are the same after normalisation")]
    DuplicateOptions(usize, usize),
    #[error("answer_index must be 0..=3, got {0}")]
    AnswerIndex(u8),
}

fn check_len(
    field: &'static str,
    text: &str,
    range: &std::ops::RangeInclusive<usize>,
) -> Result<(), SchemaError> {
    let got = text.trim().chars().count();
    if range.contains(&got) {
        Ok(())
    } else {
        Err(SchemaError::Length {
            field,
            min: *range.start(),
            max: *range.end(),
            got,
        })
    }
}

impl QuestionDraft {
    pub fn validate(&self) -> Result<(), SchemaError> {
        check_len("title", &self.title, &TITLE_CHARS)?;
        check_len("stem", &self.stem, &STEM_CHARS)?;
        check_len("explanation", &self.explanation, &EXPLANATION_CHARS)?;
        if self.options.len() != 4 {
            return Err(SchemaError::OptionCount(self.options.len()));
        }
        for option in &self.options {
            check_len("option", option, &OPTION_CHARS)?;
        }
        let normalised: Vec<String> = self
            .options
            .iter()
            .map(|o| super::dedup::normalize(o))
            .collect();
        for i in 0..4 {
            for j in i + 1..4 {
                if normalised[i] == normalised[j] {
                    return Err(SchemaError::DuplicateOptions(i, j));
                }
            }
        }
        if self.answer_index > 3 {
            return Err(SchemaError::AnswerIndex(self.answer_index));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> QuestionDraft {
        QuestionDraft {
            title: "Binary search bound".into(),
            stem: "What is the time complexity of binary search?".into(),
            options: vec![
                "O(1)".into(),
                "O(log n)".into(),
                "O(n)".into(),
                "O(n log n)".into(),
            ],
            answer_index: 1,
            explanation: "Each step halves the remaining range, so log2(n) steps.".into(),
            difficulty: Difficulty::Easy,
            language: None,
        }
    }

    #[test]
    fn accepts_a_valid_question() {
        assert_eq!(draft().validate(), Ok(()));
    }

    #[test]
    fn rejects_each_broken_field() {
        let mut d = draft();
        d.options.pop();
        assert_eq!(d.validate(), Err(SchemaError::OptionCount(3)));

        let mut d = draft();
        d.options[3] = "  o(LOG   n) ".into();
        assert_eq!(d.validate(), Err(SchemaError::DuplicateOptions(1, 3)));

        let mut d = draft();
        d.answer_index = 4;
        assert_eq!(d.validate(), Err(SchemaError::AnswerIndex(4)));

        let mut d = draft();
        d.title = "abc".into();
        assert!(matches!(
            d.validate(),
            Err(SchemaError::Length { field: "title", .. })
        ));

        let mut d = draft();
        d.explanation = "x".repeat(4001);
        assert!(matches!(
            d.validate(),
            Err(SchemaError::Length {
                field: "explanation",
                got: 4001,
                ..
            })
        ));
    }
}

//! Typed columns: shared enums and lists stored as text, read back through one checked
//! conversion. A stored value that names no variant is a loud error (the query fails and
//! is logged), never a silent default.
use crate::types::{Difficulty, QuestionSource, Role};
use sea_orm::sea_query::{ArrayType, ColumnType, Nullable, StringLen, ValueType, ValueTypeErr};
use sea_orm::{ColIdx, DbErr, QueryResult, TryGetError, TryGetable, Value};
use std::sync::Arc;

/// Stores `$ty` as text with `$to` and reads it back with `$from` (a `Result`).
macro_rules! text_column {
    ($ty:ty, $to:expr, $from:expr) => {
        impl From<$ty> for Value {
            fn from(value: $ty) -> Value {
                let to: fn(&$ty) -> String = $to;
                Value::String(Some(to(&value)))
            }
        }

        impl TryGetable for $ty {
            fn try_get_by<I: ColIdx>(res: &QueryResult, idx: I) -> Result<Self, TryGetError> {
                let text = String::try_get_by(res, idx)?;
                $from(&text).map_err(|err| {
                    TryGetError::DbErr(DbErr::TryIntoErr {
                        from: "String",
                        into: stringify!($ty),
                        source: Arc::new(err),
                    })
                })
            }
        }

        impl ValueType for $ty {
            fn try_from(value: Value) -> Result<Self, ValueTypeErr> {
                let text = <String as ValueType>::try_from(value)?;
                $from(&text).map_err(|_| ValueTypeErr)
            }
            fn type_name() -> String {
                stringify!($ty).to_owned()
            }
            fn array_type() -> ArrayType {
                ArrayType::String
            }
            fn column_type() -> ColumnType {
                ColumnType::String(StringLen::None)
            }
        }

        impl Nullable for $ty {
            fn null() -> Value {
                Value::String(None)
            }
        }
    };
}

macro_rules! word_column {
    ($ty:ty) => {
        text_column!($ty, |v| v.as_str().to_owned(), str::parse::<$ty>);
    };
}

word_column!(Difficulty);
word_column!(QuestionSource);
word_column!(Role);
word_column!(crate::jobs::JobState);
word_column!(crate::quiz::model::QuizKind);
word_column!(crate::review::model::CardState);
word_column!(crate::review::model::CardOrigin);
word_column!(crate::review::model::ReviewRating);
word_column!(crate::plan::model::JobRole);
word_column!(crate::plan::model::Experience);

/// A question's four options, stored as a JSON array of strings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OptionList(pub Vec<String>);

#[derive(Debug, thiserror::Error)]
#[error("stored options are not a JSON list of four strings: {0}")]
pub struct BadOptions(String);

impl OptionList {
    fn parse(text: &str) -> Result<OptionList, BadOptions> {
        let list: Vec<String> =
            serde_json::from_str(text).map_err(|e| BadOptions(e.to_string()))?;
        if list.len() != 4 {
            return Err(BadOptions(format!("{} options", list.len())));
        }
        Ok(OptionList(list))
    }
}

text_column!(
    OptionList,
    |v| serde_json::to_string(&v.0).expect("strings serialise"),
    OptionList::parse
);

/// A study plan's target companies, stored as a JSON array of strings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompanyList(pub Vec<String>);

#[derive(Debug, thiserror::Error)]
#[error("stored companies are not a JSON list of strings: {0}")]
pub struct BadCompanies(String);

text_column!(
    CompanyList,
    |v| serde_json::to_string(&v.0).expect("strings serialise"),
    |text: &str| serde_json::from_str(text)
        .map(CompanyList)
        .map_err(|e| BadCompanies(e.to_string()))
);

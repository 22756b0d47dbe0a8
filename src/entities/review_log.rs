use crate::review::model::{CardState, ReviewRating};
use sea_orm::entity::prelude::*;

/// One review: the answer, the rating it was scheduled with, and the card before it.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "review_logs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub user_id: i64,
    pub question_id: i64,
    pub reviewed_at: DateTimeUtc,
    pub chosen_index: i16,
    pub correct: bool,
    pub time_ms: i64,
    pub rating: ReviewRating,
    pub prior_state: CardState,
    pub prior_due: DateTimeUtc,
    pub prior_stability: f64,
    pub prior_difficulty: f64,
    pub prior_elapsed_days: i32,
    pub prior_scheduled_days: i32,
    pub prior_reps: i32,
    pub prior_lapses: i32,
    pub prior_last_review: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

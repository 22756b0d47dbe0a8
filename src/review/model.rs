//! Spaced review on the wire: the queue, a card on screen, the outcome of a review, and
//! the words a card and a rating are stored and posted as.
use crate::types::{Difficulty, QuestionId};
use serde::{Deserialize, Serialize};

/// How well a review went; FSRS schedules the next one from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReviewRating {
    Again,
    Hard,
    Good,
    Easy,
}

/// A correct answer within this time rates Easy.
pub const EASY_WITHIN_MS: u64 = 20_000;
/// A correct answer within this time (and over `EASY_WITHIN_MS`) rates Good; slower, Hard.
pub const GOOD_WITHIN_MS: u64 = 90_000;

impl ReviewRating {
    pub const ALL: [ReviewRating; 4] = [
        ReviewRating::Again,
        ReviewRating::Hard,
        ReviewRating::Good,
        ReviewRating::Easy,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReviewRating::Again => "again",
            ReviewRating::Hard => "hard",
            ReviewRating::Good => "good",
            ReviewRating::Easy => "easy",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ReviewRating::Again => "Again",
            ReviewRating::Hard => "Hard",
            ReviewRating::Good => "Good",
            ReviewRating::Easy => "Easy",
        }
    }

    /// The rating an answer earns by itself: wrong is Again; right is Easy, Good or Hard
    /// by how long it took (the server's count).
    pub fn inferred(correct: bool, time_ms: u64) -> ReviewRating {
        match (correct, time_ms) {
            (false, _) => ReviewRating::Again,
            (true, ms) if ms <= EASY_WITHIN_MS => ReviewRating::Easy,
            (true, ms) if ms <= GOOD_WITHIN_MS => ReviewRating::Good,
            (true, _) => ReviewRating::Hard,
        }
    }
}

crate::types::parse_by_name!(ReviewRating, "rating");

/// Where a card stands in FSRS.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CardState {
    /// Never reviewed (counts against the daily limit of new cards).
    New,
    Learning,
    Review,
    Relearning,
}

impl CardState {
    pub const ALL: [CardState; 4] = [
        CardState::New,
        CardState::Learning,
        CardState::Review,
        CardState::Relearning,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CardState::New => "new",
            CardState::Learning => "learning",
            CardState::Review => "review",
            CardState::Relearning => "relearning",
        }
    }
}

crate::types::parse_by_name!(CardState, "card state");

/// Why a question is in the review queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CardOrigin {
    /// Answered wrong (or left unanswered when a quiz's time ran out).
    Missed,
    /// The learner asked to see it again.
    Flagged,
}

impl CardOrigin {
    pub const ALL: [CardOrigin; 2] = [CardOrigin::Missed, CardOrigin::Flagged];

    pub fn as_str(self) -> &'static str {
        match self {
            CardOrigin::Missed => "missed",
            CardOrigin::Flagged => "flagged",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CardOrigin::Missed => "Missed",
            CardOrigin::Flagged => "Flagged",
        }
    }
}

crate::types::parse_by_name!(CardOrigin, "card origin");

/// A card on screen: the question without its key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewCard {
    pub question: QuestionId,
    pub title: String,
    pub stem_html: String,
    pub options_html: Vec<String>,
    pub topic: String,
    pub difficulty: Difficulty,
    pub origin: CardOrigin,
    pub is_new: bool,
}

/// Today's queue in the learner's local day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewQueue {
    /// Cards to review today: the due ones, and new ones up to today's limit.
    pub due: u32,
    /// New cards that may still start today.
    pub new_left: u32,
    /// New cards waiting beyond today's limit.
    pub new_waiting: u32,
    /// Every card the learner has.
    pub cards: u32,
    /// The next card, if one is due.
    pub card: Option<ReviewCard>,
}

/// What a review came to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewOutcome {
    pub question: QuestionId,
    pub title: String,
    pub chosen: u8,
    pub correct: bool,
    pub answer_index: u8,
    pub explanation_html: String,
    pub time_ms: u64,
    /// The rating the card was scheduled with.
    pub rating: ReviewRating,
    /// The rating the answer earned by itself (correctness and time).
    pub inferred: ReviewRating,
    /// The next review's local date, YYYY-MM-DD, and how many days away it is.
    pub next_day: String,
    pub in_days: u32,
}

/// A card reviewed today, with the learner's note on its question.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reviewed {
    pub outcome: ReviewOutcome,
    pub note: Option<String>,
}

/// New cards a learner starts per local day when the server sets no other limit.
pub const DEFAULT_NEW_CARDS_PER_DAY: u32 = 20;

#[cfg(test)]
mod tests {
    use super::ReviewRating::{self, *};

    #[test]
    fn rating_follows_correctness_then_time() {
        type Case = (bool, u64, ReviewRating);
        let cases: [Case; 6] = [
            (false, 1_000, Again),
            (false, 500_000, Again),
            (true, 0, Easy),
            (true, super::EASY_WITHIN_MS, Easy),
            (true, super::EASY_WITHIN_MS + 1, Good),
            (true, super::GOOD_WITHIN_MS + 1, Hard),
        ];
        for (correct, ms, rating) in cases {
            assert_eq!(
                ReviewRating::inferred(correct, ms),
                rating,
                "{correct} {ms}"
            );
        }
    }

    #[test]
    fn ratings_parse_their_own_words_only() {
        for rating in ReviewRating::ALL {
            assert_eq!(rating.as_str().parse::<ReviewRating>(), Ok(rating));
        }
        assert!("Good".parse::<ReviewRating>().is_err());
        assert!("".parse::<ReviewRating>().is_err());
    }
}

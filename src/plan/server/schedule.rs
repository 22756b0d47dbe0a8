//! The day-by-day schedule, computed from the plan on every read (pure: no clock, no I/O).
//!
//! - The plan runs from its first day to the day before the interview (the interview day
//!   itself when that is today), or for four weeks without an interview date.
//! - Each day focuses on up to three topics. They are picked by smooth weighted
//!   round-robin, run from the plan's first day so the rotation carries on from day to
//!   day, over the weight `priority × (100 + miss %)`: a topic with priority 4 comes up
//!   twice as often as one with 2, and a topic missed half the time half again as often as
//!   one never missed. A topic with fewer than `SEEN_ENOUGH` answers counts as missed 50 %.
//! - A day's questions go to its topics in proportion to their weights.
//! - Falling behind: the questions the plan asked for before today and that were not
//!   answered are shared out over the days left, earliest first (nothing is dropped).
use chrono::NaiveDate;

/// At most this many topics a day.
pub const TOPICS_PER_DAY: usize = 3;
/// Answers a topic needs before its own miss rate counts.
pub const SEEN_ENOUGH: u32 = 3;

/// A topic in the plan: its priority (1–5) and the learner's record on it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopicLoad<T> {
    pub topic: T,
    pub priority: u8,
    pub answered: u32,
    pub correct: u32,
}

impl<T> TopicLoad<T> {
    /// `priority × (100 + miss %)`.
    pub fn weight(&self) -> u64 {
        let miss_percent = if self.answered >= SEEN_ENOUGH {
            u64::from(
                self.answered
                    .saturating_sub(self.correct)
                    .min(self.answered),
            ) * 100
                / u64::from(self.answered)
        } else {
            50
        };
        u64::from(self.priority) * (100 + miss_percent)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inputs<T> {
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    pub today: NaiveDate,
    pub daily_goal: u32,
    pub topics: Vec<TopicLoad<T>>,
    /// Questions answered from the first day up to (not including) today.
    pub answered_before_today: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Day<T> {
    pub date: NaiveDate,
    pub questions: u32,
    /// Topics with their questions, most first (ties: the order picked).
    pub topics: Vec<(T, u32)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Schedule<T> {
    /// Today (or the first day, if the plan starts later) to the last day.
    pub days: Vec<Day<T>>,
    /// Questions owed from the days before today, now in `days`.
    pub behind: u32,
}

/// The plan's last day for an interview on `interview` (none: four weeks).
pub fn last_day(first_day: NaiveDate, interview: Option<NaiveDate>) -> NaiveDate {
    match interview {
        Some(date) => date.pred_opt().unwrap_or(date).max(first_day),
        None => {
            first_day
                + chrono::Duration::days(i64::from(super::super::model::DEFAULT_PLAN_DAYS) - 1)
        }
    }
}

pub fn schedule<T: Clone>(inputs: &Inputs<T>) -> Schedule<T> {
    let start = inputs.today.max(inputs.first_day);
    let past_days = (start - inputs.first_day).num_days().max(0) as u64;
    let owed = (u64::from(inputs.daily_goal) * past_days)
        .saturating_sub(u64::from(inputs.answered_before_today));
    let behind = u32::try_from(owed).unwrap_or(u32::MAX);
    if start > inputs.last_day || inputs.topics.is_empty() {
        return Schedule {
            days: Vec::new(),
            behind,
        };
    }
    let left = (inputs.last_day - start).num_days() as u32 + 1;
    let weights: Vec<u64> = inputs.topics.iter().map(TopicLoad::weight).collect();
    let mut rotation = Rotation::new(weights.clone());
    let per_day = TOPICS_PER_DAY.min(inputs.topics.len());
    for _ in 0..past_days {
        rotation.pick_distinct(per_day);
    }
    let days = (0..left)
        .map(|index| {
            let date = start + chrono::Duration::days(i64::from(index));
            let catch_up = behind / left + u32::from(index < behind % left);
            let questions = inputs.daily_goal.saturating_add(catch_up);
            let picked = rotation.pick_distinct(per_day);
            let shares = share_out(
                questions,
                &picked.iter().map(|&i| weights[i]).collect::<Vec<_>>(),
            );
            let mut topics: Vec<(T, u32)> = picked
                .iter()
                .zip(shares)
                .filter(|(_, n)| *n > 0)
                .map(|(&i, n)| (inputs.topics[i].topic.clone(), n))
                .collect();
            topics.sort_by_key(|t| std::cmp::Reverse(t.1));
            Day {
                date,
                questions,
                topics,
            }
        })
        .collect();
    Schedule { days, behind }
}

/// Smooth weighted round-robin (as nginx balances upstreams): every pick adds each
/// weight to its topic's credit and takes the total from the one picked, so picks
/// interleave in proportion to the weights.
struct Rotation {
    weights: Vec<u64>,
    credit: Vec<i128>,
}

impl Rotation {
    fn new(weights: Vec<u64>) -> Rotation {
        let credit = vec![0; weights.len()];
        Rotation { weights, credit }
    }

    fn pick(&mut self) -> usize {
        let total: i128 = self.weights.iter().map(|&w| i128::from(w)).sum();
        for (credit, &weight) in self.credit.iter_mut().zip(&self.weights) {
            *credit += i128::from(weight);
        }
        let best = (0..self.credit.len())
            .max_by(|&a, &b| self.credit[a].cmp(&self.credit[b]).then(b.cmp(&a)))
            .expect("a rotation has topics");
        self.credit[best] -= total;
        best
    }

    /// `count` different topics (`count` ≤ the number of topics).
    fn pick_distinct(&mut self, count: usize) -> Vec<usize> {
        let mut picked = Vec::with_capacity(count);
        // A heavy topic can come up again before `count` distinct ones have: those picks
        // still count (its credit is spent), and one round of every topic always finishes.
        for _ in 0..self.weights.len() * 64 {
            if picked.len() == count {
                break;
            }
            let next = self.pick();
            if !picked.contains(&next) {
                picked.push(next);
            }
        }
        picked
    }
}

/// `total` split in proportion to `weights` (largest remainder; the sum is exact).
fn share_out(total: u32, weights: &[u64]) -> Vec<u32> {
    let sum: u64 = weights.iter().sum();
    if sum == 0 {
        return vec![0; weights.len()];
    }
    let exact: Vec<(u64, u64)> = weights
        .iter()
        .map(|&w| {
            let scaled = u64::from(total) * w;
            (scaled / sum, scaled % sum)
        })
        .collect();
    let mut shares: Vec<u32> = exact.iter().map(|&(q, _)| q as u32).collect();
    let mut rest = total - shares.iter().sum::<u32>();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| exact[b].1.cmp(&exact[a].1).then(a.cmp(&b)));
    for i in order {
        if rest == 0 {
            break;
        }
        shares[i] += 1;
        rest -= 1;
    }
    shares
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn topic(
        name: &'static str,
        priority: u8,
        answered: u32,
        correct: u32,
    ) -> TopicLoad<&'static str> {
        TopicLoad {
            topic: name,
            priority,
            answered,
            correct,
        }
    }

    fn inputs(topics: Vec<TopicLoad<&'static str>>) -> Inputs<&'static str> {
        Inputs {
            first_day: date("2026-12-07"),
            last_day: date("2027-01-03"),
            today: date("2026-12-07"),
            daily_goal: 6,
            topics,
            answered_before_today: 0,
        }
    }

    fn days_with(schedule: &Schedule<&'static str>, name: &str) -> usize {
        schedule
            .days
            .iter()
            .filter(|d| d.topics.iter().any(|(t, _)| *t == name))
            .count()
    }

    fn questions_of(schedule: &Schedule<&'static str>, name: &str) -> u32 {
        schedule
            .days
            .iter()
            .flat_map(|d| &d.topics)
            .filter(|(t, _)| *t == name)
            .map(|(_, n)| n)
            .sum()
    }

    #[test]
    fn the_plan_runs_to_the_day_before_the_interview_or_four_weeks() {
        let first = date("2026-12-07");
        assert_eq!(
            last_day(first, Some(date("2026-12-24"))),
            date("2026-12-23")
        );
        assert_eq!(
            last_day(first, Some(first)),
            first,
            "an interview today: today"
        );
        assert_eq!(
            last_day(first, None),
            date("2027-01-03"),
            "28 days, both ends counted"
        );

        let plan = schedule(&inputs(vec![topic("graphs", 3, 0, 0)]));
        assert_eq!(plan.days.len(), 28);
        assert_eq!(plan.days[0].date, date("2026-12-07"));
        assert_eq!(plan.days[27].date, date("2027-01-03"));
        assert!(plan.days.iter().all(|d| d.questions == 6));
        assert_eq!(plan.behind, 0);
    }

    #[test]
    fn every_day_shares_its_goal_among_at_most_three_topics() {
        let plan = schedule(&inputs(vec![
            topic("a", 3, 0, 0),
            topic("b", 3, 0, 0),
            topic("c", 3, 0, 0),
            topic("d", 3, 0, 0),
            topic("e", 3, 0, 0),
        ]));
        for day in &plan.days {
            assert!(day.topics.len() <= TOPICS_PER_DAY, "{day:?}");
            assert_eq!(
                day.topics.iter().map(|(_, n)| n).sum::<u32>(),
                day.questions
            );
        }
        // Equal weights: the five rotate evenly (28 days × 3 slots = 84 ≈ 16.8 each).
        for name in ["a", "b", "c", "d", "e"] {
            let days = days_with(&plan, name);
            assert!((16..=17).contains(&days), "{name}: {days}");
        }
        // Consecutive days do not repeat the same three.
        assert_ne!(plan.days[0].topics, plan.days[1].topics);
    }

    #[test]
    fn higher_priority_comes_up_more_in_proportion() {
        let plan = schedule(&inputs(vec![
            topic("high", 4, 0, 0),
            topic("low", 1, 0, 0),
            topic("mid", 2, 0, 0),
            topic("also", 1, 0, 0),
        ]));
        let (high, mid, low) = (
            questions_of(&plan, "high"),
            questions_of(&plan, "mid"),
            questions_of(&plan, "low"),
        );
        assert!(high > mid && mid > low, "{high} {mid} {low}");
        // 168 questions over weights 4:2:1:1 would be 84:42:21:21; three a day caps the
        // share a single topic can take, and the order holds.
        assert!(high >= 2 * low, "{high} {low}");
    }

    #[test]
    fn weak_topics_are_weighted_up() {
        // Same priority; "weak" missed 8 of 10, "strong" 0 of 10, "new" unseen (50 %).
        let weak = topic("weak", 3, 10, 2);
        let strong = topic("strong", 3, 10, 10);
        let new = topic("new", 3, 1, 0);
        assert_eq!(weak.weight(), 3 * 180);
        assert_eq!(strong.weight(), 3 * 100);
        assert_eq!(
            new.weight(),
            3 * 150,
            "too few answers: counted as 50 % missed"
        );
        let mut plan_inputs = inputs(vec![strong, weak, new, topic("other", 3, 10, 10)]);
        plan_inputs.daily_goal = 10;
        let plan = schedule(&plan_inputs);
        let (weak, new, strong) = (
            questions_of(&plan, "weak"),
            questions_of(&plan, "new"),
            questions_of(&plan, "strong"),
        );
        assert!(weak > new && new > strong, "{weak} {new} {strong}");
    }

    #[test]
    fn falling_behind_shares_the_shortfall_over_the_days_left() {
        let mut plan_inputs = inputs(vec![topic("graphs", 3, 0, 0), topic("trees", 3, 0, 0)]);
        plan_inputs.today = date("2026-12-10"); // 3 days in: 18 asked for
        plan_inputs.answered_before_today = 7; // 11 short
        let plan = schedule(&plan_inputs);
        assert_eq!(plan.behind, 11);
        assert_eq!(plan.days.len(), 25);
        assert_eq!(plan.days[0].date, date("2026-12-10"));
        let total: u32 = plan.days.iter().map(|d| d.questions).sum();
        assert_eq!(total, 25 * 6 + 11, "nothing dropped");
        // 11 over 25 days: one more on each of the first 11.
        assert!(plan.days[..11].iter().all(|d| d.questions == 7));
        assert!(plan.days[11..].iter().all(|d| d.questions == 6));

        plan_inputs.answered_before_today = 40; // ahead: nothing owed, nothing taken off
        let ahead = schedule(&plan_inputs);
        assert_eq!(ahead.behind, 0);
        assert!(ahead.days.iter().all(|d| d.questions == 6));
    }

    #[test]
    fn the_rotation_carries_on_from_the_plans_first_day() {
        let topics = vec![
            topic("a", 3, 0, 0),
            topic("b", 3, 0, 0),
            topic("c", 3, 0, 0),
            topic("d", 3, 0, 0),
        ];
        let from_start = schedule(&inputs(topics.clone()));
        let mut later = inputs(topics);
        later.today = date("2026-12-12");
        later.answered_before_today = 30;
        let later = schedule(&later);
        assert_eq!(
            later.days[0], from_start.days[5],
            "day 6 is the same day either way"
        );
    }

    #[test]
    fn a_plan_that_is_over_has_no_days() {
        let mut plan_inputs = inputs(vec![topic("graphs", 3, 0, 0)]);
        plan_inputs.today = date("2027-01-04");
        plan_inputs.answered_before_today = 28 * 6;
        let plan = schedule(&plan_inputs);
        assert!(plan.days.is_empty());
        assert_eq!(plan.behind, 0);
    }

    #[test]
    fn shares_add_up_exactly() {
        assert_eq!(share_out(10, &[450, 300, 300]), vec![4, 3, 3]);
        assert_eq!(share_out(1, &[1, 1, 1]), vec![1, 0, 0]);
        assert_eq!(share_out(7, &[2, 1]), vec![5, 2]);
    }
}

//! The study plan: the five-step wizard that writes it, the day-by-day schedule computed
//! from it, and today's share of it on the dashboard.
pub mod api;
pub mod model;
mod page;
#[cfg(feature = "ssr")]
pub mod server;

pub use page::{PlanPage, TodayPlan, WizardPage};

//! A learner's local clock: their IANA time zone (daylight-saving changes included). Their
//! day bounds the daily quota, the daily quiz and the reviews due, and every time the app
//! shows them is in it.
use crate::error::AppError;
use crate::types::UserId;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Offset, TimeZone, Timelike, Utc};
use chrono_tz::{OffsetName, Tz};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LocalClock {
    zone: Tz,
}

impl LocalClock {
    pub const UTC: LocalClock = LocalClock { zone: Tz::UTC };

    /// A zone by its IANA name ("Europe/Berlin"), as a learner gives it.
    pub fn named(name: &str) -> Result<Self, AppError> {
        name.trim()
            .parse::<Tz>()
            .map(|zone| LocalClock { zone })
            .map_err(|_| {
                AppError::invalid(
                    "time_zone",
                    "Unknown time zone: choose one from the list (an IANA name such as Europe/Berlin).",
                )
            })
    }

    /// The clock of a signed-in learner.
    pub fn of_user(user: &crate::auth::model::CurrentUser) -> Result<Self, AppError> {
        LocalClock::stored(&user.time_zone, user.id)
    }

    /// The clock of a learner's stored zone: an unknown name is a corrupt row (logged).
    pub fn stored(name: &str, user: UserId) -> Result<Self, AppError> {
        LocalClock::named(name).map_err(|_| {
            tracing::error!(user = user.0, zone = name, "stored time zone is unknown");
            AppError::Internal
        })
    }

    /// The zone's IANA name.
    pub fn name(&self) -> &'static str {
        self.zone.name()
    }

    /// The local date (YYYY-MM-DD) at `now`.
    pub fn day(&self, now: DateTime<Utc>) -> String {
        let mut out = String::with_capacity(10);
        push_date(&mut out, self.local_date(now));
        out
    }

    /// The local date at `now`.
    pub fn local_date(&self, now: DateTime<Utc>) -> NaiveDate {
        now.with_timezone(&self.zone).date_naive()
    }

    /// The first instant of a local date. Where the clocks jump over midnight (a few
    /// zones start summer time at 00:00) the day starts at the first minute that exists.
    fn start_of(&self, date: NaiveDate) -> DateTime<Utc> {
        let midnight = date.and_hms_opt(0, 0, 0).expect("midnight is a valid time");
        (0..=180)
            .find_map(|minutes| {
                self.zone
                    .from_local_datetime(&(midnight + Duration::minutes(minutes)))
                    .earliest()
            })
            .map(|local| local.with_timezone(&Utc))
            // No zone skips more than an hour at once; a gap wider than three would be a
            // broken zone table, and the day then starts at midnight UTC of that date.
            .unwrap_or_else(|| midnight.and_utc())
    }

    /// A local date's first instant and the next date's, in UTC (23 or 25 hours apart on
    /// the days the clocks change).
    pub fn date_bounds(&self, date: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
        let next = date.succ_opt().expect("dates this far out are not in use");
        (self.start_of(date), self.start_of(next))
    }

    /// The local day around `now`: its first instant and the next day's, in UTC.
    pub fn day_bounds(&self, now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
        self.date_bounds(self.local_date(now))
    }

    /// Seconds until the next local midnight (at least 1).
    pub fn seconds_to_midnight(&self, now: DateTime<Utc>) -> u64 {
        let (_, next) = self.day_bounds(now);
        Ord::max((next - now).num_seconds(), 1) as u64
    }

    /// "2026-12-02 08:45 CET": minutes and the zone's abbreviation (its offset where
    /// the zone has no letters, "+0530"), digit by digit (`strftime` costs about 2.5 K
    /// instructions more a row; history renders fifty).
    pub fn minutes(&self, at: DateTime<Utc>) -> String {
        let local = at.with_timezone(&self.zone);
        let mut out = String::with_capacity(24);
        push_date(&mut out, local.date_naive());
        out.push(' ');
        push_digits(&mut out, local.hour(), 2);
        out.push(':');
        push_digits(&mut out, local.minute(), 2);
        out.push(' ');
        let offset = local.offset();
        match offset.abbreviation() {
            Some(letters) if !letters.starts_with(['+', '-']) => out.push_str(letters),
            _ => {
                let east = offset.fix().local_minus_utc() / 60;
                out.push(if east < 0 { '-' } else { '+' });
                push_digits(&mut out, east.unsigned_abs() / 60, 2);
                push_digits(&mut out, east.unsigned_abs() % 60, 2);
            }
        }
        out
    }
}

fn push_digits(out: &mut String, value: u32, width: u32) {
    for place in (0..width).rev() {
        let digit = value / 10u32.pow(place) % 10;
        out.push(char::from(b'0' + digit as u8));
    }
}

fn push_date(out: &mut String, date: NaiveDate) {
    push_digits(out, date.year().clamp(0, 9999) as u32, 4);
    out.push('-');
    push_digits(out, date.month(), 2);
    out.push('-');
    push_digits(out, date.day(), 2);
}

/// Every zone a learner can choose, by IANA name (the canonical ones and their aliases).
pub fn zone_names() -> impl Iterator<Item = &'static str> {
    chrono_tz::TZ_VARIANTS.iter().map(|zone| zone.name())
}

#[cfg(test)]
mod tests {
    use super::LocalClock;
    use chrono::{TimeZone, Utc};

    #[test]
    fn local_day_and_reset_follow_the_zone() {
        let now = Utc.with_ymd_and_hms(2026, 11, 22, 23, 30, 0).unwrap();
        assert_eq!(LocalClock::UTC.day(now), "2026-11-22");
        assert_eq!(LocalClock::UTC.seconds_to_midnight(now), 30 * 60);
        let tokyo = LocalClock::named("Asia/Tokyo").unwrap();
        assert_eq!(tokyo.day(now), "2026-11-23");
        assert_eq!(tokyo.seconds_to_midnight(now), 15 * 3600 + 30 * 60);
        let new_york = LocalClock::named("America/New_York").unwrap();
        assert_eq!(new_york.day(now), "2026-11-22");
        assert_eq!(new_york.seconds_to_midnight(now), 5 * 3600 + 30 * 60);
    }

    #[test]
    fn a_day_follows_daylight_saving() {
        let berlin = LocalClock::named("Europe/Berlin").unwrap();
        // 29 March 2026: clocks go from 02:00 CET to 03:00 CEST, a 23-hour day.
        let during = Utc.with_ymd_and_hms(2026, 3, 29, 12, 0, 0).unwrap();
        let (start, end) = berlin.day_bounds(during);
        assert_eq!(start, Utc.with_ymd_and_hms(2026, 3, 28, 23, 0, 0).unwrap());
        assert_eq!(end, Utc.with_ymd_and_hms(2026, 3, 29, 22, 0, 0).unwrap());
        assert_eq!(berlin.day(during), "2026-03-29");
        // 25 October 2026: back to CET, a 25-hour day.
        let autumn = Utc.with_ymd_and_hms(2026, 10, 25, 12, 0, 0).unwrap();
        let (start, end) = berlin.day_bounds(autumn);
        assert_eq!((end - start).num_hours(), 25);
        // Half past midnight in summer is still the previous UTC date.
        let summer_night = Utc.with_ymd_and_hms(2026, 7, 1, 22, 30, 0).unwrap();
        assert_eq!(berlin.day(summer_night), "2026-07-02");
        assert_eq!(berlin.minutes(summer_night), "2026-07-02 00:30 CEST");
        assert_eq!(berlin.seconds_to_midnight(summer_night), 23 * 3600 + 30 * 60);
    }

    #[test]
    fn a_day_that_skips_midnight_starts_at_the_first_minute_it_has() {
        // Santiago starts summer time at 00:00 local on 6 September 2026 (to 01:00).
        let santiago = LocalClock::named("America/Santiago").unwrap();
        let noon = Utc.with_ymd_and_hms(2026, 9, 6, 15, 0, 0).unwrap();
        let (start, end) = santiago.day_bounds(noon);
        assert_eq!(start, Utc.with_ymd_and_hms(2026, 9, 6, 4, 0, 0).unwrap());
        assert_eq!((end - start).num_hours(), 23);
    }

    #[test]
    fn times_carry_the_zone_or_its_offset() {
        let at = Utc.with_ymd_and_hms(2026, 12, 1, 9, 17, 0).unwrap();
        assert_eq!(LocalClock::UTC.minutes(at), "2026-12-01 09:17 UTC");
        let kolkata = LocalClock::named("Asia/Kolkata").unwrap();
        assert_eq!(kolkata.minutes(at), "2026-12-01 14:47 IST");
        let fixed = LocalClock::named("Etc/GMT-2").unwrap();
        assert_eq!(fixed.minutes(at), "2026-12-01 11:17 +0200");
        let padded = Utc.with_ymd_and_hms(2026, 3, 4, 5, 6, 59).unwrap();
        assert_eq!(LocalClock::UTC.minutes(padded), "2026-03-04 05:06 UTC");
        let new_year = Utc.with_ymd_and_hms(1999, 12, 31, 23, 59, 0).unwrap();
        assert_eq!(LocalClock::UTC.minutes(new_year), "1999-12-31 23:59 UTC");
    }

    #[test]
    fn unknown_zones_are_refused() {
        assert!(LocalClock::named("Mars/Olympus").is_err());
        assert!(LocalClock::named("").is_err());
        assert_eq!(LocalClock::named(" Asia/Tokyo ").unwrap().name(), "Asia/Tokyo");
    }
}

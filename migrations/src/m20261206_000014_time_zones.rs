/// A learner's days follow an IANA time zone (`users.time_zone`, e.g. "Europe/Berlin"),
/// daylight-saving changes included, instead of the UTC offset taken at sign-up.
///
/// Existing offsets become the zone that keeps the same local day: a fractional offset the
/// zone of the places that use it (330 → Asia/Kolkata), a whole-hour one the fixed
/// `Etc/GMT∓N` zone (POSIX signs: 120 minutes east is `Etc/GMT-2`), 0 `UTC`. An offset no
/// zone has (only a forged sign-up could store one) becomes `UTC`. The learner can pick
/// their real zone in the settings; the offset column is dropped.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Offsets that are not whole hours, by the zone that uses them (standard or summer time).
const FRACTIONAL: &[(i32, &str)] = &[
    (-570, "Pacific/Marquesas"),
    (-210, "America/St_Johns"),
    (-150, "America/St_Johns"),
    (210, "Asia/Tehran"),
    (270, "Asia/Kabul"),
    (330, "Asia/Kolkata"),
    (345, "Asia/Kathmandu"),
    (390, "Asia/Yangon"),
    (525, "Australia/Eucla"),
    (570, "Australia/Darwin"),
    (630, "Australia/Adelaide"),
    (765, "Pacific/Chatham"),
    (825, "Pacific/Chatham"),
];

/// The zone an offset becomes (one `CASE` arm each, so the update is one statement).
pub fn zone_of_offset(minutes_east: i32) -> String {
    if let Some((_, zone)) = FRACTIONAL.iter().find(|(m, _)| *m == minutes_east) {
        return (*zone).to_owned();
    }
    match (minutes_east % 60, minutes_east / 60) {
        (0, 0) => "UTC".to_owned(),
        // Etc/GMT-14 … Etc/GMT+12 exist.
        (0, hours @ -12..=14) => format!("Etc/GMT{:+}", -hours),
        _ => "UTC".to_owned(),
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared(
            "ALTER TABLE users ADD COLUMN time_zone VARCHAR(64) NOT NULL DEFAULT 'UTC'",
        )
        .await?;
        let arms: String = (-14 * 60..=14 * 60)
            .filter(|m| m % 60 == 0 || FRACTIONAL.iter().any(|(f, _)| f == m))
            .map(|m| format!(" WHEN {m} THEN '{}'", zone_of_offset(m)))
            .collect();
        db.execute_unprepared(&format!(
            "UPDATE users SET time_zone = CASE utc_offset_minutes{arms} ELSE 'UTC' END"
        ))
        .await?;
        db.execute_unprepared("ALTER TABLE users DROP COLUMN utc_offset_minutes")
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared(
            "ALTER TABLE users ADD COLUMN utc_offset_minutes INTEGER NOT NULL DEFAULT 0",
        )
        .await?;
        db.execute_unprepared("ALTER TABLE users DROP COLUMN time_zone")
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::zone_of_offset;

    #[test]
    fn offsets_become_the_zone_with_the_same_local_day() {
        assert_eq!(zone_of_offset(0), "UTC");
        assert_eq!(zone_of_offset(120), "Etc/GMT-2");
        assert_eq!(zone_of_offset(-300), "Etc/GMT+5");
        assert_eq!(zone_of_offset(840), "Etc/GMT-14");
        assert_eq!(zone_of_offset(-720), "Etc/GMT+12");
        assert_eq!(zone_of_offset(330), "Asia/Kolkata");
        assert_eq!(zone_of_offset(-780), "UTC", "no zone is 13 h behind");
        assert_eq!(zone_of_offset(7), "UTC");
    }
}

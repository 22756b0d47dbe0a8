/// What a session was started from ("Firefox on Linux"), so a learner can tell their
/// sessions apart in the settings. A summary of the User-Agent, never the header itself;
/// sessions from before have none.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("ALTER TABLE sessions ADD COLUMN device VARCHAR(80) NULL")
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("ALTER TABLE sessions DROP COLUMN device")
            .await?;
        Ok(())
    }
}

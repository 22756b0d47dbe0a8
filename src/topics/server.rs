//! Topics on the server: the bank's topics and a learner's own, with the learner's
//! priority and active flag. Every statement is scoped to the caller: another learner's
//! topic is "not found", never shown or changed.
use super::model::{TopicDescription, TopicName, TopicSetting};
use crate::entities::{topic, user_topic};
use crate::error::AppError;
use crate::types::{Priority, TopicSlug, UserId};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    ExprTrait, QueryFilter, Statement, TransactionTrait,
};

/// A learner may keep this many topics of their own.
pub const MAX_OWN_TOPICS: u64 = 50;

/// The category a learner's own topic is listed under.
pub const OWN_CATEGORY: &str = "custom";

/// The caller's topics, highest priority first, then by name: the bank's topics that have
/// a question to serve, and the caller's own (with or without questions). One statement.
pub async fn list(db: &DatabaseConnection, user: UserId) -> Result<Vec<TopicSetting>, AppError> {
    Ok(list_with_ids(db, user)
        .await?
        .into_iter()
        .map(|(_, setting)| setting)
        .collect())
}

/// `list`, each with the topic's row id (for the server's own queries).
pub async fn list_with_ids(
    db: &DatabaseConnection,
    user: UserId,
) -> Result<Vec<(i64, TopicSetting)>, AppError> {
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            "SELECT t.slug, t.name, t.category, t.description, t.owner_id, ut.priority, ut.active, \
               (SELECT COUNT(*) FROM questions q WHERE q.topic_id = t.id AND q.retired = FALSE), t.id \
             FROM topics t \
             LEFT JOIN user_topics ut ON ut.topic_id = t.id AND ut.user_id = $1 \
             WHERE t.owner_id = $1 \
                OR (t.owner_id IS NULL AND EXISTS \
                    (SELECT 1 FROM questions q WHERE q.topic_id = t.id AND q.retired = FALSE)) \
             ORDER BY COALESCE(ut.priority, 3) DESC, t.name, t.id",
            [user.0.into()],
        ))
        .await?;
    rows.iter()
        .map(|row| {
            let slug: String = row.try_get_by_index(0)?;
            let owner: Option<i64> = row.try_get_by_index(4)?;
            let priority: Option<i16> = row.try_get_by_index(5)?;
            let active: Option<bool> = row.try_get_by_index(6)?;
            let questions: i64 = row.try_get_by_index(7)?;
            let setting = TopicSetting {
                slug: slug.parse().map_err(stored("topic slug"))?,
                name: row.try_get_by_index(1)?,
                category: row.try_get_by_index(2)?,
                description: row.try_get_by_index(3)?,
                own: owner.is_some(),
                priority: match priority {
                    None => Priority::DEFAULT,
                    Some(p) => u8::try_from(p)
                        .ok()
                        .and_then(|p| Priority::try_from(p).ok())
                        .ok_or_else(|| stored("priority")(p))?,
                },
                active: active.unwrap_or(true),
                questions: u64::try_from(questions).map_err(stored("question count"))?,
            };
            Ok((row.try_get_by_index::<i64>(8)?, setting))
        })
        .collect::<Result<Vec<_>, DbErr>>()
        .map_err(AppError::from)
}

/// A stored value that is not what the schema promises: an error, never a default.
fn stored<E: std::fmt::Debug>(what: &'static str) -> impl Fn(E) -> DbErr {
    move |err| DbErr::Type(format!("stored {what} is unreadable: {err:?}"))
}

/// The topic of this slug that the caller may use: a bank topic or one of their own.
pub async fn visible_topic(
    db: &impl ConnectionTrait,
    user: Option<UserId>,
    slug: &TopicSlug,
) -> Result<Option<topic::Model>, DbErr> {
    let owner = match user {
        Some(user) => topic::Column::OwnerId
            .is_null()
            .or(topic::Column::OwnerId.eq(user.0)),
        None => topic::Column::OwnerId.is_null(),
    };
    topic::Entity::find()
        .filter(topic::Column::Slug.eq(slug.as_str()))
        .filter(owner)
        .one(db)
        .await
}

/// Sets the caller's priority and active flag for a topic they can see.
pub async fn save_setting(
    db: &DatabaseConnection,
    user: UserId,
    slug: &TopicSlug,
    priority: Priority,
    active: bool,
) -> Result<(), AppError> {
    let topic = visible_topic(db, Some(user), slug)
        .await?
        .ok_or_else(|| AppError::NotFound("Topic".into()))?;
    user_topic::Entity::insert(user_topic::ActiveModel {
        user_id: Set(user.0),
        topic_id: Set(topic.id),
        priority: Set(i16::from(priority.get())),
        active: Set(active),
        updated_at: Set(chrono::Utc::now()),
    })
    .on_conflict(
        OnConflict::columns([user_topic::Column::UserId, user_topic::Column::TopicId])
            .update_columns([
                user_topic::Column::Priority,
                user_topic::Column::Active,
                user_topic::Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Adds a topic of the caller's own (active, normal priority). Its name must differ from
/// every bank topic's and the caller's other topics' (ignoring case).
pub async fn create(
    db: &DatabaseConnection,
    user: UserId,
    name: &TopicName,
    description: Option<&TopicDescription>,
) -> Result<TopicSlug, AppError> {
    let slug = own_slug(user, name);
    let txn = db.begin().await?;
    let taken = txn
        .query_one_raw(Statement::from_sql_and_values(
            txn.get_database_backend(),
            "SELECT \
               (SELECT COUNT(*) FROM topics WHERE owner_id = $1), \
               (SELECT COUNT(*) FROM topics \
                WHERE (owner_id IS NULL OR owner_id = $1) AND LOWER(name) = LOWER($2))",
            [user.0.into(), name.as_str().into()],
        ))
        .await?
        .ok_or(AppError::Internal)?;
    let own: i64 = taken.try_get_by_index(0)?;
    let same_name: i64 = taken.try_get_by_index(1)?;
    if same_name > 0 {
        return Err(AppError::Conflict(format!(
            "A topic called “{}” already exists.",
            name.as_str()
        )));
    }
    if own >= MAX_OWN_TOPICS as i64 {
        return Err(AppError::Conflict(format!(
            "You have {MAX_OWN_TOPICS} topics of your own, the most there can be. Delete one first."
        )));
    }
    let inserted = topic::Entity::insert(topic::ActiveModel {
        slug: Set(slug.to_string()),
        name: Set(name.as_str().to_owned()),
        category: Set(OWN_CATEGORY.to_owned()),
        owner_id: Set(Some(user.0)),
        description: Set(description.map(|d| d.as_str().to_owned())),
        ..Default::default()
    })
    .exec(&txn)
    .await;
    let topic_id = match inserted {
        Ok(done) => done.last_insert_id,
        // The same name from a parallel request: the slug is derived from it.
        Err(err) if crate::db::is_unique_violation(&err) => {
            return Err(AppError::Conflict(format!(
                "A topic called “{}” already exists.",
                name.as_str()
            )))
        }
        Err(err) => return Err(err.into()),
    };
    user_topic::Entity::insert(user_topic::ActiveModel {
        user_id: Set(user.0),
        topic_id: Set(topic_id),
        priority: Set(i16::from(Priority::DEFAULT.get())),
        active: Set(true),
        updated_at: Set(chrono::Utc::now()),
    })
    .exec_without_returning(&txn)
    .await?;
    txn.commit().await?;
    Ok(slug)
}

/// Deletes one of the caller's own topics, with their settings of it. A topic that has
/// questions (generated for it) stays: the learner's history points at them.
pub async fn delete(
    db: &DatabaseConnection,
    user: UserId,
    slug: &TopicSlug,
) -> Result<(), AppError> {
    let txn = db.begin().await?;
    let topic = topic::Entity::find()
        .filter(topic::Column::Slug.eq(slug.as_str()))
        .filter(topic::Column::OwnerId.eq(user.0))
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::NotFound("Topic".into()))?;
    let questions = txn
        .query_one_raw(Statement::from_sql_and_values(
            txn.get_database_backend(),
            "SELECT COUNT(*) FROM questions WHERE topic_id = $1",
            [topic.id.into()],
        ))
        .await?
        .ok_or(AppError::Internal)?
        .try_get_by_index::<i64>(0)?;
    if questions > 0 {
        return Err(AppError::Conflict(format!(
            "“{}” has {questions} question(s) in your history, so it stays. Turn it off instead.",
            topic.name
        )));
    }
    user_topic::Entity::delete_many()
        .filter(user_topic::Column::TopicId.eq(topic.id))
        .exec(&txn)
        .await?;
    topic::Entity::delete_by_id(topic.id).exec(&txn).await?;
    txn.commit().await?;
    Ok(())
}

/// "my-graph-theory-3fa9c2d1": readable, and unique per learner and name (the hash of both,
/// so names that differ only in letters outside ASCII still get their own slug).
fn own_slug(user: UserId, name: &TopicName) -> TopicSlug {
    use sha2::{Digest, Sha256};
    let mut words = String::new();
    for c in name.as_str().chars() {
        if c.is_ascii_alphanumeric() {
            words.push(c.to_ascii_lowercase());
        } else if !words.ends_with('-') && !words.is_empty() {
            words.push('-');
        }
        if words.len() >= 40 {
            break;
        }
    }
    let words = words.trim_end_matches('-');
    let mut hasher = Sha256::new();
    hasher.update(user.0.to_be_bytes());
    hasher.update(name.as_str().to_lowercase().as_bytes());
    let digest = crate::questions::dedup::hex(&hasher.finalize()[..4]);
    let slug = if words.is_empty() {
        format!("{}{digest}", super::OWN_SLUG_PREFIX)
    } else {
        format!("{}{words}-{digest}", super::OWN_SLUG_PREFIX)
    };
    slug.parse()
        .expect("built from lowercase letters, digits and hyphens")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_own_slug_is_readable_and_tells_names_apart() {
        let name = |raw: &str| TopicName::parse(raw).unwrap();
        let graphs = own_slug(UserId(7), &name("Graph theory!"));
        assert!(graphs.as_str().starts_with("my-graph-theory-"), "{graphs}");
        assert_eq!(graphs, own_slug(UserId(7), &name("graph THEORY!")));
        assert_ne!(graphs, own_slug(UserId(8), &name("Graph theory!")));
        let a = own_slug(UserId(7), &name("图论"));
        let b = own_slug(UserId(7), &name("树"));
        assert_ne!(a, b);
        assert!(
            own_slug(UserId(1), &name(&"long ".repeat(12)))
                .as_str()
                .len()
                <= TopicSlug::MAX
        );
    }
}

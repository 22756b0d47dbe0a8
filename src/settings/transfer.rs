//! A learner's data out and back in.
//!
//! - `GET /settings/export`: every row of theirs as one JSON document, and
//!   `GET /settings/export.csv`: every answer as a CSV row. Both are streamed: a task reads
//!   the rows from one read-only transaction (one snapshot) and writes them into the
//!   response in 32 KiB pieces, so a long history is never held in memory whole.
//! - `POST /settings/import`: a JSON export's answers put back into the caller's history
//!   (the same account or another one). Checked whole before anything is written, then
//!   written in one transaction: all or nothing. Importing the same file again changes
//!   nothing (an answer to the same question at the same instant is already there).
use crate::auth::model::CurrentUser;
use crate::clock::LocalClock;
use crate::entities::{
    challenge, llm_call, note, quiz, quiz_item, quota_usage, review_card, review_log, session,
    topic, user, user_identity, user_topic,
};
use crate::error::AppError;
use crate::types::UserId;
use axum::body::{Body, Bytes};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use futures_util::TryStreamExt;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, EntityTrait,
    QueryFilter, QueryOrder, Select, StreamTrait, TransactionTrait,
};
use tokio::sync::mpsc;

/// The format name and version an export states, and an import requires.
pub const FORMAT: &str = "promptedcode-export";
pub const VERSION: u64 = 1;
/// The largest file an import takes.
pub const IMPORT_MAX_BYTES: usize = 4 * 1024 * 1024;
/// The largest number of answers one import takes.
pub const IMPORT_MAX_ANSWERS: usize = 20_000;
const PIECE: usize = 32 * 1024;

/// Where the export task writes; the response body reads the other end.
struct Sink {
    tx: mpsc::Sender<Result<Bytes, std::io::Error>>,
    buf: Vec<u8>,
}

/// The reader went away (the download was cancelled): stop reading rows.
#[derive(Debug)]
struct Gone;

#[derive(Debug)]
enum Stop {
    Gone,
    Db(sea_orm::DbErr),
}

impl From<Gone> for Stop {
    fn from(_: Gone) -> Stop {
        Stop::Gone
    }
}

impl From<sea_orm::DbErr> for Stop {
    fn from(e: sea_orm::DbErr) -> Stop {
        Stop::Db(e)
    }
}

impl Sink {
    async fn push(&mut self, bytes: &[u8]) -> Result<(), Gone> {
        self.buf.extend_from_slice(bytes);
        if self.buf.len() >= PIECE {
            self.flush().await?;
        }
        Ok(())
    }

    async fn flush(&mut self) -> Result<(), Gone> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let piece = Bytes::from(std::mem::take(&mut self.buf));
        self.tx.send(Ok(piece)).await.map_err(|_| Gone)
    }

    /// Ends the body with an error, so the client sees a broken download rather than a
    /// complete-looking short one.
    async fn fail(self, what: &str) {
        let _ = self
            .tx
            .send(Err(std::io::Error::other(what.to_owned())))
            .await;
    }
}

/// A download whose body `write` produces from its own snapshot of the database.
fn streamed<F, Fut>(
    db: DatabaseConnection,
    content_type: &'static str,
    filename: String,
    write: F,
) -> Response
where
    F: FnOnce(DatabaseTransaction, Sink) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = (Sink, Result<(), Stop>)> + Send,
{
    let (tx, rx) = mpsc::channel(4);
    tokio::spawn(async move {
        let sink = Sink {
            tx,
            buf: Vec::with_capacity(PIECE),
        };
        let txn = match snapshot(&db).await {
            Ok(txn) => txn,
            Err(e) => {
                tracing::error!(error = %e, "export: no snapshot");
                return sink.fail("export failed").await;
            }
        };
        let (mut sink, result) = write(txn, sink).await;
        match result {
            Ok(()) => {
                let _ = sink.flush().await;
            }
            Err(Stop::Gone) => {}
            Err(Stop::Db(e)) => {
                tracing::error!(error = %e, "export stopped by a database error");
                sink.fail("export failed").await;
            }
        }
    });
    let body = Body::from_stream(tokio_stream_of(rx));
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response()
}

fn tokio_stream_of(
    mut rx: mpsc::Receiver<Result<Bytes, std::io::Error>>,
) -> impl futures_util::Stream<Item = Result<Bytes, std::io::Error>> {
    futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx))
}

/// A read-only transaction: every table of an export is read from the same snapshot.
async fn snapshot(db: &DatabaseConnection) -> Result<DatabaseTransaction, sea_orm::DbErr> {
    match db.get_database_backend() {
        DbBackend::Postgres => {
            db.begin_with_config(
                Some(sea_orm::IsolationLevel::RepeatableRead),
                Some(sea_orm::AccessMode::ReadOnly),
            )
            .await
        }
        _ => db.begin().await,
    }
}

/// The signed-in caller of a plain route, and their local day (for the file name).
async fn caller(
    state: &crate::state::AppState,
    headers: &axum::http::HeaderMap,
    once: Option<&crate::auth::server::session::SessionOnce>,
) -> Result<(CurrentUser, String), AppError> {
    let user = crate::auth::server::session::caller(state, headers, once)
        .await?
        .ok_or(AppError::Unauthorized)?;
    let day = LocalClock::of_user(&user)?.day(chrono::Utc::now());
    Ok((user, day))
}

/// `GET /settings/export`: their account, sessions, linked logins, own topics and topic
/// settings, challenges, quizzes with their items, review cards and logs, notes, quota days
/// and model calls. Each table is read by the caller's id (quiz items by their quizzes'),
/// so nothing of anyone else's can be in it. Left out: the password hash and the sessions'
/// ids (credentials, not data); the questions themselves, which are shared.
pub async fn download_export(
    axum::extract::State(state): axum::extract::State<crate::state::AppState>,
    once: Option<axum::Extension<crate::auth::server::session::SessionOnce>>,
    headers: axum::http::HeaderMap,
) -> Response {
    let (user, day) = match caller(&state, &headers, once.as_deref()).await {
        Ok(found) => found,
        Err(error) => return error.into_response(),
    };
    let me = user.id.0;
    streamed(
        state.db.clone(),
        "application/json",
        format!("promptedcode-export-{day}.json"),
        move |txn, mut sink| async move {
            let result = write_export(&txn, &mut sink, me).await;
            (sink, result)
        },
    )
}

async fn write_export(txn: &DatabaseTransaction, sink: &mut Sink, me: i64) -> Result<(), Stop> {
    use sea_orm::sea_query::Query;
    let head = serde_json::json!({
        "format": FORMAT,
        "version": VERSION,
        "exported_at": chrono::Utc::now(),
    })
    .to_string();
    sink.push(head.trim_end_matches('}').as_bytes()).await?;
    let mut account = user::Entity::find_by_id(me)
        .into_json()
        .one(txn)
        .await?
        .unwrap_or_default();
    if let Some(fields) = account.as_object_mut() {
        fields.remove("password_hash");
    }
    sink.push(format!(",\"account\":{account}").as_bytes())
        .await?;
    section(
        sink,
        txn,
        "sessions",
        session::Entity::find()
            .filter(session::Column::UserId.eq(me))
            .order_by_asc(session::Column::CreatedAt),
        &["id_hash"],
    )
    .await?;
    section(
        sink,
        txn,
        "linked_logins",
        user_identity::Entity::find().filter(user_identity::Column::UserId.eq(me)),
        &[],
    )
    .await?;
    section(
        sink,
        txn,
        "own_topics",
        topic::Entity::find().filter(topic::Column::OwnerId.eq(me)),
        &[],
    )
    .await?;
    section(
        sink,
        txn,
        "topic_settings",
        user_topic::Entity::find().filter(user_topic::Column::UserId.eq(me)),
        &[],
    )
    .await?;
    section(
        sink,
        txn,
        "challenges",
        challenge::Entity::find()
            .filter(challenge::Column::UserId.eq(me))
            .order_by_asc(challenge::Column::Id),
        &[],
    )
    .await?;
    section(
        sink,
        txn,
        "quizzes",
        quiz::Entity::find()
            .filter(quiz::Column::UserId.eq(me))
            .order_by_asc(quiz::Column::Id),
        &[],
    )
    .await?;
    let their_quizzes = Query::select()
        .column(quiz::Column::Id)
        .from(quiz::Entity)
        .and_where(quiz::Column::UserId.eq(me))
        .to_owned();
    section(
        sink,
        txn,
        "quiz_items",
        quiz_item::Entity::find().filter(quiz_item::Column::QuizId.in_subquery(their_quizzes)),
        &[],
    )
    .await?;
    section(
        sink,
        txn,
        "review_cards",
        review_card::Entity::find().filter(review_card::Column::UserId.eq(me)),
        &[],
    )
    .await?;
    section(
        sink,
        txn,
        "review_logs",
        review_log::Entity::find().filter(review_log::Column::UserId.eq(me)),
        &[],
    )
    .await?;
    section(
        sink,
        txn,
        "notes",
        note::Entity::find().filter(note::Column::UserId.eq(me)),
        &[],
    )
    .await?;
    section(
        sink,
        txn,
        "quota_days",
        quota_usage::Entity::find().filter(quota_usage::Column::UserId.eq(me)),
        &[],
    )
    .await?;
    section(
        sink,
        txn,
        "model_calls",
        llm_call::Entity::find().filter(llm_call::Column::UserId.eq(me)),
        &[],
    )
    .await?;
    sink.push(b"}").await?;
    Ok(())
}

/// `,"name":[row,row,…]`, the rows streamed from the database (`hidden` fields removed).
async fn section<E: EntityTrait>(
    sink: &mut Sink,
    txn: &DatabaseTransaction,
    name: &str,
    select: Select<E>,
    hidden: &[&str],
) -> Result<(), Stop> {
    sink.push(format!(",\"{name}\":[").as_bytes()).await?;
    let mut rows = select.into_json().stream(txn).await?;
    let mut first = true;
    while let Some(mut row) = rows.try_next().await? {
        if let Some(fields) = row.as_object_mut() {
            for field in hidden {
                fields.remove(*field);
            }
        }
        if !first {
            sink.push(b",").await?;
        }
        first = false;
        sink.push(row.to_string().as_bytes()).await?;
    }
    sink.push(b"]").await?;
    Ok(())
}

/// The CSV's columns.
pub const CSV_HEADER: &str =
    "answered_at,local_date,topic,difficulty,kind,question_id,question,chosen_option,correct,seconds\r\n";

/// `GET /settings/export.csv`: every answered question, oldest first; the chosen option
/// counts from 1; a question asked in a quiz has kind `quiz`.
pub async fn download_csv(
    axum::extract::State(state): axum::extract::State<crate::state::AppState>,
    once: Option<axum::Extension<crate::auth::server::session::SessionOnce>>,
    headers: axum::http::HeaderMap,
) -> Response {
    let (user, day) = match caller(&state, &headers, once.as_deref()).await {
        Ok(found) => found,
        Err(error) => return error.into_response(),
    };
    let clock = match LocalClock::of_user(&user) {
        Ok(clock) => clock,
        Err(error) => return error.into_response(),
    };
    let me = user.id;
    streamed(
        state.db.clone(),
        "text/csv; charset=utf-8",
        format!("promptedcode-answers-{day}.csv"),
        move |txn, mut sink| async move {
            let result = write_csv(&txn, &mut sink, me, &clock).await;
            (sink, result)
        },
    )
}

async fn write_csv(
    txn: &DatabaseTransaction,
    sink: &mut Sink,
    user: UserId,
    clock: &LocalClock,
) -> Result<(), Stop> {
    sink.push(CSV_HEADER.as_bytes()).await?;
    let statement = crate::db::portable(
        txn,
        "SELECT c.answered_at, t.slug, q.difficulty, c.quiz_id, c.question_id, q.title, \
           c.chosen_index, c.correct, c.time_taken_ms \
         FROM challenges c JOIN questions q ON q.id = c.question_id \
         JOIN topics t ON t.id = q.topic_id \
         WHERE c.user_id = $1 AND c.correct IS NOT NULL AND c.answered_at IS NOT NULL \
         ORDER BY c.answered_at, c.id",
        vec![user.0.into()],
    );
    let mut rows = txn.stream_raw(statement).await?;
    let mut line = String::with_capacity(256);
    while let Some(row) = rows.try_next().await? {
        let answered: chrono::DateTime<chrono::Utc> = row.try_get_by_index(0)?;
        let topic: String = row.try_get_by_index(1)?;
        let difficulty: String = row.try_get_by_index(2)?;
        let quiz: Option<i64> = row.try_get_by_index(3)?;
        let question: i64 = row.try_get_by_index(4)?;
        let title: String = row.try_get_by_index(5)?;
        let chosen: Option<i16> = row.try_get_by_index(6)?;
        let correct: bool = row.try_get_by_index(7)?;
        let time_ms: Option<i64> = row.try_get_by_index(8)?;
        line.clear();
        let cells = [
            answered.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            clock.local_date(answered).to_string(),
            topic,
            difficulty,
            if quiz.is_some() { "quiz" } else { "challenge" }.to_owned(),
            question.to_string(),
            title,
            chosen.map(|c| (c + 1).to_string()).unwrap_or_default(),
            correct.to_string(),
            time_ms
                .map(|ms| format!("{:.1}", ms as f64 / 1000.0))
                .unwrap_or_default(),
        ];
        for (i, cell) in cells.iter().enumerate() {
            if i > 0 {
                line.push(',');
            }
            push_csv_cell(&mut line, cell);
        }
        line.push_str("\r\n");
        sink.push(line.as_bytes()).await?;
    }
    Ok(())
}

/// One CSV cell (RFC 4180 quoting). Text that a spreadsheet would run as a formula
/// (starting with `=`, `+`, `-`, `@`, a tab or a carriage return) gets a leading `'`: a
/// question's title may come from a model, and model output is not trusted.
pub fn push_csv_cell(out: &mut String, cell: &str) {
    let formula =
        cell.starts_with(['=', '+', '-', '@', '\t', '\r']) && cell.parse::<f64>().is_err();
    let quote = formula || cell.contains([',', '"', '\n', '\r']);
    if quote {
        out.push('"');
    }
    if formula {
        out.push('\'');
    }
    for c in cell.chars() {
        if c == '"' {
            out.push('"');
        }
        out.push(c);
    }
    if quote {
        out.push('"');
    }
}

/// An answer as an export states it (`challenges` rows; the other fields are ignored).
#[derive(Debug, serde::Deserialize)]
struct ExportedAnswer {
    question_id: i64,
    chosen_index: Option<i16>,
    correct: Option<bool>,
    time_taken_ms: Option<i64>,
    created_at: chrono::DateTime<chrono::Utc>,
    answered_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Debug, serde::Deserialize)]
struct ExportFile {
    format: String,
    version: u64,
    challenges: Vec<ExportedAnswer>,
}

/// What an import did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Imported {
    pub added: u64,
    pub already_there: u64,
}

/// Reads an export file and puts its answered questions into `user`'s history: checked
/// whole first (format, version, each answer's question visible to the caller, its option
/// in range, its verdict matching the question's key, its times in order and not in the
/// future), then written in one transaction.
pub async fn import(
    db: &DatabaseConnection,
    user: UserId,
    file: &[u8],
) -> Result<Imported, AppError> {
    let refused = |message: String| AppError::invalid("file", message);
    let parsed: ExportFile = serde_json::from_slice(file).map_err(|e| {
        refused(match e.classify() {
            serde_json::error::Category::Eof => {
                "The file ends too early: it is not a complete PromptedCode export.".to_owned()
            }
            serde_json::error::Category::Syntax | serde_json::error::Category::Io => {
                "The file is not JSON: choose a PromptedCode export (.json).".to_owned()
            }
            serde_json::error::Category::Data => format!(
                "The file is not a PromptedCode export this app can read ({}).",
                short(&e.to_string())
            ),
        })
    })?;
    if parsed.format != FORMAT || parsed.version != VERSION {
        return Err(refused(format!(
            "The file is not a PromptedCode export of version {VERSION}."
        )));
    }
    let answers: Vec<(usize, ExportedAnswer)> = parsed
        .challenges
        .into_iter()
        .enumerate()
        .filter(|(_, a)| a.correct.is_some())
        .collect();
    if answers.len() > IMPORT_MAX_ANSWERS {
        return Err(refused(format!(
            "The file has {} answers; an import takes at most {IMPORT_MAX_ANSWERS}.",
            answers.len()
        )));
    }
    let mut ids: Vec<i64> = answers.iter().map(|(_, a)| a.question_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let keys = visible_keys(db, user, &ids).await?;
    let now = chrono::Utc::now();
    for (n, answer) in &answers {
        let at = format!("Answer {} of the file", n + 1);
        let Some(&key) = keys.get(&answer.question_id) else {
            return Err(refused(format!(
                "{at} is to question {}, which this account cannot see (a deleted question, or a topic of another account). Nothing was imported.",
                answer.question_id
            )));
        };
        let (Some(chosen), Some(correct), Some(answered_at)) =
            (answer.chosen_index, answer.correct, answer.answered_at)
        else {
            return Err(refused(format!(
                "{at} has a verdict but no choice or time."
            )));
        };
        if !(0..4).contains(&chosen) {
            return Err(refused(format!(
                "{at} chose option {chosen}; there are four."
            )));
        }
        if correct != (chosen == key) {
            let claim = if correct {
                "says correct but its choice is not the key"
            } else {
                "says wrong but its choice is the key"
            };
            return Err(refused(format!(
                "{at} {claim}: the file was changed. Nothing was imported."
            )));
        }
        if answered_at < answer.created_at
            || answered_at > now
            || answer.time_taken_ms.is_some_and(|t| t < 0)
        {
            return Err(refused(format!("{at} has impossible times.")));
        }
    }
    let txn = db.begin().await?;
    if ConnectionTrait::get_database_backend(&txn) == DbBackend::Postgres {
        // One import of a learner at a time: the existence checks below then hold.
        txn.execute_raw(sea_orm::Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT id FROM users WHERE id = $1 FOR UPDATE",
            vec![user.0.into()],
        ))
        .await?;
    }
    let mut added = 0;
    for (_, answer) in &answers {
        let result = txn
            .execute_raw(crate::db::portable(
                &txn,
                "INSERT INTO challenges \
                   (user_id, question_id, chosen_index, correct, time_taken_ms, created_at, answered_at) \
                 SELECT $1, $2, $3, $4, $5, $6, $7 WHERE NOT EXISTS \
                   (SELECT 1 FROM challenges WHERE user_id = $1 AND question_id = $2 AND answered_at = $7)",
                vec![
                    user.0.into(),
                    answer.question_id.into(),
                    answer.chosen_index.into(),
                    answer.correct.into(),
                    answer.time_taken_ms.into(),
                    answer.created_at.into(),
                    answer.answered_at.into(),
                ],
            ))
            .await?;
        added += result.rows_affected();
    }
    txn.commit().await?;
    Ok(Imported {
        added,
        already_there: answers.len() as u64 - added,
    })
}

fn short(text: &str) -> String {
    text.chars().take(120).collect()
}

/// The key (answer index) of each of `ids` that the caller can see: a bank question, or
/// one of a topic of their own. Others are absent.
async fn visible_keys(
    db: &DatabaseConnection,
    user: UserId,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, i16>, AppError> {
    let mut keys = std::collections::HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let placeholders: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
        let mut values: Vec<sea_orm::Value> = vec![user.0.into()];
        values.extend(chunk.iter().map(|id| sea_orm::Value::from(*id)));
        let rows = db
            .query_all_raw(crate::db::portable(
                db,
                &format!(
                    "SELECT q.id, q.answer_index FROM questions q JOIN topics t ON t.id = q.topic_id \
                     WHERE (t.owner_id IS NULL OR t.owner_id = $1) AND q.id IN ({})",
                    placeholders.join(", ")
                ),
                values,
            ))
            .await?;
        for row in rows {
            keys.insert(
                row.try_get_by_index::<i64>(0)?,
                row.try_get_by_index::<i16>(1)?,
            );
        }
    }
    Ok(keys)
}

/// `POST /settings/import`: a multipart form with the file in `file`. A plain form is sent
/// back to the settings with what happened in the address; a script gets JSON.
pub async fn upload_import(
    axum::extract::State(state): axum::extract::State<crate::state::AppState>,
    once: Option<axum::Extension<crate::auth::server::session::SessionOnce>>,
    headers: axum::http::HeaderMap,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let page = crate::request::wants_page(&headers);
    let outcome = async {
        let user = crate::auth::server::session::caller(&state, &headers, once.as_deref())
            .await?
            .ok_or(AppError::Unauthorized)?;
        let file = read_file(multipart).await?;
        import(&state.db, user.id, &file).await
    }
    .await;
    match (outcome, page) {
        (Ok(done), true) => redirect(&format!(
            "/settings?imported={}&already={}#data",
            done.added, done.already_there
        )),
        (Ok(done), false) => axum::Json(done).into_response(),
        (Err(AppError::Unauthorized), true) => redirect("/login?next=/settings"),
        (Err(error), true) => redirect(&format!(
            "/settings?import_error={}#data",
            crate::ui::encode_query_value(&error.to_string())
        )),
        (Err(error), false) => error.into_response(),
    }
}

fn redirect(to: &str) -> Response {
    (
        axum::http::StatusCode::SEE_OTHER,
        [(header::LOCATION, to.to_owned())],
    )
        .into_response()
}

async fn read_file(
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Vec<u8>, AppError> {
    let mut multipart = multipart.map_err(|_| {
        AppError::BadRequest("Send the file as a multipart form (field \"file\").".into())
    })?;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| AppError::BadRequest("The upload could not be read.".into()))?
    {
        if field.name() == Some("file") {
            let bytes = field
                .bytes()
                .await
                .map_err(|_| AppError::BadRequest("The upload could not be read.".into()))?;
            if bytes.is_empty() {
                return Err(AppError::invalid(
                    "file",
                    "Choose an export file to import.",
                ));
            }
            return Ok(bytes.to_vec());
        }
    }
    Err(AppError::invalid(
        "file",
        "Choose an export file to import.",
    ))
}

#[cfg(test)]
mod tests {
    use super::push_csv_cell;

    fn cell(text: &str) -> String {
        let mut out = String::new();
        push_csv_cell(&mut out, text);
        out
    }

    #[test]
    fn cells_are_quoted_and_formulas_defused() {
        assert_eq!(cell("plain"), "plain");
        assert_eq!(cell("a, b"), "\"a, b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("two\nlines"), "\"two\nlines\"");
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("@SUM(A1)"), "\"'@SUM(A1)\"");
        assert_eq!(cell("-1.5"), "-1.5", "a number stays a number");
    }
}

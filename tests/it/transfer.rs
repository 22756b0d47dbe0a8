//! A learner's answers out and back in, over HTTP on both backends: the CSV export holds
//! every answer of theirs and nobody else's; a JSON export imported into another account
//! gives the same history, and importing it again (or into the same account) adds nothing;
//! a changed, cut-off, foreign or oversized file is refused with a clear message and
//! changes nothing.
use crate::common;

use common::app::TestApp;
use common::Backend;
use reqwest::StatusCode;
use serde_json::Value;

/// Answers `n` questions of `topic`, difficulties in turn (choice `i % 4` for the i-th,
/// so some are wrong).
async fn answer_some(app: &TestApp, cookie: &str, topic: &str, n: usize) {
    for i in 0..n {
        let difficulty = ["easy", "medium", "hard"][i % 3];
        let (status, challenge) = app
            .call(
                "/api/challenge/next",
                &[("topic", topic), ("difficulty", difficulty)],
                cookie,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{challenge}");
        let id = challenge["id"].to_string();
        let choice = (i % 4).to_string();
        let (status, _) = app
            .call(
                "/api/challenge/answer",
                &[("id", &id), ("choice", &choice)],
                cookie,
            )
            .await;
        assert_eq!(status, StatusCode::OK);
    }
}

async fn download(app: &TestApp, path: &str, cookie: &str) -> (String, String) {
    let response = app
        .client
        .get(format!("{}{path}", app.base))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    let kind = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    (kind, response.text().await.unwrap())
}

/// Posts `file` as the multipart form a browser sends.
async fn import(app: &TestApp, cookie: &str, file: &[u8]) -> (StatusCode, Value) {
    let boundary = "----promptedcode-test-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"export.json\"\r\nContent-Type: application/json\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let response = app
        .client
        .post(format!("{}/settings/import", app.base))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .header("accept", "application/json")
        .header("origin", &app.base)
        .header("cookie", cookie)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// The history as a learner sees it: (title, topic, difficulty, outcome, time) per row.
async fn history(app: &TestApp, cookie: &str) -> Vec<(String, String, String, String, String)> {
    let mut rows = Vec::new();
    for page in 1.. {
        let (status, data) = app
            .call("/api/history", &[("page", &page.to_string())], cookie)
            .await;
        assert_eq!(status, StatusCode::OK, "{data}");
        for entry in data["entries"].as_array().unwrap() {
            rows.push((
                entry["title"].as_str().unwrap().to_owned(),
                entry["topic"].as_str().unwrap().to_owned(),
                entry["difficulty"].to_string(),
                entry["outcome"].to_string(),
                entry["created_at"].to_string(),
            ));
        }
        if data["has_older"] != true {
            break;
        }
    }
    rows
}

async fn the_csv_holds_every_answer_of_the_caller(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[]).await;
    let ann = app.register("ann@example.com").await;
    let bob = app.register("bob@example.com").await;
    answer_some(&app, &ann, "sql", 5).await;
    answer_some(&app, &bob, "graphs", 2).await;

    let (kind, csv) = download(&app, "/settings/export.csv", &ann).await;
    assert_eq!(kind, "text/csv; charset=utf-8");
    let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(
        lines[0],
        "answered_at,local_date,topic,difficulty,kind,question_id,question,chosen_option,correct,seconds"
    );
    assert_eq!(lines.len(), 6, "a header and five answers: {csv}");
    let choices: Vec<&str> = lines[1..]
        .iter()
        .map(|l| l.rsplit(',').nth(2).unwrap())
        .collect();
    assert_eq!(choices, ["1", "2", "3", "4", "1"], "1-based, oldest first");
    for line in &lines[1..] {
        assert!(
            line.contains(",sql,") && line.contains(",challenge,"),
            "{line}"
        );
        assert!(
            line.contains(",true,") || line.contains(",false,"),
            "{line}"
        );
    }
    let (status, data) = app.call("/api/stats", &[], &ann).await;
    assert_eq!(status, StatusCode::OK);
    let rights = lines[1..].iter().filter(|l| l.contains(",true,")).count();
    assert_eq!(data["correct"], rights, "the verdicts are the app's");
    assert!(!csv.contains(",graphs,"), "nothing of Bob's");
    assert_eq!(
        app.get("/settings/export.csv").await.status(),
        StatusCode::UNAUTHORIZED
    );
}

async fn an_export_imports_into_another_account_once(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[]).await;
    let ann = app.register("ann@example.com").await;
    let bob = app.register("bob@example.com").await;
    answer_some(&app, &ann, "sql", 6).await;
    answer_some(&app, &ann, "stack", 3).await;
    let (_, export) = download(&app, "/settings/export", &ann).await;
    let anns = history(&app, &ann).await;
    assert_eq!(anns.len(), 9);

    let (status, done) = import(&app, &bob, export.as_bytes()).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done, serde_json::json!({"added": 9, "already_there": 0}));
    assert_eq!(history(&app, &bob).await, anns, "the same history");

    let (status, again) = import(&app, &bob, export.as_bytes()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        again,
        serde_json::json!({"added": 0, "already_there": 9}),
        "idempotent"
    );
    let (_, own) = import(&app, &ann, export.as_bytes()).await;
    assert_eq!(
        own,
        serde_json::json!({"added": 0, "already_there": 9}),
        "into the same account"
    );
    assert_eq!(history(&app, &bob).await.len(), 9);
    let (_, progress) = app.call("/api/progress", &[], &bob).await;
    assert_eq!(
        progress["answered"], 9,
        "the imported answers count in the figures"
    );
}

async fn a_changed_or_cut_file_is_refused_whole(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[]).await;
    let ann = app.register("ann@example.com").await;
    let bob = app.register("bob@example.com").await;
    answer_some(&app, &ann, "sql", 4).await;
    let (_, export) = download(&app, "/settings/export", &ann).await;
    let document: Value = serde_json::from_str(&export).unwrap();

    let mut tampered = document.clone();
    let first = &mut tampered["challenges"][1];
    let flipped = !first["correct"].as_bool().unwrap();
    first["correct"] = Value::Bool(flipped);
    let mut out_of_range = document.clone();
    out_of_range["challenges"][0]["chosen_index"] = Value::from(7);
    let mut wrong_format = document.clone();
    wrong_format["format"] = Value::from("someone-elses-export");
    let mut unknown_question = document.clone();
    unknown_question["challenges"][3]["question_id"] = Value::from(987_654_321);
    let mut future = document.clone();
    future["challenges"][2]["answered_at"] = Value::from("2999-01-01T00:00:00Z");

    let cases: Vec<(Vec<u8>, &str)> = vec![
        (tampered.to_string().into_bytes(), "the file was changed"),
        (out_of_range.to_string().into_bytes(), "there are four"),
        (
            wrong_format.to_string().into_bytes(),
            "not a PromptedCode export",
        ),
        (unknown_question.to_string().into_bytes(), "cannot see"),
        (future.to_string().into_bytes(), "impossible times"),
        (
            export.as_bytes()[..export.len() / 2].to_vec(),
            "ends too early",
        ),
        (b"id,question\n1,2\n".to_vec(), "is not JSON"),
    ];
    for (file, says) in cases {
        let (status, body) = import(&app, &bob, &file).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{says}: {body}");
        assert_eq!(body["field"], "file");
        assert!(
            body["message"].as_str().unwrap().contains(says),
            "{says}: {body}"
        );
    }
    assert!(history(&app, &bob).await.is_empty(), "nothing was written");

    let (status, body) = import(&app, &bob, &vec![b' '; 5 * 1024 * 1024]).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    let (status, _) = import(&app, &bob, b"").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "no file");
}

over_http_on_both_backends!(
    the_csv_holds_every_answer_of_the_caller,
    an_export_imports_into_another_account_once,
    a_changed_or_cut_file_is_refused_whole,
);

//! Roles: `ADMIN_EMAILS` makes admins, and admin-only routes refuse everyone else with
//! 403 (401 signed out), checked by the inventory's layer before the handler runs.
use crate::common;

use common::app::TestApp;
use common::Backend;
use reqwest::StatusCode;

async fn only_admins_see_the_figures(backend: Backend) {
    let app =
        TestApp::spawn_with(backend, &[("ADMIN_EMAILS", "boss@example.com".to_owned())]).await;
    let boss = app.register("boss@example.com").await;
    let learner = app.register("learner@example.com").await;

    let (status, figures) = app.call("/api/admin/overview", &[], &boss).await;
    assert_eq!(status, StatusCode::OK, "{figures}");
    assert_eq!(
        (figures["users"].as_i64(), figures["admins"].as_i64()),
        (Some(2), Some(1))
    );
    assert_eq!(figures["users_new_this_week"].as_i64(), Some(2));
    assert!(
        figures["bank_questions"].as_i64().unwrap() >= 300,
        "{figures}"
    );

    let (status, body) = app.call("/api/admin/overview", &[], &learner).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body.get("users").is_none());
    let anonymous = app.post_form("/api/admin/overview", &[], None).await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);

    let page = |cookie: &str| {
        app.client
            .get(format!("{}/admin", app.base))
            .header("cookie", cookie.to_owned())
            .send()
    };
    let refused = page(&learner).await.unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let html = refused.text().await.unwrap();
    assert!(
        html.contains("for admins only") && !html.contains("admin-figures"),
        "{html}"
    );
    let shown = page(&boss).await.unwrap();
    assert_eq!(shown.status(), StatusCode::OK);
    let html = shown.text().await.unwrap();
    assert!(
        html.contains("data-testid=\"admin-figures\"")
            && html.contains("data-testid=\"admin-link\"")
    );
    let learner_home = app.page_as("/", &learner).await;
    assert!(
        !learner_home.contains("admin-link"),
        "no Admin link for a learner"
    );
    app.test_db.teardown().await;
}

over_http_on_both_backends!(only_admins_see_the_figures);

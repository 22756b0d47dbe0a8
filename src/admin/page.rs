//! `/admin`: the usage figures. Anyone else sees why not (and gets a 403 page).
use super::model::AdminOverview;
use crate::error::AppError;
use crate::ui::{use_error_status, SignInPrompt};
use leptos::prelude::*;

#[component]
pub fn AdminPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| Box::pin(super::api::overview()));
    view! {
        <section class="page">
            <header class="page-header">
                <h1>"Admin"</h1>
            </header>
            <Suspense fallback=|| view! { <div class="card skeleton" aria-busy="true">"Loading the figures…"</div> }>
                {move || data.get().map(|result| match result {
                    Err(AppError::Unauthorized) => view! {
                        <SignInPrompt message="Log in as an admin to see this page." next="/admin" />
                    }
                    .into_any(),
                    Err(e) => {
                        use_error_status(&e);
                        let message = if matches!(e, AppError::Forbidden) {
                            "This page is for admins only.".to_owned()
                        } else {
                            e.to_string()
                        };
                        view! { <p class="card form-error" role="alert" data-testid="admin-refused">{message}</p> }.into_any()
                    }
                    Ok(figures) => view! { <Figures figures /> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn Figures(figures: AdminOverview) -> impl IntoView {
    let rows = [
        ("Accounts", figures.users),
        ("Admins", figures.admins),
        ("New accounts, last 7 days", figures.users_new_this_week),
        ("Linked provider logins", figures.provider_logins),
        ("Bank questions", figures.bank_questions),
        ("AI questions", figures.ai_questions),
        ("Retired questions", figures.retired_questions),
        ("Answers, last 24 h", figures.answers_last_day),
        ("Model calls, last 24 h", figures.model_calls_last_day),
        ("Failed model calls, last 24 h", figures.model_calls_failed_last_day),
        ("Tokens, last 24 h", figures.tokens_last_day),
    ]
    .into_iter()
    .map(|(label, value)| view! { <tr><th scope="row">{label}</th><td data-testid="figure">{value.to_string()}</td></tr> })
    .collect_view();
    view! {
        <table class="card figures" data-testid="admin-figures">
            <caption class="muted">"Usage"</caption>
            <tbody>{rows}</tbody>
        </table>
    }
}

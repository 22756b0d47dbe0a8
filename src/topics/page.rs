//! The topics page: every topic the learner can practise, each with its priority and
//! active flag (a small plain form per topic, so it works before any script and with the
//! keyboard alone), and a form to add a topic of their own.
use super::api::{CreateTopic, DeleteTopic, SaveTopic};
use super::model::{TopicDescription, TopicName, TopicSetting, TopicsPageData};
use crate::error::AppError;
use crate::types::Priority;
use crate::ui::{form_error, SignInPrompt};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_query_map;

/// What the address says happened: a form's error (sent back by the server when the form
/// was posted without script), the topic just saved, or a deletion.
#[derive(Clone, Default)]
struct Outcome {
    error: Option<(&'static str, AppError)>,
    saved: Option<String>,
    deleted: bool,
}

fn read_outcome() -> Outcome {
    let error = form_error::<SaveTopic>()
        .map(|e| ("save", e))
        .or_else(|| form_error::<CreateTopic>().map(|e| ("create", e)))
        .or_else(|| form_error::<DeleteTopic>().map(|e| ("delete", e)));
    let query = use_query_map();
    query.with_untracked(|q| Outcome {
        error,
        saved: q.get("saved").filter(|s| !s.is_empty()),
        deleted: q.get("deleted").is_some(),
    })
}

#[component]
pub fn TopicsPage() -> impl IntoView {
    let outcome = read_outcome();
    let data = Resource::new(|| (), |_| Box::pin(super::api::my_topics()));
    view! {
        <section class="page">
            <header class="page-header">
                <h1>"Topics"</h1>
                <p class="muted">
                    "Choose what you practise. Your daily quiz takes the active topics, highest priority first."
                </p>
            </header>
            <Suspense fallback=|| view! { <div class="card skeleton" aria-busy="true">"Loading topics…"</div> }>
                {move || {
                    let outcome = outcome.clone();
                    data.get().map(move |result| match result {
                        Err(AppError::Unauthorized) => view! {
                            <SignInPrompt message="Log in to choose your topics." next="/topics" />
                        }
                        .into_any(),
                        Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                        Ok(data) => view! { <TopicsView data outcome /> }.into_any(),
                    })
                }}
            </Suspense>
        </section>
    }
}

#[component]
fn TopicsView(data: TopicsPageData, outcome: Outcome) -> impl IntoView {
    let banner = match &outcome.error {
        Some((form, e)) if *form != "create" => {
            Some(view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any())
        }
        _ if outcome.deleted => {
            Some(view! { <p class="notice" role="status">"Topic deleted."</p> }.into_any())
        }
        _ => None,
    };
    let create_error = match outcome.error {
        Some(("create", e)) => Some(e),
        _ => None,
    };
    let ai_enabled = data.ai_enabled;
    let saved = outcome.saved;
    let rows = data
        .topics
        .into_iter()
        .map(|topic| {
            let just_saved = saved.as_deref() == Some(topic.slug.as_str());
            view! { <TopicRow topic ai_enabled just_saved /> }
        })
        .collect_view();
    view! {
        {banner}
        <ul class="topic-list" aria-label="Your topics">{rows}</ul>
        <NewTopicForm error=create_error />
    }
}

#[component]
fn TopicRow(topic: TopicSetting, ai_enabled: bool, just_saved: bool) -> impl IntoView {
    let slug = topic.slug.to_string();
    let priority_id = format!("priority-{slug}");
    let active_id = format!("active-{slug}");
    let availability = match (topic.questions, ai_enabled) {
        (0, true) => "No questions yet: AI generation writes them when you practise it.".to_owned(),
        (0, false) => {
            "No questions yet, and no AI model is configured: this topic cannot be practised until one is.".to_owned()
        }
        (1, _) => "1 question".to_owned(),
        (n, _) => format!("{n} questions"),
    };
    let options = Priority::ALL
        .into_iter()
        .map(|p| {
            view! { <option value=p.get().to_string() selected=p == topic.priority>{p.label()}</option> }
        })
        .collect_view();
    let delete = topic.own.then(|| {
        view! {
            <form method="post" action=DeleteTopic::PATH class="inline">
                <input type="hidden" name="topic" value=slug.clone() />
                <button type="submit" class="button danger" aria-label=format!("Delete {}", topic.name)>"Delete"</button>
            </form>
        }
    });
    view! {
        <li class="card topic-row" id=format!("topic-{slug}") class:inactive=!topic.active data-testid="topic-row">
            <div class="topic-about">
                <h2 class="topic-name">
                    {topic.name.clone()}
                    {topic.own.then(|| view! { <span class="badge">"Your topic"</span> })}
                </h2>
                {topic.description.map(|d| view! { <p class="muted">{d}</p> })}
                <p class="muted topic-count">{availability}</p>
            </div>
            <form method="post" action=SaveTopic::PATH class="topic-settings">
                <input type="hidden" name="topic" value=slug.clone() />
                <div class="field">
                    <label for=priority_id.clone()>"Priority"</label>
                    <select id=priority_id.clone() name="priority">{options}</select>
                </div>
                <label class="check" for=active_id.clone()>
                    <input type="checkbox" id=active_id.clone() name="active" value="true" checked=topic.active />
                    "Active"
                </label>
                <button type="submit" class="button" aria-label=format!("Save {}", topic.name)>"Save"</button>
                {just_saved.then(|| view! { <span class="saved" role="status">"Saved ✓"</span> })}
            </form>
            {delete}
        </li>
    }
}

#[component]
fn NewTopicForm(error: Option<AppError>) -> impl IntoView {
    let name_error = error
        .as_ref()
        .and_then(|e| e.message_for("name").map(str::to_owned));
    let description_error = error
        .as_ref()
        .and_then(|e| e.message_for("description").map(str::to_owned));
    let other_error = error.filter(|e| e.field().is_none()).map(|e| e.to_string());
    view! {
        <form method="post" action=CreateTopic::PATH class="card stack new-topic" aria-labelledby="new-topic-title">
            <h2 id="new-topic-title">"Add a topic of your own"</h2>
            {other_error.map(|m| view! { <p class="form-error" role="alert">{m}</p> })}
            <label for="topic-name">"Name"</label>
            <input
                id="topic-name"
                name="name"
                required
                maxlength=TopicName::MAX_CHARS.to_string()
                aria-invalid=name_error.is_some().then_some("true")
                aria-describedby=name_error.is_some().then_some("topic-name-error")
            />
            {name_error.map(|m| view! { <p class="field-error" id="topic-name-error">{m}</p> })}
            <label for="topic-description">"Description " <span class="muted">"(optional)"</span></label>
            <textarea
                id="topic-description"
                name="description"
                rows="2"
                maxlength=TopicDescription::MAX_CHARS.to_string()
                aria-invalid=description_error.is_some().then_some("true")
                aria-describedby=description_error.is_some().then_some("topic-description-error")
            ></textarea>
            {description_error.map(|m| view! { <p class="field-error" id="topic-description-error">{m}</p> })}
            <button type="submit" class="button primary">"Add topic"</button>
        </form>
    }
}

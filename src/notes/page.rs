//! `/notes`: the learner's notes with their questions, each editable in place (plain
//! forms), and `NoteEditor`, the same small form wherever a question appears.
use super::api::{DeleteNote, SaveNote};
use super::model::{Editing, Note, NoteBody, NotesPageData};
use crate::error::AppError;
use crate::review::FlagButton;
use crate::types::QuestionId;
use crate::ui::{form_error, SignInPrompt};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_query_map;

/// A note's form: the text, Save, and Delete when there is a note; folded away until
/// opened when there is none (unless `open`). After posting, the browser comes back to
/// `next`.
#[component]
pub fn NoteEditor(
    question: QuestionId,
    body: Option<String>,
    next: String,
    #[prop(optional)] open: bool,
) -> impl IntoView {
    let id = format!("note-{question}");
    let has_note = body.is_some();
    view! {
        <details class="note-editor" open=open || has_note>
            <summary>{if has_note { "Your note" } else { "Add a note" }}</summary>
            <form method="post" action=SaveNote::PATH class="stack" data-testid="note-form">
                <input type="hidden" name="question" value=question.to_string() />
                <input type="hidden" name="next" value=next.clone() />
                <label for=id.clone() class="sr-only">"Note (private)"</label>
                <textarea id=id name="body" rows="3" required maxlength=NoteBody::MAX_CHARS.to_string()
                    placeholder="What tripped you up, and how to spot it next time (only you see this)">{body.unwrap_or_default()}</textarea>
                <div class="actions">
                    <button type="submit" class="button" data-testid="note-save">"Save note"</button>
                </div>
            </form>
            {has_note.then(|| view! {
                <form method="post" action=DeleteNote::PATH class="inline">
                    <input type="hidden" name="question" value=question.to_string() />
                    <input type="hidden" name="next" value=next />
                    <button type="submit" class="button subtle" data-testid="note-delete">"Delete note"</button>
                </form>
            })}
        </details>
    }
}

#[component]
pub fn NotesPage() -> impl IntoView {
    let question = use_query_map().with_untracked(|q| {
        q.get("question")
            .and_then(|id| id.parse::<i64>().ok())
            .map(QuestionId)
    });
    let error = form_error::<SaveNote>().or_else(form_error::<DeleteNote>);
    let data = Resource::new(
        move || question,
        |question| Box::pin(super::api::my_notes(question)),
    );
    view! {
        <section class="page">
            <header class="page-header">
                <h1>"Notebook"</h1>
                <p class="muted">"Your private notes on questions: what went wrong, and how to get it right next time."</p>
            </header>
            {error.map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })}
            <Suspense fallback=|| view! { <div class="card skeleton" aria-busy="true">"Loading your notes…"</div> }>
                {move || data.get().map(|result| match result {
                    Err(AppError::Unauthorized) => view! {
                        <SignInPrompt message="Log in to keep notes on questions." next="/notes" />
                    }.into_any(),
                    Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                    Ok(data) => view! { <NotesView data /> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn NotesView(data: NotesPageData) -> impl IntoView {
    let editing = data.editing.map(|Editing { note, in_review }| {
        let question = note.question;
        let back = format!("/notes?question={question}");
        let review = if in_review {
            view! { <p class="muted" data-testid="in-review">"In your review queue."</p> }.into_any()
        } else {
            view! { <FlagButton question next=back.clone() /> }.into_any()
        };
        let editor = note.body.is_empty().then(|| {
            view! { <NoteEditor question body=None next="/notes".to_owned() open=true /> }
        });
        view! {
            <div class="card" data-testid="note-question">
                <h2>{note.title}</h2>
                <p class="muted">{note.topic}{(!note.updated.is_empty()).then_some(" · your note is below")}</p>
                {review}
                {editor}
            </div>
        }
    });
    let empty = data.notes.is_empty().then(|| {
        view! {
            <div class="card empty">
                <p>"No notes yet. Add one under any question you answer: in a review, or in a quiz's result."</p>
                <a href="/review" class="button">"Go to your reviews"</a>
            </div>
        }
    });
    let notes = data
        .notes
        .into_iter()
        .map(|note| view! { <NoteItem note /> })
        .collect_view();
    view! {
        {editing}
        {empty}
        <ol class="notes" aria-label="Notes">{notes}</ol>
    }
}

#[component]
fn NoteItem(note: Note) -> impl IntoView {
    view! {
        <li class="card note" id=format!("note-item-{}", note.question) data-testid="note-item">
            <div class="badges">
                <span class="badge">{note.topic}</span>
                <span class="muted">{format!("Updated {}", note.updated)}</span>
            </div>
            <h2>{note.title}</h2>
            <NoteEditor question=note.question body=Some(note.body)
                next=format!("/notes#note-item-{}", note.question) />
        </li>
    }
}

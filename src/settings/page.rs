//! The settings page, all plain forms and links (they work before any script and with the
//! keyboard alone): the profile (display name and time zone), the learner's sessions and
//! the download of all their data.
use super::api::{DeleteAccount, EndOtherSessions, EndSession, SaveProfile, UnlinkLogin};
use super::model::{LinkedLogin, SessionInfo, SettingsPageData};
use crate::auth::model::{AuthFailure, ProviderLink};
use crate::error::AppError;
use crate::ui::{form_error, SignInPrompt};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_query_map;

#[component]
pub fn SettingsPage() -> impl IntoView {
    let error = form_error::<SaveProfile>();
    let session_error = form_error::<EndSession>().or_else(form_error::<EndOtherSessions>);
    let (saved, ended) =
        use_query_map().with_untracked(|q| (q.get("saved").is_some(), q.get("ended").is_some()));
    let logins_notice = LoginsNotice::read();
    let delete_error = form_error::<DeleteAccount>();
    let data = Resource::new(|| (), |_| Box::pin(super::api::my_settings()));
    view! {
        <section class="page">
            <header class="page-header">
                <h1>"Settings"</h1>
            </header>
            <Suspense fallback=|| view! { <div class="card skeleton" aria-busy="true">"Loading settings…"</div> }>
                {move || {
                    let (error, session_error) = (error.clone(), session_error.clone());
                    let (logins_notice, delete_error) = (logins_notice.clone(), delete_error.clone());
                    data.get().map(move |result| match result {
                        Err(AppError::Unauthorized) => view! {
                            <SignInPrompt message="Log in to change your settings." next="/settings" />
                        }
                        .into_any(),
                        Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                        Ok(mut data) => {
                            let sessions = std::mem::take(&mut data.sessions);
                            let logins = std::mem::take(&mut data.logins);
                            let linkable = std::mem::take(&mut data.linkable);
                            let email = data.email.clone();
                            view! {
                                <ProfileForm data error saved />
                                <section class="card stack" aria-labelledby="plan-title">
                                    <h2 id="plan-title">"Study plan"</h2>
                                    <p class="muted">"Your interview date, topics and daily goal: the wizard makes a day-by-day plan of them, and running it again edits the plan."</p>
                                    <p><a href="/wizard" class="button" data-testid="settings-wizard">"Open the plan wizard"</a></p>
                                </section>
                                <LinkedLogins logins linkable notice=logins_notice />
                                <Sessions sessions error=session_error ended />
                                <YourData />
                                <DeleteAccountForm email error=delete_error />
                            }
                            .into_any()
                        }
                    })
                }}
            </Suspense>
        </section>
    }
}

#[component]
fn ProfileForm(data: SettingsPageData, error: Option<AppError>, saved: bool) -> impl IntoView {
    let field_error = |field: &str| {
        error
            .as_ref()
            .and_then(|e| e.message_for(field).map(str::to_owned))
    };
    let (name_error, zone_error) = (field_error("display_name"), field_error("time_zone"));
    let other_error = error.filter(|e| e.field().is_none()).map(|e| e.to_string());
    let current = data.time_zone.clone();
    let zones = data
        .zones
        .into_iter()
        .map(|zone| {
            let selected = zone == current;
            view! { <option selected=selected>{zone}</option> }
        })
        .collect_view();
    view! {
        <form method="post" action=SaveProfile::PATH class="card stack" aria-labelledby="profile-title" data-testid="profile-form">
            <h2 id="profile-title">"Profile"</h2>
            <p class="muted">"Signed in as " {data.email}</p>
            {other_error.map(|m| view! { <p class="form-error" role="alert">{m}</p> })}
            {saved.then(|| view! { <p class="notice" role="status" data-testid="settings-saved">"Saved ✓"</p> })}
            <label for="settings-name">"Display name"</label>
            <input id="settings-name" name="display_name" autocomplete="nickname" maxlength="80"
                value=data.display_name
                aria-invalid=name_error.is_some().then_some("true")
                aria-describedby=name_error.is_some().then_some("settings-name-error") />
            {name_error.map(|m| view! { <p class="field-error" id="settings-name-error">{m}</p> })}
            <label for="settings-zone">"Time zone"</label>
            <select id="settings-zone" name="time_zone" aria-describedby="settings-zone-hint"
                aria-invalid=zone_error.is_some().then_some("true")>{zones}</select>
            <p class="muted" id="settings-zone-hint">
                "Your day starts at midnight here: the AI quota, the daily quiz and the reviews due follow it, daylight saving included, and times are shown in it."
            </p>
            {zone_error.map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
            <button type="submit" class="button primary">"Save"</button>
        </form>
    }
}

/// Where the learner is signed in: this device first; each other one can be signed out,
/// or all of them at once.
#[component]
fn Sessions(sessions: Vec<SessionInfo>, error: Option<AppError>, ended: bool) -> impl IntoView {
    let others = sessions.iter().filter(|s| !s.current).count();
    let rows = sessions
        .into_iter()
        .map(|session| {
            let action = if session.current {
                view! { <span class="badge" data-testid="this-session">"This device"</span> }.into_any()
            } else {
                let label = format!("Sign out {} (last seen {})", session.device, session.last_seen);
                view! {
                    <form method="post" action=EndSession::PATH class="inline">
                        <input type="hidden" name="id" value=session.id />
                        <button type="submit" class="button" aria-label=label>"Sign out"</button>
                    </form>
                }
                .into_any()
            };
            view! {
                <li class="session-row" data-testid="session-row">
                    <div>
                        <strong>{session.device}</strong>
                        <p class="muted">"Signed in " {session.signed_in} " · last seen " {session.last_seen}</p>
                    </div>
                    {action}
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="card stack" id="sessions" aria-labelledby="sessions-title">
            <h2 id="sessions-title">"Sessions"</h2>
            {error.map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })}
            {ended.then(|| view! { <p class="notice" role="status" data-testid="sessions-ended">"Signed out ✓"</p> })}
            <ul class="session-list" aria-label="Where you are signed in">{rows}</ul>
            {(others > 0).then(|| view! {
                <form method="post" action=EndOtherSessions::PATH>
                    <button type="submit" class="button danger" data-testid="end-other-sessions">
                        {if others == 1 { "Sign out the other session".to_owned() } else { format!("Sign out all {others} other sessions") }}
                    </button>
                </form>
            })}
        </section>
    }
}

#[component]
fn YourData() -> impl IntoView {
    let (imported, already, error) = use_query_map().with_untracked(|q| {
        (
            q.get("imported").and_then(|n| n.parse::<u64>().ok()),
            q.get("already")
                .and_then(|n| n.parse::<u64>().ok())
                .unwrap_or(0),
            q.get("import_error"),
        )
    });
    let done = imported.map(|added| match (added, already) {
        (0, 0) => "The file has no answers to import.".to_owned(),
        (0, n) => format!("Nothing new: all {n} answers of the file are already in your history."),
        (a, 0) => format!("Imported {a} answers into your history ✓"),
        (a, n) => format!("Imported {a} answers ✓ ({n} were already in your history)."),
    });
    view! {
        <section class="card stack" id="data" aria-labelledby="data-title">
            <h2 id="data-title">"Your data"</h2>
            <p class="muted">
                "Everything the app keeps of yours (account, sessions, linked logins, topics, challenges, quizzes, reviews, notes, quota days) as one JSON file, or every answer as a CSV table. Your password is not in them."
            </p>
            <p class="actions">
                <a href="/settings/export" class="button" download data-testid="export-data">"Download my data (JSON)"</a>
                <a href="/settings/export.csv" class="button" download data-testid="export-csv">"Download my answers (CSV)"</a>
            </p>
            <form method="post" action="/settings/import" enctype="multipart/form-data" class="stack" data-testid="import-form">
                <label for="import-file">"Import answers from a JSON export"</label>
                <input id="import-file" type="file" name="file" accept="application/json,.json" required
                    aria-describedby="import-hint" />
                <p class="muted" id="import-hint">"The answers of an export (from this account or another one on this site) join your history. Importing the same file again adds nothing; a changed or cut-off file is refused whole."</p>
                {done.map(|m| view! { <p class="notice" role="status" data-testid="import-done">{m}</p> })}
                {error.map(|m| view! { <p class="form-error" role="alert" data-testid="import-error">{m}</p> })}
                <button type="submit" class="button">"Import"</button>
            </form>
        </section>
    }
}

/// What the "Linked logins" section says after a link, an unlink or a failure (the server
/// sends these back in the address).
#[derive(Clone, Default)]
struct LoginsNotice {
    done: Option<&'static str>,
    error: Option<String>,
}

impl LoginsNotice {
    fn read() -> Self {
        let unlink_error = form_error::<UnlinkLogin>().map(|e| e.to_string());
        use_query_map().with_untracked(|q| {
            let provider = q.get("provider").unwrap_or_default();
            let failure = q
                .get("auth_error")
                .and_then(|code| AuthFailure::from_code(&code))
                .map(|f| {
                    f.message(if provider.is_empty() {
                        "The provider"
                    } else {
                        &provider
                    })
                });
            LoginsNotice {
                done: if q.get("linked").is_some() {
                    Some("Linked ✓ You can now sign in with it.")
                } else if q.get("unlinked").is_some() {
                    Some("Unlinked ✓")
                } else {
                    None
                },
                error: failure.or(unlink_error),
            }
        })
    }
}

/// The provider logins that sign in as this account; each can be unlinked unless it is
/// the last way in, and each configured provider not linked yet can be.
#[component]
fn LinkedLogins(
    logins: Vec<LinkedLogin>,
    linkable: Vec<ProviderLink>,
    notice: LoginsNotice,
) -> impl IntoView {
    let empty = logins.is_empty();
    let rows = logins
        .into_iter()
        .map(|login| {
            let label = format!("Unlink {}", login.provider);
            let action = if login.last_way_in {
                view! { <span class="muted">"Your only way to sign in"</span> }.into_any()
            } else {
                view! {
                    <form method="post" action=UnlinkLogin::PATH class="inline">
                        <input type="hidden" name="id" value=login.id.to_string() />
                        <button type="submit" class="button" aria-label=label>"Unlink"</button>
                    </form>
                }
                .into_any()
            };
            view! {
                <li class="session-row" data-testid="linked-login">
                    <div>
                        <strong>{login.provider}</strong>
                        <p class="muted">{login.email.unwrap_or_default()} " · linked " {login.linked}</p>
                    </div>
                    {action}
                </li>
            }
        })
        .collect_view();
    let links = linkable
        .into_iter()
        .map(|p| {
            let href = format!("/auth/link/{}", p.id);
            view! { <a class="button" href=href>{format!("Link {}", p.name)}</a> }
        })
        .collect_view();
    view! {
        <section class="card stack" id="logins" aria-labelledby="logins-title">
            <h2 id="logins-title">"Linked logins"</h2>
            {notice.error.map(|m| view! { <p class="form-error" role="alert" data-testid="logins-error">{m}</p> })}
            {notice.done.map(|m| view! { <p class="notice" role="status" data-testid="logins-notice">{m}</p> })}
            {empty.then(|| view! { <p class="muted">"No provider login is linked: you sign in with your password."</p> })}
            <ul class="session-list" aria-label="Logins that sign in as you">{rows}</ul>
            <p class="button-row">{links}</p>
        </section>
    }
}

/// Deleting the account, behind typing the email: everything goes, at once.
#[component]
fn DeleteAccountForm(email: String, error: Option<AppError>) -> impl IntoView {
    let message = error
        .as_ref()
        .and_then(|e| e.message_for("confirm").map(str::to_owned));
    let other = error.filter(|e| e.field().is_none()).map(|e| e.to_string());
    view! {
        <section class="card stack danger-zone" id="delete" aria-labelledby="delete-title">
            <h2 id="delete-title">"Delete account"</h2>
            <p class="muted">
                "This deletes your account and everything of yours here: history, quizzes, reviews, notes, topics, sessions and linked logins. It cannot be undone; download your data first if you want to keep it."
            </p>
            {other.map(|m| view! { <p class="form-error" role="alert">{m}</p> })}
            <form method="post" action=DeleteAccount::PATH class="stack" data-testid="delete-account">
                <label for="delete-confirm">"To confirm, type your email address (" {email.clone()} ")"</label>
                <input id="delete-confirm" name="confirm" type="email" autocomplete="off" required
                    aria-invalid=message.is_some().then_some("true")
                    aria-describedby=message.is_some().then_some("delete-confirm-error") />
                {message.map(|m| view! { <p class="field-error" id="delete-confirm-error" role="alert">{m}</p> })}
                <button type="submit" class="button danger">"Delete my account"</button>
            </form>
        </section>
    }
}

//! The app shell: document, nav, routes and the dashboard.
use crate::admin::AdminPage;
use crate::auth::{Auth, LoginPage, MenuSignOut, RegisterPage, UserMenu};
use crate::challenge::ChallengePage;
use crate::generation::ModeNote;
use crate::history::HistoryPage;
use crate::notes::NotesPage;
use crate::plan::{PlanPage, TodayPlan, WizardPage};
use crate::progress::ProgressPage;
use crate::quiz::{QuizPage, QuizResultPage, QuizStartPage};
use crate::review::ReviewPage;
use crate::settings::SettingsPage;
use crate::topics::TopicsPage;
use crate::ui::{use_not_found_status, ThemeToggle, THEME_BOOT_SCRIPT};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, Link, Meta, MetaTags, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::hooks::use_location;
use leptos_router::{path, SsrMode};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <script nonce=leptos::nonce::use_nonce() inner_html=THEME_BOOT_SCRIPT></script>
                <HashedStylesheet options=options.clone() id="leptos" />
                <AutoReload options=options.clone() />
                <HydrationScripts options islands=true />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    Auth::provide();

    view! {
        <Link rel="manifest" href="/manifest.webmanifest" />
        <Link rel="icon" href="/icons/icon-192.png" type_="image/png" />
        <Meta name="theme-color" content="#4f46e5" />
        <Meta name="description" content="Practise coding interviews with fresh, verified questions." />
        <Title text="PromptedCode" />
        <Router>
            <a class="skip-link" href="#main">"Skip to content"</a>
            <header class="topbar">
                <nav class="nav" aria-label="Main">
                    <NavLinks />
                    <span class="spacer"></span>
                    <ThemeToggle />
                    <UserMenu />
                </nav>
            </header>
            <main id="main">
                // Async SSR: pages arrive complete, so they read well even without JavaScript.
                // Only the islands in them (`#[island]`) ship to the browser and hydrate.
                <Routes fallback=|| view! { <NotFound /> }>
                    <Route path=path!("/") view=HomePage ssr=SsrMode::Async />
                    <Route path=path!("/challenge") view=ChallengePage ssr=SsrMode::Async />
                    <Route path=path!("/history") view=HistoryPage ssr=SsrMode::Async />
                    <Route path=path!("/topics") view=TopicsPage ssr=SsrMode::Async />
                    <Route path=path!("/quiz") view=QuizStartPage ssr=SsrMode::Async />
                    <Route path=path!("/quiz/:id") view=QuizPage ssr=SsrMode::Async />
                    <Route path=path!("/quiz/:id/result") view=QuizResultPage ssr=SsrMode::Async />
                    <Route path=path!("/review") view=ReviewPage ssr=SsrMode::Async />
                    <Route path=path!("/notes") view=NotesPage ssr=SsrMode::Async />
                    <Route path=path!("/settings") view=SettingsPage ssr=SsrMode::Async />
                    <Route path=path!("/admin") view=AdminPage ssr=SsrMode::Async />
                    <Route path=path!("/wizard") view=WizardPage ssr=SsrMode::Async />
                    <Route path=path!("/plan") view=PlanPage ssr=SsrMode::Async />
                    <Route path=path!("/progress") view=ProgressPage ssr=SsrMode::Async />
                    <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async />
                    <Route path=path!("/register") view=RegisterPage ssr=SsrMode::Async />
                </Routes>
            </main>
        </Router>
    }
}

/// Plain links (the server renders every page: no client-side router to hand them to), the
/// one for the page on screen marked `aria-current`. Wide screens show them in the bar;
/// phones fold them into a "Menu" disclosure (a `<details>`: keyboard and screen readers
/// know it without any script). Only one of the two is displayed at a time.
#[component]
fn NavLinks() -> impl IntoView {
    let here = use_location().pathname.get_untracked();
    // The plan is one click from the dashboard ("The whole plan"); the bar has no room for
    // it on a laptop, the menu has.
    let links = move |with_plan: bool| {
        [
            ("/challenge", "Challenge"),
            ("/quiz", "Quiz"),
            ("/review", "Review"),
            ("/plan", "Plan"),
            ("/progress", "Progress"),
            ("/notes", "Notes"),
            ("/history", "History"),
            ("/topics", "Topics"),
        ]
        .into_iter()
        .filter(move |(href, _)| with_plan || *href != "/plan")
        .map(|(href, label)| {
            let current = (here == href).then_some("page");
            view! { <a href=href aria-current=current>{label}</a> }
        })
        .collect_view()
    };
    let home = (use_location().pathname.get_untracked() == "/").then_some("page");
    view! {
        <a href="/" class="brand" aria-current=home>"PromptedCode"</a>
        <span class="nav-wide">{links(false)}</span>
        <details class="nav-menu">
            <summary>"Menu"</summary>
            <div class="nav-menu-panel">
                <a href="/">"Today"</a>
                {links(true)}
                <a href="/settings">"Settings"</a>
                <MenuSignOut />
            </div>
        </details>
    }
}

#[component]
fn HomePage() -> impl IntoView {
    let stats = Resource::new(|| (), |_| Box::pin(crate::history::api::my_stats()));
    // Its own boundary: whether a model is configured (one resource per boundary).
    let ai_status = Resource::new(|| (), |_| Box::pin(crate::generation::api::get_ai_status()));
    let dashboard = Resource::new(|| (), |_| Box::pin(crate::plan::api::my_dashboard()));
    let saved = leptos_router::hooks::use_query_map().with_untracked(|q| q.get("plan").is_some());
    view! {
        <Suspense fallback=|| ()>
            {move || dashboard.get().and_then(Result::ok).flatten().map(|dashboard| view! {
                <TodayPlan dashboard saved />
            })}
        </Suspense>
        <section class="hero">
            <h1>"Practise coding interviews, one honest question at a time."</h1>
            <p class="lead">
                "Pick a topic and a difficulty, answer with a click or the keys 1–4, and learn from an explanation of why the key is right."
            </p>
            <Suspense fallback=|| ()>
                {move || ai_status.get().and_then(Result::ok).map(|status| view! {
                    <ModeNote model=status.model />
                })}
            </Suspense>
            <div class="actions">
                <a href="/challenge" class="button primary">"Start a challenge"</a>
                <a href="/quiz" class="button">"Take a quiz"</a>
                <a href="/history" class="button">"Your history"</a>
            </div>
        </section>
        <Suspense fallback=|| ()>
            {move || stats.get().and_then(Result::ok).flatten().map(|s| {
                let accuracy = (s.correct * 100).checked_div(s.answered).unwrap_or(0);
                view! {
                    <section class="stats" aria-label="Your progress">
                        <div class="stat"><span class="value">{s.answered}</span><span class="label">"answered"</span></div>
                        <div class="stat"><span class="value">{s.correct}</span><span class="label">"correct"</span></div>
                        <div class="stat"><span class="value">{format!("{accuracy}%")}</span><span class="label">"accuracy"</span></div>
                        <a class="stat" href="/review" data-testid="reviews-due"><span class="value">{s.reviews_due}</span><span class="label">{if s.reviews_due == 1 { "review due" } else { "reviews due" }}</span></a>
                    </section>
                }
            })}
        </Suspense>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    use_not_found_status();
    view! {
        <section class="page">
            <h1>"Page not found"</h1>
            <p><a href="/">"Back to the start"</a></p>
        </section>
    }
}

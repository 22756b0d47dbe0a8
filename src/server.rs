//! Server start-up: config → database + migrations → bank → router → serve.
use crate::app::{shell, App};
use crate::auth::server::external::routes as external;
use crate::config::{Config, ConfigError};
use crate::generation::server::{pool, stream};
use crate::jobs;
use crate::llm::client::OpenAiCompatible;
use crate::llm::Provider;
use crate::ops::{self, Metrics};
use crate::questions::bank::{self, BankError};
use crate::security;
use crate::state::AppState;
use axum::http::Request;
use axum::routing::{get, post};
use axum::serve::ListenerExt;
use axum::{middleware, Router};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::future::IntoFuture;
use std::process::ExitCode;
use crate::challenge::server::TopicCache;
use std::sync::Arc;
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("database: {0}")]
    Database(#[from] sea_orm::DbErr),
    #[error("question bank: {0}")]
    Bank(#[from] BankError),
    #[error("leptos configuration: {0}")]
    Leptos(String),
    #[error("LLM client: {0}")]
    Llm(#[from] crate::llm::LlmError),
    #[error("prompt rules: {0}")]
    Prompts(String),
    #[error("cannot queue the housekeeping job (see the log)")]
    Jobs,
    #[error("cannot listen on {0}: {1}")]
    Bind(std::net::SocketAddr, std::io::Error),
}

/// Connects, migrates, loads the bank and assembles the router.
pub async fn build(
    config: Config,
    leptos_options: LeptosOptions,
) -> Result<(Router, AppState), StartError> {
    crate::auth::server::accounts::HashingSlots::configure(config.password_hash_concurrency);
    let metrics = Arc::new(Metrics::default());
    let db = crate::db::connect(
        config.database_url.expose(),
        config.database_pool_size,
        metrics.db_queries.clone(),
    ).await?;
    crate::db::migrate(&db).await?;
    let files = bank::load_dir(&config.bank_dir)?;
    let report = bank::sync(&db, &files).await?;
    tracing::info!(
        topics = report.topics,
        inserted = report.inserted,
        updated = report.updated,
        unchanged = report.unchanged,
        retired = report.retired,
        "question bank synced"
    );
    let indexed = crate::questions::fingerprint::index_missing(&db).await?;
    if indexed > 0 {
        tracing::info!(indexed, "duplicate-check fingerprints added for older questions");
    }

    crate::prompting::Engine::check_builtin().map_err(StartError::Prompts)?;
    let llm: Option<Arc<dyn Provider>> = match &config.llm {
        Some(settings) => {
            tracing::info!(
                base_url = %crate::config::without_user_info(&settings.base_url),
                model = %settings.model,
                "AI generation on"
            );
            Some(Arc::new(OpenAiCompatible::new(settings.clone())?))
        }
        None => {
            tracing::info!("no LLM_BASE_URL: bank mode, every question comes from the bank");
            None
        }
    };
    let state = AppState::new(crate::state::Shared {
        leptos_options: leptos_options.clone(),
        db,
        config: Arc::new(config),
        metrics,
        llm,
        jobs_wake: Arc::new(tokio::sync::Notify::new()),
        topics: Arc::new(TopicCache::new(std::time::Duration::from_secs(60))),
        heartbeat: crate::watchdog::Heartbeat::spawn(),
        auth_http: crate::auth::server::external::http_client(),
    });
    crate::housekeeping::schedule(&state.db)
        .await
        .map_err(|_| StartError::Jobs)?;
    crate::quiz::server::schedule_daily(&state.db)
        .await
        .map_err(|_| StartError::Jobs)?;
    jobs::spawn_worker(
        state.db.clone(),
        job_handler(state.clone()),
        state.jobs_wake.clone(),
        jobs::WorkerSettings {
            lease: state.config.generation_lease(),
            poll: state.config.jobs_poll,
        },
    );
    let routes = generate_route_list(App);
    let router = Router::new()
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .route("/api/challenge/generate", post(stream::generate))
        .route(
            "/settings/export",
            get(crate::settings::transfer::download_export),
        )
        .route(
            "/settings/export.csv",
            get(crate::settings::transfer::download_csv),
        )
        .route(
            "/settings/import",
            post(crate::settings::transfer::upload_import).layer(
                axum::extract::DefaultBodyLimit::max(crate::settings::transfer::IMPORT_MAX_BYTES),
            ),
        )
        .route("/auth/login/{provider}", get(external::login))
        .route("/auth/link/{provider}", get(external::link))
        .route("/auth/callback/{provider}", get(external::callback))
        .route("/auth/logout/{provider}", get(external::provider_logout))
        .route("/webhooks/clerk", post(crate::auth::server::webhook::clerk))
        .merge(crate::assets::routes(
            &leptos_options.site_root,
            &leptos_options.site_pkg_dir,
        ))
        .leptos_routes_with_context(&state, routes, security::provide_csp_nonce, {
            let options = leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(
            security::provide_csp_nonce,
            shell,
        ))
        .layer(middleware::from_fn(crate::error::server::server_fn_status))
        .layer(middleware::from_fn(security::input::guard_body))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security::rate_limit::limit,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security::routes::enforce_access,
        ))
        .layer(middleware::from_fn(
            crate::auth::server::session::resolve_once,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security::csrf_guard,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security::security_headers,
        ))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
                .layer(
                    TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
                        let request_id = request
                            .headers()
                            .get("x-request-id")
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or("-");
                        tracing::info_span!(
                            "request",
                            method = %request.method(),
                            uri = %request.uri(),
                            request_id = %request_id,
                        )
                    }),
                )
                .layer(PropagateRequestIdLayer::x_request_id())
                .layer(middleware::from_fn_with_state(state.clone(), ops::track))
                .layer(middleware::from_fn_with_state(
                    state.clone(),
                    crate::watchdog::request_deadline,
                ))
                .layer(CompressionLayer::new()),
        )
        .with_state(state.clone());
    Ok((router, state))
}

/// The worker's handler: runs jobs by kind.
fn job_handler(state: AppState) -> jobs::Handler {
    Arc::new(move |job| {
        let state = state.clone();
        Box::pin(async move {
            match job.kind.as_str() {
                pool::REFILL => pool::refill(&state, &job).await,
                crate::housekeeping::KIND => crate::housekeeping::run(&state)
                    .await
                    .map_err(|e| e.to_string()),
                crate::quiz::server::DAILY_JOB => crate::quiz::server::run_daily_job(&state.db)
                    .await
                    .map_err(|e| e.to_string()),
                other => Err(format!("unknown job kind {other:?}")),
            }
        })
    })
}

pub fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn,tower_http=info"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).try_init();
}

/// How serving ended.
enum Stopped {
    /// Every in-flight request finished after the shutdown signal.
    Drained,
    /// The shutdown deadline passed with requests still in flight.
    DeadlinePassed,
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut sig) => {
                sig.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutdown signal received, finishing in-flight requests");
}

async fn serve() -> Result<Stopped, StartError> {
    let config = Config::from_env()?;
    let mut leptos_options = get_configuration(None)
        .map_err(|e| StartError::Leptos(e.to_string()))?
        .leptos_options;
    leptos_options.site_addr = config.site_addr;
    // A release build from `cargo leptos` has hashed file names and says so in a file
    // beside the binary; honour it however the binary is started.
    if !leptos_options.hash_files
        && crate::assets::hash_file_beside_exe(&leptos_options.hash_file)
    {
        leptos_options.hash_files = true;
    }
    let addr = config.site_addr;
    let watchdog_limit = config.watchdog_limit;
    let shutdown_deadline = config.shutdown_deadline;
    let (router, state) = build(config, leptos_options).await?;
    crate::watchdog::supervise(state.heartbeat.clone(), watchdog_limit);
    // Streamed events are small writes: without TCP_NODELAY, Nagle's algorithm and the
    // client's delayed ACK can hold one back for ~40 ms.
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| StartError::Bind(addr, e))?
        .tap_io(|stream| {
            if let Err(err) = stream.set_nodelay(true) {
                tracing::debug!(%err, "cannot set TCP_NODELAY");
            }
        });
    tracing::info!("listening on http://{addr}");
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        shutdown_signal().await;
        let _ = stop_tx.send(true);
    });
    let stop_requested = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|stop| *stop).await;
    };
    let server = axum::serve(
        listener,
        router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
        .with_graceful_shutdown(stop_requested(stop_rx.clone()));
    let deadline = async {
        stop_requested(stop_rx).await;
        tokio::time::sleep(shutdown_deadline).await;
    };
    tokio::select! {
        served = server.into_future() => {
            served.map_err(|e| StartError::Bind(addr, e))?;
            tracing::info!("stopped");
            Ok(Stopped::Drained)
        }
        () = deadline => {
            tracing::warn!(
                deadline_secs = shutdown_deadline.as_secs(),
                "shutdown deadline passed with requests still in flight; exiting anyway"
            );
            Ok(Stopped::DeadlinePassed)
        }
    }
}

pub async fn run() -> ExitCode {
    init_tracing();
    match serve().await {
        Ok(Stopped::Drained) => ExitCode::SUCCESS,
        // Leave at once: unwinding the runtime would wait for the requests that hang.
        Ok(Stopped::DeadlinePassed) => std::process::exit(1),
        Err(err) => {
            tracing::error!("{err}");
            eprintln!("promptedcode: cannot start: {err}");
            ExitCode::from(2)
        }
    }
}

/// `promptedcode bank-stats`: validates the bank and prints counts per topic × difficulty.
pub fn print_bank_stats() -> ExitCode {
    let dir = match Config::from_env() {
        Ok(config) => config.bank_dir,
        Err(err) => {
            eprintln!("promptedcode: {err}");
            return ExitCode::from(2);
        }
    };
    match bank::load_dir(&dir) {
        Ok(files) => {
            print!("{}", bank::counts_table(&files));
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("promptedcode: invalid bank: {err}");
            ExitCode::FAILURE
        }
    }
}

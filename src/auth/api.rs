//! Account server functions: thin wrappers over the service.
use crate::error::AppError;
use crate::types::CurrentUser;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {super::session, crate::state::AppState};

#[server(prefix = "/api", endpoint = "me")]
pub async fn get_current_user() -> Result<Option<CurrentUser>, AppError> {
    session::current_user().await
}

#[server(prefix = "/api", endpoint = "register")]
pub async fn register(
    email: String,
    password: String,
    display_name: String,
) -> Result<CurrentUser, AppError> {
    let state = expect_context::<AppState>();
    let user = super::service::register(&state.db, &email, &password, &display_name).await?;
    session::start_session(&user).await?;
    Ok(user)
}

#[server(prefix = "/api", endpoint = "login")]
pub async fn login(email: String, password: String) -> Result<CurrentUser, AppError> {
    let state = expect_context::<AppState>();
    let user = super::service::login(&state.db, &email, &password).await?;
    session::start_session(&user).await?;
    Ok(user)
}

#[server(prefix = "/api", endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    session::end_session().await
}

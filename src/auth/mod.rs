//! Accounts: register, log in, log out, and who is logged in.
pub mod api;
pub mod model;
mod page;
#[cfg(feature = "ssr")]
pub mod server;

pub use page::{Auth, LoginPage, MenuSignOut, RegisterPage, UserMenu};

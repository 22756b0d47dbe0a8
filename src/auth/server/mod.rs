//! Accounts on the server: passwords and sessions (`accounts`), and the session cookie
//! of a request (`session`).
pub mod accounts;
pub mod session;

pub use session::{current_user, require_user};

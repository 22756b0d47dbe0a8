//! Accounts on the server: passwords and sessions (`accounts`), the session cookie of a
//! request (`session`), sign-in through external providers (`external`), the Clerk
//! user-sync webhook (`webhook`) and the deletion of an account (`deletion`).
pub mod accounts;
pub mod deletion;
pub mod external;
pub mod session;
pub mod webhook;

pub use session::{current_user, require_admin, require_user};

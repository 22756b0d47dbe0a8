//! The admin console's first page: usage figures, for admins only (`ADMIN_EMAILS`). The
//! route inventory marks its server function `Admin`: 401 signed out, 403 for anyone
//! else, before the handler runs (which checks again).
pub mod api;
pub mod model;
mod page;
#[cfg(feature = "ssr")]
pub mod server;

pub use page::AdminPage;

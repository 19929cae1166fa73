//! The HTTP/1.1 front of a [`publ_core::Site`]: actix-web on a unix socket
//! or TCP.

mod app;
mod listen;

pub use app::{serve, ServeError};
pub use listen::{Listen, ListenError};

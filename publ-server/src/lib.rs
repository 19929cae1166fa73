//! The HTTP/1.1 front of a [`publ_core::Site`]: actix-web on a unix socket
//! or TCP, as the Publ self-hosting guide runs it: behind nginx or Apache,
//! supervised by systemd or cron.

mod app;
mod lifecycle;
mod listen;
mod proxy;

pub use app::{serve, ServeError, ServeOptions};
pub use lifecycle::LoadConfig;
pub use listen::{
    parse_group, parse_mode, InstanceLock, Listen, ListenError, UnixSocket, DEFAULT_SOCKET_MODE,
};

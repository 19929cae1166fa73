//! Where the server listens, and the care a unix socket needs.

use std::io;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub enum Listen {
    Unix(PathBuf),
    Tcp(String),
}

#[derive(Debug, thiserror::Error)]
pub enum ListenError {
    #[error("socket {0} is in use by a running server")]
    InUse(PathBuf),
    #[error("cannot prepare socket {path}: {source}")]
    Prepare { path: PathBuf, source: io::Error },
}

/// Makes `path` ready to bind: its folder exists, and a socket file left by
/// a crashed run is removed — but a live server's socket is never taken.
pub fn prepare_socket(path: &Path) -> Result<(), ListenError> {
    let fail = |source| ListenError::Prepare {
        path: path.to_path_buf(),
        source,
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(fail)?;
    }
    if path.exists() {
        if UnixStream::connect(path).is_ok() {
            return Err(ListenError::InUse(path.to_path_buf()));
        }
        tracing::info!(socket = %path.display(), "removing stale socket");
        std::fs::remove_file(path).map_err(fail)?;
    }
    Ok(())
}

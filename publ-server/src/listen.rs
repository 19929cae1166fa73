//! Where the server listens, and the care a unix socket needs: its folder,
//! a stale file from a crashed run, its permissions, and one instance per
//! socket.

use std::fs::{File, OpenOptions, Permissions};
use std::io::{self, Read, Seek, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub enum Listen {
    Unix(UnixSocket),
    Tcp(String),
}

/// A unix socket and the permissions it gets once bound.
#[derive(Debug, Clone)]
pub struct UnixSocket {
    pub path: PathBuf,
    /// The socket file's mode. Connecting needs write permission, so the
    /// default 0o666 lets a web server running as another user in, as
    /// gunicorn's sockets do; `--socket-mode 660` with `--socket-group`
    /// narrows that to one group.
    pub mode: u32,
    pub group: Option<u32>,
}

pub const DEFAULT_SOCKET_MODE: u32 = 0o666;

#[derive(Debug, thiserror::Error)]
pub enum ListenError {
    #[error("socket {0} is in use by a running server")]
    InUse(PathBuf),
    #[error("another publ instance{} is already serving {}", pid_text(.pid), .socket.display())]
    AlreadyRunning { socket: PathBuf, pid: Option<u32> },
    #[error("cannot prepare socket {path}: {source}")]
    Prepare { path: PathBuf, source: io::Error },
    #[error("no such group {0:?}")]
    UnknownGroup(String),
    #[error("invalid socket mode {0:?}: give octal digits, e.g. 660")]
    BadMode(String),
}

fn pid_text(pid: &Option<u32>) -> String {
    pid.map(|p| format!(" (pid {p})")).unwrap_or_default()
}

/// `--socket-mode`: octal, as chmod and hypercorn's `-m` take it.
pub fn parse_mode(text: &str) -> Result<u32, ListenError> {
    u32::from_str_radix(text.trim_start_matches("0o"), 8)
        .ok()
        .filter(|mode| *mode <= 0o7777)
        .ok_or_else(|| ListenError::BadMode(text.to_string()))
}

/// `--socket-group`: a group name, or a numeric id.
pub fn parse_group(text: &str) -> Result<u32, ListenError> {
    if let Ok(gid) = text.parse::<u32>() {
        return Ok(gid);
    }
    match nix::unistd::Group::from_name(text) {
        Ok(Some(group)) => Ok(group.gid.as_raw()),
        _ => Err(ListenError::UnknownGroup(text.to_string())),
    }
}

/// Held for the life of the server: an advisory lock on `SOCKET.lock`, so a
/// second `publ serve` on the same socket (a cron launcher firing every
/// minute, say) exits at once instead of fighting over the socket. The
/// kernel drops the lock when the process dies, however it dies.
#[derive(Debug)]
pub struct InstanceLock {
    _file: File,
}

impl InstanceLock {
    pub fn acquire(socket: &Path) -> Result<InstanceLock, ListenError> {
        create_parent(socket)?;
        let mut lock_path = socket.as_os_str().to_owned();
        lock_path.push(".lock");
        let lock_path = PathBuf::from(lock_path);
        let fail = |source| ListenError::Prepare {
            path: lock_path.clone(),
            source,
        };
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&lock_path)
            .map_err(fail)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                let mut text = String::new();
                let pid = file
                    .read_to_string(&mut text)
                    .ok()
                    .and_then(|_| text.trim().parse().ok());
                return Err(ListenError::AlreadyRunning {
                    socket: socket.to_path_buf(),
                    pid,
                });
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(fail(e)),
        }
        // The pid is only for the message a second instance prints.
        file.set_len(0)
            .and_then(|()| file.rewind())
            .and_then(|()| writeln!(file, "{}", std::process::id()))
            .map_err(fail)?;
        Ok(InstanceLock { _file: file })
    }
}

fn create_parent(path: &Path) -> Result<(), ListenError> {
    match path.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(parent) => std::fs::create_dir_all(parent).map_err(|source| ListenError::Prepare {
            path: path.to_path_buf(),
            source,
        }),
        None => Ok(()),
    }
}

/// Makes `path` ready to bind: its folder exists, and a socket file left by
/// a crashed run is removed — but a live server's socket is never taken.
pub fn prepare_socket(path: &Path) -> Result<(), ListenError> {
    create_parent(path)?;
    if std::fs::symlink_metadata(path).is_ok() {
        if UnixStream::connect(path).is_ok() {
            return Err(ListenError::InUse(path.to_path_buf()));
        }
        tracing::info!(socket = %path.display(), "removing stale socket");
        std::fs::remove_file(path).map_err(|source| ListenError::Prepare {
            path: path.to_path_buf(),
            source,
        })?;
    }
    Ok(())
}

/// Gives a freshly bound socket its mode and group.
pub fn secure_socket(socket: &UnixSocket) -> Result<(), ListenError> {
    let fail = |source| ListenError::Prepare {
        path: socket.path.clone(),
        source,
    };
    if let Some(gid) = socket.group {
        std::os::unix::fs::chown(&socket.path, None, Some(gid)).map_err(fail)?;
    }
    std::fs::set_permissions(&socket.path, Permissions::from_mode(socket.mode)).map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_are_octal() {
        assert_eq!(parse_mode("660").ok(), Some(0o660));
        assert_eq!(parse_mode("0o600").ok(), Some(0o600));
        assert_eq!(parse_mode("0").ok(), Some(0));
        assert!(parse_mode("999").is_err());
        assert!(parse_mode("rw").is_err());
    }

    #[test]
    fn groups_by_name_or_number() {
        assert_eq!(parse_group("0").ok(), Some(0));
        assert_eq!(parse_group("root").ok(), Some(0));
        assert!(parse_group("no-such-group-publ").is_err());
    }

    #[test]
    fn a_second_lock_on_the_same_socket_is_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let socket = dir.path().join("sub/site.sock");
        let first = InstanceLock::acquire(&socket).expect("first lock");
        match InstanceLock::acquire(&socket) {
            Err(ListenError::AlreadyRunning { pid, .. }) => {
                assert_eq!(pid, Some(std::process::id()))
            }
            other => panic!("expected AlreadyRunning, got {other:?}"),
        }
        drop(first);
        InstanceLock::acquire(&socket).expect("lock again once released");
    }
}

//! Shared helpers for the integration tests in `tests/*.rs`.
//!
//! Each test file is a `[[test]]` target of the `publ-cli` package and says
//! `mod support;`, so `env!("CARGO_BIN_EXE_publ")` is the real binary.
//! Provided here:
//!
//! * [`repo_root`], [`shared_site`]: where things are;
//! * [`SiteCopy`]: a scratch copy of a site folder in a temporary directory;
//! * [`Server`]: the real `publ` binary serving a site on a unix socket, with
//!   its stdout and stderr captured in a log file;
//! * [`get`], [`request`], [`Response`]: a minimal HTTP/1.1 client over a
//!   unix socket that sends the request path exactly as given;
//! * [`on_both_backends`], [`in_postgres`], [`database_args`]: tests whose
//!   servers and `publ` commands keep the index in PostgreSQL
//!   (127.0.0.1:5432, one database per site folder) instead of what the
//!   site configures, so the same tests cover both backends
//!   (`PUBL_TEST_DATABASE=postgres` does it for a whole run).
//!
//! Only `std` and `tempfile` are used. Every failure panics with a message
//! that says what was being done (and, for [`Server`], the server's log).

#![allow(dead_code)]

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::fs;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use tempfile::TempDir;

pub mod html_norm;

/// How long a server may take to start accepting connections.
pub const STARTUP_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a server may take to exit after SIGTERM.
pub const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(10);
/// Read/write timeout of one HTTP exchange.
pub const HTTP_TIMEOUT: Duration = Duration::from_secs(30);
const POLL_INTERVAL: Duration = Duration::from_millis(20);

// ---------------------------------------------------------------------------
// Paths
// ---------------------------------------------------------------------------

/// The repository root (the parent of the `publ-cli` package folder).
pub fn repo_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .parent()
        .unwrap_or_else(|| panic!("{} has no parent folder", manifest.display()))
        .to_path_buf()
}

/// `../shared/sites/<name>` next to the repository, if it exists (tests that
/// need it skip with a message when it does not).
pub fn shared_site(name: &str) -> Option<PathBuf> {
    let dir = repo_root().join("../shared/sites").join(name);
    if dir.is_dir() {
        Some(dir.canonicalize().unwrap_or(dir))
    } else {
        None
    }
}

/// Polls `done` every 20 ms until it returns true; panics naming `what` after
/// `timeout`.
pub fn wait_until(what: &str, timeout: Duration, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        if start.elapsed() > timeout {
            panic!("timed out after {timeout:?} waiting for {what}");
        }
        thread::sleep(POLL_INTERVAL);
    }
}

// ---------------------------------------------------------------------------
// Site copies
// ---------------------------------------------------------------------------

/// A scratch copy of a site folder. The site is `dir/site` (see [`path`]), so
/// its parent folder is also private to the test (tests put files "outside
/// the site" there). Everything is deleted when the value is dropped.
///
/// [`path`]: SiteCopy::path
pub struct SiteCopy {
    pub dir: TempDir,
    site: PathBuf,
}

impl SiteCopy {
    /// A copy of the sample site `sites/<sample>` of this repository.
    pub fn of(sample: &str) -> SiteCopy {
        let source = repo_root().join("sites").join(sample);
        assert!(
            source.is_dir(),
            "no sample site {sample:?}: {} is not a folder",
            source.display()
        );
        SiteCopy::from_dir(&source)
    }

    /// A copy of any site folder.
    pub fn from_dir(source: &Path) -> SiteCopy {
        let site = SiteCopy::empty();
        copy_tree(source, site.path()).unwrap_or_else(|e| {
            panic!(
                "copying site {} to {}: {e}",
                source.display(),
                site.path().display()
            )
        });
        site
    }

    /// An empty site folder, to be filled with [`write`](SiteCopy::write).
    pub fn empty() -> SiteCopy {
        let dir = tempfile::Builder::new()
            .prefix("publ-test-")
            .tempdir()
            .unwrap_or_else(|e| panic!("creating a temporary folder: {e}"));
        let site = SiteCopy {
            site: dir.path().join("site"),
            dir,
        };
        fs::create_dir(site.path())
            .unwrap_or_else(|e| panic!("creating {}: {e}", site.path().display()));
        site
    }

    /// The site folder.
    pub fn path(&self) -> &Path {
        &self.site
    }

    /// The absolute path of `rel` inside the site folder.
    pub fn join(&self, rel: &str) -> PathBuf {
        self.path().join(rel)
    }

    /// Writes a file (creating its folders), replacing any existing one.
    pub fn write(&self, rel: &str, contents: &str) {
        self.write_bytes(rel, contents.as_bytes());
    }

    /// Writes a file of arbitrary bytes (creating its folders).
    pub fn write_bytes(&self, rel: &str, contents: &[u8]) {
        let path = self.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)
                .unwrap_or_else(|e| panic!("creating {}: {e}", parent.display()));
        }
        fs::write(&path, contents).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    }

    /// Reads a file of the site as UTF-8.
    pub fn read(&self, rel: &str) -> String {
        let path = self.join(rel);
        fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
    }

    /// Reads a file of the site as bytes.
    pub fn read_bytes(&self, rel: &str) -> Vec<u8> {
        let path = self.join(rel);
        fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
    }

    /// Whether `rel` exists in the site (a dangling symlink counts).
    pub fn exists(&self, rel: &str) -> bool {
        fs::symlink_metadata(self.join(rel)).is_ok()
    }

    /// Removes a file (or a whole folder) of the site.
    pub fn remove(&self, rel: &str) {
        let path = self.join(rel);
        let result = match fs::symlink_metadata(&path) {
            Ok(meta) if meta.is_dir() => fs::remove_dir_all(&path),
            Ok(_) => fs::remove_file(&path),
            Err(e) => Err(e),
        };
        result.unwrap_or_else(|e| panic!("removing {}: {e}", path.display()));
    }
}

/// Whether a file is an index database left behind by a previous run (it is
/// not copied, so every copy starts from a fresh index).
impl Drop for SiteCopy {
    fn drop(&mut self) {
        drop_site_databases(self.dir.path());
    }
}

fn is_index_db(name: &OsStr) -> bool {
    let name = name.to_string_lossy();
    name == "index.db" || name.starts_with("index.db-")
}

/// Copies the folder `from` into the existing folder `to`, recreating
/// symlinks as symlinks.
fn copy_tree(from: &Path, to: &Path) -> io::Result<()> {
    for item in fs::read_dir(from)? {
        let item = item?;
        let name = item.file_name();
        if is_index_db(&name) {
            continue;
        }
        let (src, dst) = (item.path(), to.join(&name));
        let kind = item.file_type()?;
        if kind.is_symlink() {
            std::os::unix::fs::symlink(fs::read_link(&src)?, &dst)?;
        } else if kind.is_dir() {
            fs::create_dir(&dst)?;
            copy_tree(&src, &dst)?;
        } else {
            fs::copy(&src, &dst)?;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------

/// Where a server listens.
#[derive(Debug, Clone)]
enum Endpoint {
    Unix(PathBuf),
    Tcp(String),
}

/// The real `publ` binary, running. Stopped (SIGTERM, then SIGKILL after 10
/// s) when dropped.
pub struct Server {
    child: Option<Child>,
    pid: u32,
    endpoint: Endpoint,
    log_path: PathBuf,
    args: Vec<OsString>,
    /// Holds the log file and the default socket; removed last.
    _scratch: TempDir,
}

impl Server {
    /// `publ serve SITE --socket <scratch>/publ.sock`.
    pub fn serve(site: &Path) -> Server {
        Server::serve_with::<&str>(site, &[])
    }

    /// `publ serve SITE --socket <scratch>/publ.sock EXTRA...`.
    pub fn serve_with<S: AsRef<OsStr>>(site: &Path, extra: &[S]) -> Server {
        let scratch = scratch_dir();
        let sock = scratch.path().join("publ.sock");
        let mut args: Vec<OsString> = vec![
            "serve".into(),
            site.into(),
            "--socket".into(),
            sock.clone().into(),
        ];
        args.extend(extra.iter().map(|a| a.as_ref().to_os_string()));
        Server::launch(args, &[], scratch)
    }

    /// Runs the binary with exactly `args`, which must contain `--socket
    /// PATH` or `--bind ADDR:PORT` (that is what is waited on).
    pub fn start<S: AsRef<OsStr>>(args: &[S]) -> Server {
        Server::start_with_env(args, &[])
    }

    /// Like [`start`](Server::start), with extra environment variables
    /// (e.g. `("RUST_LOG", "debug")`).
    pub fn start_with_env<S: AsRef<OsStr>>(args: &[S], env: &[(&str, &str)]) -> Server {
        let args = args.iter().map(|a| a.as_ref().to_os_string()).collect();
        Server::launch(args, env, scratch_dir())
    }

    fn launch(mut args: Vec<OsString>, env: &[(&str, &str)], scratch: TempDir) -> Server {
        if args.first().is_some_and(|a| a == "serve") && !args.iter().any(|a| a == "--database") {
            if let Some(site) = args.get(1) {
                let extra = database_args(Path::new(site));
                args.extend(extra.into_iter().map(OsString::from));
            }
        }
        let shown = show_args(&args);
        let endpoint = endpoint_of(&args).unwrap_or_else(|| {
            panic!(
                "Server::start needs --socket PATH or --bind ADDR:PORT in its arguments: {shown}"
            )
        });
        let log_path = scratch.path().join("server.log");
        let log = fs::File::create(&log_path)
            .unwrap_or_else(|e| panic!("creating {}: {e}", log_path.display()));
        let log_err = log
            .try_clone()
            .unwrap_or_else(|e| panic!("duplicating the log file handle: {e}"));
        let mut command = Command::new(env!("CARGO_BIN_EXE_publ"));
        command
            .args(&args)
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_err);
        for (key, value) in env {
            command.env(key, value);
        }
        let child = command
            .spawn()
            .unwrap_or_else(|e| panic!("spawning {} {shown}: {e}", env!("CARGO_BIN_EXE_publ")));
        let mut server = Server {
            pid: child.id(),
            child: Some(child),
            endpoint,
            log_path,
            args,
            _scratch: scratch,
        };
        server.wait_ready();
        server
    }

    /// Polls the endpoint until it accepts a connection.
    fn wait_ready(&mut self) {
        let start = Instant::now();
        loop {
            let connected = match &self.endpoint {
                Endpoint::Unix(path) => UnixStream::connect(path).is_ok(),
                Endpoint::Tcp(addr) => TcpStream::connect(addr.as_str()).is_ok(),
            };
            if connected {
                return;
            }
            let exited = self.child_mut().try_wait();
            match exited {
                Ok(Some(status)) => panic!(
                    "publ {} exited with {status} before accepting connections; log:\n{}",
                    show_args(&self.args),
                    self.log()
                ),
                Ok(None) => {}
                Err(e) => panic!("checking on the server process: {e}"),
            }
            if start.elapsed() > STARTUP_TIMEOUT {
                panic!(
                    "publ {} did not accept connections on {:?} within {STARTUP_TIMEOUT:?}; log:\n{}",
                    show_args(&self.args),
                    self.endpoint,
                    self.log()
                );
            }
            thread::sleep(POLL_INTERVAL);
        }
    }

    fn child_mut(&mut self) -> &mut Child {
        self.child.as_mut().expect("the server was already stopped")
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// The unix socket the server listens on.
    pub fn socket(&self) -> &Path {
        match &self.endpoint {
            Endpoint::Unix(path) => path,
            Endpoint::Tcp(addr) => panic!("this server listens on TCP {addr}, not a unix socket"),
        }
    }

    /// The `--bind` address, when the server listens on TCP.
    pub fn tcp_addr(&self) -> Option<&str> {
        match &self.endpoint {
            Endpoint::Tcp(addr) => Some(addr),
            Endpoint::Unix(_) => None,
        }
    }

    /// Everything the server wrote on stdout and stderr so far.
    pub fn log(&self) -> String {
        match fs::read(&self.log_path) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(e) => format!("<could not read {}: {e}>", self.log_path.display()),
        }
    }

    /// Waits until the log contains `needle` (panics with the log after
    /// `timeout`).
    pub fn wait_for_log(&self, needle: &str, timeout: Duration) {
        let start = Instant::now();
        while !self.log().contains(needle) {
            if start.elapsed() > timeout {
                panic!(
                    "the server log did not say {needle:?} within {timeout:?}; log:\n{}",
                    self.log()
                );
            }
            thread::sleep(POLL_INTERVAL);
        }
    }

    /// Waits until the IDs the first scan assigned are written into the
    /// entry files (which moves the index generation, and so empties the
    /// render cache): a server serves before it is done with them.
    pub fn wait_for_write_backs(&self) {
        self.wait_for_log("index up to date", Duration::from_secs(60));
        if !self.log().contains("pending_write_backs=0") {
            self.wait_for_log("startup write-backs done", Duration::from_secs(60));
        }
    }

    /// Sends a signal by name (`"TERM"`, `"INT"`, `"HUP"`, ...) with `kill`.
    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.pid.to_string())
            .status()
            .unwrap_or_else(|e| panic!("running kill -{name} {}: {e}", self.pid));
        assert!(
            status.success(),
            "kill -{name} {} failed ({status}); log:\n{}",
            self.pid,
            self.log()
        );
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        match &mut self.child {
            Some(child) => matches!(child.try_wait(), Ok(None)),
            None => false,
        }
    }

    /// SIGTERM, then waits for the exit (panics with the log if it takes more
    /// than 10 s; the process is then killed).
    pub fn stop(mut self) -> ExitStatus {
        let mut child = self.child.take().expect("the server was already stopped");
        if let Ok(Some(status)) = child.try_wait() {
            return status;
        }
        self.signal("TERM");
        match wait_timeout(&mut child, SHUTDOWN_TIMEOUT) {
            Some(status) => status,
            None => {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "publ did not exit within {SHUTDOWN_TIMEOUT:?} of SIGTERM; log:\n{}",
                    self.log()
                );
            }
        }
    }

    /// `GET path` on this server; a failed exchange panics with the log.
    pub fn get(&self, path: &str) -> Response {
        self.request(&Req::new("GET", path))
    }

    /// Any request on this server; a failed exchange panics with the log.
    pub fn request(&self, req: &Req) -> Response {
        let result = match &self.endpoint {
            Endpoint::Unix(path) => try_request_unix(path, req),
            Endpoint::Tcp(addr) => try_request_tcp(addr, req),
        };
        result.unwrap_or_else(|e| {
            panic!(
                "{} {} on {:?} failed: {e}; server log:\n{}",
                req.method,
                req.path,
                self.endpoint,
                self.log()
            )
        })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        if thread::panicking() {
            // The test failed: its output shows what the server said.
            eprintln!(
                "--- log of publ {} (pid {}) ---\n{}--- end of log ---",
                show_args(&self.args),
                self.pid,
                self.log()
            );
        }
        if let Ok(None) = child.try_wait() {
            let _ = Command::new("kill")
                .arg("-TERM")
                .arg(self.pid.to_string())
                .stderr(Stdio::null())
                .status();
            if wait_timeout(&mut child, SHUTDOWN_TIMEOUT).is_none() {
                let _ = child.kill();
            }
        }
        let _ = child.wait();
    }
}

fn scratch_dir() -> TempDir {
    tempfile::Builder::new()
        .prefix("publ-srv-")
        .tempdir()
        .unwrap_or_else(|e| panic!("creating a temporary folder: {e}"))
}

fn wait_timeout(child: &mut Child, timeout: Duration) -> Option<ExitStatus> {
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Some(status),
            Ok(None) if start.elapsed() < timeout => thread::sleep(POLL_INTERVAL),
            Ok(None) | Err(_) => return None,
        }
    }
}

/// The `--socket`/`--bind` value of a command line (`--opt VALUE` or
/// `--opt=VALUE`); a leading `~/` is expanded like the server does.
fn endpoint_of(args: &[OsString]) -> Option<Endpoint> {
    let mut found = None;
    let mut iter = args.iter().map(|a| a.to_string_lossy().into_owned());
    while let Some(arg) = iter.next() {
        let (flag, value) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => (flag.to_string(), Some(value.into())),
            _ => (arg.clone(), None),
        };
        if flag != "--socket" && flag != "--bind" {
            continue;
        }
        let Some(value) = value.or_else(|| iter.next()) else {
            continue;
        };
        found = Some(if flag == "--bind" {
            Endpoint::Tcp(value)
        } else {
            Endpoint::Unix(expand_home(&value))
        });
    }
    found
}

fn expand_home(path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => Path::new(&home).join(rest),
        _ => PathBuf::from(path),
    }
}

fn show_args(args: &[OsString]) -> String {
    args.iter()
        .map(|a| a.to_string_lossy())
        .collect::<Vec<_>>()
        .join(" ")
}

// ---------------------------------------------------------------------------
// HTTP client
// ---------------------------------------------------------------------------

/// An HTTP response. Header names keep the server's spelling; use
/// [`header`](Response::header) for case-insensitive lookup.
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    /// The first header called `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every header called `name` (case-insensitive), in order.
    pub fn header_all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The body as text (invalid UTF-8 replaced).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "HTTP {}", self.status)?;
        for (name, value) in &self.headers {
            writeln!(f, "{name}: {value}")?;
        }
        writeln!(f)?;
        let text = self.text();
        if text.chars().count() > 4000 {
            let cut: String = text.chars().take(4000).collect();
            write!(f, "{cut}... ({} bytes in all)", self.body.len())
        } else {
            write!(f, "{text}")
        }
    }
}

/// A request: method, raw path (sent byte for byte, never normalised or
/// encoded), extra headers and an optional body. `Host: localhost` and
/// `Connection: close` are sent unless given in `headers`.
#[derive(Debug, Clone)]
pub struct Req {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Req {
    pub fn new(method: &str, path: &str) -> Req {
        Req {
            method: method.to_string(),
            path: path.to_string(),
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Req {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    /// Sets the body (a `Content-Length` header is added when sending).
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Req {
        self.body = body.into();
        self
    }

    fn has_header(&self, name: &str) -> bool {
        self.headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case(name))
    }

    /// The request bytes.
    fn to_bytes(&self) -> Vec<u8> {
        let mut head = format!("{} {} HTTP/1.1\r\n", self.method, self.path);
        if !self.has_header("host") {
            head.push_str("Host: localhost\r\n");
        }
        if !self.has_header("connection") {
            head.push_str("Connection: close\r\n");
        }
        if !self.body.is_empty() && !self.has_header("content-length") {
            head.push_str(&format!("Content-Length: {}\r\n", self.body.len()));
        }
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(&self.body);
        bytes
    }
}

/// `GET path` over the unix socket `sock`.
pub fn get(sock: &Path, path: &str) -> Response {
    request(sock, "GET", path, &[])
}

/// A request over the unix socket `sock` with extra headers; panics with
/// context if the exchange fails.
pub fn request(sock: &Path, method: &str, path: &str, headers: &[(&str, &str)]) -> Response {
    let mut req = Req::new(method, path);
    for (name, value) in headers {
        req = req.header(name, value);
    }
    send(sock, &req)
}

/// Sends a [`Req`] over the unix socket `sock`; panics with context if the
/// exchange fails.
pub fn send(sock: &Path, req: &Req) -> Response {
    try_request_unix(sock, req).unwrap_or_else(|e| {
        panic!(
            "{} {} on {} failed: {e}",
            req.method,
            req.path,
            sock.display()
        )
    })
}

/// `GET path` over TCP (`addr` as given to `--bind`).
pub fn get_tcp(addr: &str, path: &str) -> Response {
    let req = Req::new("GET", path);
    try_request_tcp(addr, &req).unwrap_or_else(|e| panic!("GET {path} on {addr} failed: {e}"))
}

/// A request over the unix socket `sock`, returning I/O and protocol errors.
pub fn try_request_unix(sock: &Path, req: &Req) -> io::Result<Response> {
    let stream = UnixStream::connect(sock)
        .map_err(|e| io::Error::new(e.kind(), format!("connecting to {}: {e}", sock.display())))?;
    stream.set_read_timeout(Some(HTTP_TIMEOUT))?;
    stream.set_write_timeout(Some(HTTP_TIMEOUT))?;
    exchange(stream, req)
}

/// A request over TCP, returning I/O and protocol errors.
pub fn try_request_tcp(addr: &str, req: &Req) -> io::Result<Response> {
    let stream = TcpStream::connect(addr)
        .map_err(|e| io::Error::new(e.kind(), format!("connecting to {addr}: {e}")))?;
    stream.set_read_timeout(Some(HTTP_TIMEOUT))?;
    stream.set_write_timeout(Some(HTTP_TIMEOUT))?;
    exchange(stream, req)
}

/// Writes the request and reads one response. A failed write (the server
/// may answer a huge request early and close) is only reported if no
/// response can be read either.
fn exchange<S: Read + Write>(mut stream: S, req: &Req) -> io::Result<Response> {
    let written = stream
        .write_all(&req.to_bytes())
        .and_then(|()| stream.flush());
    let mut reader = BufReader::new(stream);
    match read_response(&mut reader, &req.method) {
        Ok(response) => Ok(response),
        Err(e) => match written {
            Err(w) => Err(io::Error::new(
                w.kind(),
                format!("sending the request: {w}; then reading the response: {e}"),
            )),
            Ok(()) => Err(e),
        },
    }
}

fn bad_data(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}

fn timeout_context(e: io::Error, what: &str) -> io::Error {
    match e.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => io::Error::new(
            io::ErrorKind::TimedOut,
            format!("no {what} within {HTTP_TIMEOUT:?}"),
        ),
        _ => io::Error::new(e.kind(), format!("reading {what}: {e}")),
    }
}

/// One CRLF- (or LF-) terminated line without its terminator; `None` at EOF.
fn read_line<R: BufRead>(reader: &mut R, what: &str) -> io::Result<Option<String>> {
    let mut line = Vec::new();
    let n = reader
        .read_until(b'\n', &mut line)
        .map_err(|e| timeout_context(e, what))?;
    if n == 0 {
        return Ok(None);
    }
    if line.last() == Some(&b'\n') {
        line.pop();
        if line.last() == Some(&b'\r') {
            line.pop();
        }
    }
    Ok(Some(String::from_utf8_lossy(&line).into_owned()))
}

/// Reads one response, skipping interim `1xx` responses.
pub fn read_response<R: BufRead>(reader: &mut R, method: &str) -> io::Result<Response> {
    loop {
        let status_line = read_line(reader, "status line")?.ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the connection closed without a response",
            )
        })?;
        let mut parts = status_line.splitn(3, ' ');
        let version = parts.next().unwrap_or("");
        let code = parts.next().unwrap_or("");
        if !version.starts_with("HTTP/") {
            return Err(bad_data(format!(
                "not an HTTP status line: {status_line:?}"
            )));
        }
        let status: u16 = code
            .parse()
            .map_err(|_| bad_data(format!("bad status code in {status_line:?}")))?;
        let headers = read_headers(reader)?;
        let mut response = Response {
            status,
            headers,
            body: Vec::new(),
        };
        if (100..200).contains(&status) && status != 101 {
            continue;
        }
        let no_body = method.eq_ignore_ascii_case("HEAD")
            || status == 204
            || status == 304
            || (100..200).contains(&status);
        if !no_body {
            response.body = read_body(reader, &mut response.headers)?;
        }
        return Ok(response);
    }
}

fn read_headers<R: BufRead>(reader: &mut R) -> io::Result<Vec<(String, String)>> {
    let mut headers = Vec::new();
    loop {
        let line = read_line(reader, "headers")?
            .ok_or_else(|| bad_data("the connection closed inside the headers".into()))?;
        if line.is_empty() {
            return Ok(headers);
        }
        if line.starts_with([' ', '\t']) {
            // obsolete line folding: continue the previous value
            if let Some((_, value)) = headers.last_mut() {
                value.push(' ');
                value.push_str(line.trim());
                continue;
            }
        }
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| bad_data(format!("bad header line {line:?}")))?;
        headers.push((name.trim().to_string(), value.trim().to_string()));
    }
}

/// The body: chunked if the last transfer coding is `chunked`, else
/// `Content-Length` bytes, else everything up to EOF. Chunked trailers are
/// appended to `headers`.
fn read_body<R: BufRead>(
    reader: &mut R,
    headers: &mut Vec<(String, String)>,
) -> io::Result<Vec<u8>> {
    let find = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    let chunked = find("transfer-encoding").is_some_and(|te| {
        te.rsplit(',')
            .next()
            .is_some_and(|last| last.trim().eq_ignore_ascii_case("chunked"))
    });
    if chunked {
        let (body, trailers) = read_chunked(reader)?;
        headers.extend(trailers);
        return Ok(body);
    }
    if let Some(length) = find("content-length") {
        let length: usize = length
            .trim()
            .parse()
            .map_err(|_| bad_data(format!("bad Content-Length {length:?}")))?;
        let mut body = vec![0; length];
        reader.read_exact(&mut body).map_err(|e| {
            if e.kind() == io::ErrorKind::UnexpectedEof {
                bad_data(format!(
                    "the connection closed before the {length} body bytes of Content-Length"
                ))
            } else {
                timeout_context(e, "body")
            }
        })?;
        return Ok(body);
    }
    let mut body = Vec::new();
    match reader.read_to_end(&mut body) {
        Ok(_) => Ok(body),
        // The peer closing with unread request bytes resets a unix socket:
        // what was received is the body.
        Err(e) if e.kind() == io::ErrorKind::ConnectionReset => Ok(body),
        Err(e) => Err(timeout_context(e, "body (read to EOF)")),
    }
}

/// A chunked body and its trailers.
type Chunked = (Vec<u8>, Vec<(String, String)>);

fn read_chunked<R: BufRead>(reader: &mut R) -> io::Result<Chunked> {
    let mut body = Vec::new();
    loop {
        let line = read_line(reader, "chunk size")?
            .ok_or_else(|| bad_data("the connection closed before the last chunk".into()))?;
        let size_text = line.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_text, 16)
            .map_err(|_| bad_data(format!("bad chunk size line {line:?}")))?;
        if size == 0 {
            let trailers = read_headers(reader)?;
            return Ok((body, trailers));
        }
        let start = body.len();
        body.resize(start + size, 0);
        reader
            .read_exact(&mut body[start..])
            .map_err(|e| timeout_context(e, "chunk data"))?;
        let end = read_line(reader, "chunk end")?;
        if end.as_deref() != Some("") {
            return Err(bad_data(format!(
                "chunk of {size} bytes not followed by CRLF (got {end:?})"
            )));
        }
    }
}

/// The file name a golden response for `url` was recorded under (by
/// `tools/golden/oracle_golden.py`).
pub fn golden_slug(url: &str) -> String {
    let s: String = url
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let s = s.trim_start_matches('_').to_string();
    if s.is_empty() {
        "root".into()
    } else {
        s
    }
}

/// The `<p>` with the error description on Publ's built-in error page
/// (the rest of that page carries the current time).
pub fn error_line(body: &str) -> Option<&str> {
    let start = body.find("<p>")?;
    let end = body[start..].find("</p>")? + start;
    Some(&body[start..end])
}

/// The response recorded for `url` in the golden folder `dir`: its
/// `STATUS [Location]` line and its body.
pub fn golden(dir: &Path, url: &str) -> (String, String) {
    let file = dir.join(format!("{}.txt", golden_slug(url)));
    let text = fs::read_to_string(&file)
        .unwrap_or_else(|e| panic!("golden file {} for {url}: {e}", file.display()));
    let (head, body) = text.split_once('\n').unwrap_or((&text, ""));
    (head.to_string(), body.to_string())
}

/// A response's `STATUS [Location]`, as golden files record it.
pub fn status_line(response: &Response) -> String {
    match response.header("location") {
        Some(loc) => format!("{} {loc}", response.status),
        None => response.status.to_string(),
    }
}

/// The PostgreSQL server the tests use (trust authentication).
pub const POSTGRES: &str = "postgres://postgres@127.0.0.1:5432";

thread_local! {
    static IN_POSTGRES: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether indexes go to PostgreSQL: in [`in_postgres`], or for the whole
/// run with `PUBL_TEST_DATABASE=postgres`.
pub fn postgres_mode() -> bool {
    IN_POSTGRES.with(|p| p.get())
        || std::env::var("PUBL_TEST_DATABASE").is_ok_and(|v| v == "postgres")
}

/// Runs `test` with every server and `publ` command it starts (from this
/// thread) keeping its index in PostgreSQL.
pub fn in_postgres(test: impl FnOnce()) {
    if postgres_skipped() {
        return;
    }
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            IN_POSTGRES.with(|p| p.set(false));
        }
    }
    IN_POSTGRES.with(|p| p.set(true));
    let _reset = Reset;
    test();
}

/// Declares each named test function twice, as `sqlite::NAME` (the site's
/// own database) and `postgres::NAME` (in [`in_postgres`]).
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[test] fn $name() { super::$name() })*
        }
        mod postgres {
            $(#[test] fn $name() { super::support::in_postgres(super::$name) })*
        }
    };
}

/// Whether PostgreSQL tests are to be skipped: `.ci/start-postgres` could
/// neither find nor install it (`PUBL_SKIP_POSTGRES`), or, outside CI (no
/// `CI` variable), nothing answers on 127.0.0.1:5432. Says so on stderr.
pub fn postgres_skipped() -> bool {
    static REACHABLE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    let reason = if std::env::var_os("PUBL_SKIP_POSTGRES").is_some() {
        Some("PUBL_SKIP_POSTGRES is set")
    } else if std::env::var_os("CI").is_none()
        && !*REACHABLE.get_or_init(|| {
            psql("postgres", "SELECT 1")
                .output()
                .is_ok_and(|out| out.status.success())
        })
    {
        Some("nothing answers on 127.0.0.1:5432 (.ci/start-postgres starts it)")
    } else {
        None
    };
    if let Some(reason) = reason {
        eprintln!("skipped: PostgreSQL tests: {reason}");
    }
    reason.is_some()
}

/// `--database URL` for a `publ` command on `site` in PostgreSQL mode (see
/// [`postgres_mode`]); nothing otherwise.
pub fn database_args(site: &Path) -> Vec<String> {
    if !postgres_mode() {
        return Vec::new();
    }
    vec!["--database".to_string(), postgres_for(site)]
}

/// The PostgreSQL databases this test process created, by site folder.
static SITE_DATABASES: std::sync::Mutex<Vec<(PathBuf, String)>> = std::sync::Mutex::new(Vec::new());

/// The database of `site`'s index: the same for every command on that
/// folder, created empty the first time this test process asks for it and
/// dropped with the folder's [`SiteCopy`].
pub fn postgres_for(site: &Path) -> String {
    use std::collections::hash_map::DefaultHasher;
    use std::hash::{Hash, Hasher};
    let site = site.canonicalize().unwrap_or_else(|_| site.to_path_buf());
    let mut hasher = DefaultHasher::new();
    site.hash(&mut hasher);
    let name = format!("publ_test_{:016x}", hasher.finish());
    let mut created = SITE_DATABASES.lock().unwrap_or_else(|p| p.into_inner());
    if !created.iter().any(|(_, n)| *n == name) {
        postgres(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        postgres(&format!("CREATE DATABASE {name}"));
        created.push((site, name.clone()));
    }
    format!("{POSTGRES}/{name}")
}

/// Drops the databases [`postgres_for`] made for folders inside `dir`.
fn drop_site_databases(dir: &Path) {
    let mut created = SITE_DATABASES.lock().unwrap_or_else(|p| p.into_inner());
    let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    created.retain(|(site, name)| {
        if !site.starts_with(&dir) {
            return true;
        }
        drop_database(name);
        false
    });
}

fn drop_database(name: &str) {
    let _ = Command::new("psql")
        .args(["-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qc"])
        .arg(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .output();
}

/// A fresh PostgreSQL database of its own, dropped with the value.
pub struct PostgresDb {
    pub name: String,
}

impl PostgresDb {
    pub fn new(tag: &str) -> PostgresDb {
        let name = format!("publ_test_{tag}_{}", std::process::id());
        postgres(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        postgres(&format!("CREATE DATABASE {name}"));
        PostgresDb { name }
    }

    pub fn url(&self) -> String {
        format!("{POSTGRES}/{}", self.name)
    }
}

impl Drop for PostgresDb {
    fn drop(&mut self) {
        drop_database(&self.name);
    }
}

/// Runs one SQL statement as `postgres` on the tests' server; panics if it
/// fails.
pub fn postgres(sql: &str) -> String {
    psql_in("postgres", sql)
}

/// `psql` running `sql` in `database` on the test server, rows unaligned.
fn psql(database: &str, sql: &str) -> Command {
    let mut command = Command::new("psql");
    command.args([
        "-h",
        "127.0.0.1",
        "-U",
        "postgres",
        "-d",
        database,
        "-qtAc",
        sql,
    ]);
    command
}

/// [`postgres`] in `database`; returns the rows, unaligned.
pub fn psql_in(database: &str, sql: &str) -> String {
    let out = psql(database, sql)
        .output()
        .unwrap_or_else(|e| panic!("running psql (PostgreSQL client) for {sql:?}: {e}"));
    assert!(
        out.status.success(),
        "psql {sql:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The real `publ` binary with `args` (plus [`database_args`] for `site`),
/// run to completion; panics unless it succeeds. Returns stdout and stderr.
pub fn publ(site: &Path, args: &[&str]) -> (String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_publ"))
        .args(args)
        .args(database_args(site))
        .output()
        .unwrap_or_else(|e| panic!("running publ {args:?}: {e}"));
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert!(
        out.status.success(),
        "publ {args:?} failed with {}:\n{stdout}{stderr}",
        out.status
    );
    (stdout, stderr)
}

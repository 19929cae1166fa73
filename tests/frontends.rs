//! nginx and Apache for real (issue 6 item 7): the front-end configurations
//! shipped in `deploy/` are run, rewritten only for the test's ports, socket,
//! logs and certificate, in front of the real binary (`publ serve --socket
//! ... --trust-proxy 1`), and pages are fetched through them over TCP.
//!
//! Spec T2 (X-Forwarded handling): with one trusted proxy, publ's absolute
//! URLs follow the scheme and host the front end reports, and what a client
//! sends in X-Forwarded-* headers of its own changes nothing.
//!
//! Needs `nginx`, `apache2`, `openssl` and `curl`: without them the tests
//! print a skip message, or fail when `CI` is set (`.ci/install-frontends`
//! installs them).

mod support;

use std::env;
use std::fs;
use std::net::{TcpListener, TcpStream};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use support::{error_line, repo_root, request, try_request_tcp, Req, Response, Server, SiteCopy};
use tempfile::TempDir;

/// How long a front end may take to accept connections, and to exit.
const FRONT_END_TIMEOUT: Duration = Duration::from_secs(30);
const POLL_INTERVAL: Duration = Duration::from_millis(20);
/// The site name of the `deploy/` configurations.
const HOST: &str = "example.com";
/// The feed's `rel="self"` link path in `sites/sample/templates/feed.xml`.
const FEED: &str = "/feed";
/// publ behind one front end: X-Forwarded-* headers count (spec T2).
const TRUST_PROXY: [&str; 2] = ["--trust-proxy", "1"];

// ---------------------------------------------------------------------------
// Tools
// ---------------------------------------------------------------------------

/// `name` on `PATH`, or in `/usr/sbin` or `/sbin` (where Debian puts nginx
/// and apache2, and which a non-root `PATH` may lack).
fn find_tool(name: &str) -> Option<PathBuf> {
    let path = env::var_os("PATH").unwrap_or_default();
    env::split_paths(&path)
        .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/sbin")])
        .map(|dir| dir.join(name))
        .find(|file| file.is_file())
}

/// The paths of the tools `names`, or `None` (after a skip message) when
/// one is missing. Under CI a missing tool is a failure.
fn require_tools<const N: usize>(names: [&str; N], purpose: &str) -> Option<[PathBuf; N]> {
    let found = names.map(find_tool);
    let missing: Vec<&str> = names
        .iter()
        .zip(&found)
        .filter(|(_, path)| path.is_none())
        .map(|(name, _)| *name)
        .collect();
    if missing.is_empty() {
        return Some(found.map(|path| path.expect("every tool was found")));
    }
    let message = format!(
        "{} missing: run .ci/install-frontends to {purpose}",
        missing.join(", ")
    );
    if env::var_os("CI").is_some() {
        panic!("{message}");
    }
    eprintln!("SKIPPED: {message}");
    None
}

/// The front end's binary plus `openssl` and `curl`, or `None` (skipped).
fn tools_for(front_end: Kind) -> Option<Tools> {
    let purpose = format!("test the {front_end:?} front end");
    let [front_end, openssl, curl] =
        require_tools([front_end.binary_name(), "openssl", "curl"], &purpose)?;
    Some(Tools {
        front_end,
        openssl,
        curl,
    })
}

struct Tools {
    front_end: PathBuf,
    openssl: PathBuf,
    curl: PathBuf,
}

/// Runs a command to completion; panics with its stderr if it fails.
fn run(command: &mut Command) -> Vec<u8> {
    let shown = format!("{command:?}");
    let output = command
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("running {shown}: {e}"));
    assert!(
        output.status.success(),
        "{shown} failed ({}):\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

/// A self-signed certificate for example.com (valid one day) and its key,
/// written to `dir/fullchain.pem` and `dir/privkey.pem`, the file names
/// certbot uses in the `deploy/` configurations.
fn make_certificate(openssl: &Path, dir: &Path) {
    run(Command::new(openssl)
        .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes"])
        .args(["-subj", &format!("/CN={HOST}"), "-days", "1"])
        .arg("-keyout")
        .arg(dir.join("privkey.pem"))
        .arg("-out")
        .arg(dir.join("fullchain.pem")));
}

/// Two TCP ports free on 127.0.0.1 (held together while chosen, so they
/// differ; released for the front end to take).
fn free_ports() -> (u16, u16) {
    let bind = || {
        TcpListener::bind("127.0.0.1:0")
            .unwrap_or_else(|e| panic!("binding a free port on 127.0.0.1: {e}"))
    };
    let (a, b) = (bind(), bind());
    let port = |listener: &TcpListener| {
        listener
            .local_addr()
            .unwrap_or_else(|e| panic!("reading a listener's address: {e}"))
            .port()
    };
    (port(&a), port(&b))
}

/// Whether this process runs as root (then front ends drop privileges:
/// their workers run as another user).
fn running_as_root() -> bool {
    fs::metadata("/proc/self")
        .map(|meta| meta.uid() == 0)
        .unwrap_or(false)
}

/// Adds permission `bits` to `path` (e.g. `o+x` on a folder, so other
/// users can pass through it), keeping the others.
fn open_to_others(path: &Path, bits: u32) {
    let meta = fs::metadata(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let mode = meta.permissions().mode() | bits;
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
        .unwrap_or_else(|e| panic!("chmod {mode:o} {}: {e}", path.display()));
}

// ---------------------------------------------------------------------------
// Front ends
// ---------------------------------------------------------------------------

/// Which front end; everything that differs between nginx and Apache.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Nginx,
    Apache,
}

/// Where a front end under test listens and keeps its files.
struct Layout<'a> {
    dir: &'a Path,
    http: u16,
    https: u16,
    socket: &'a Path,
}

impl Kind {
    fn binary_name(self) -> &'static str {
        match self {
            Kind::Nginx => "nginx",
            Kind::Apache => "apache2",
        }
    }

    /// The shipped configuration, `deploy/<name>/example.com.conf`.
    fn deploy_file(self) -> PathBuf {
        let folder = match self {
            Kind::Nginx => "nginx",
            Kind::Apache => "apache",
        };
        repo_root()
            .join("deploy")
            .join(folder)
            .join("example.com.conf")
    }

    /// What to replace in the shipped configuration: every `from` must be
    /// in it, so the test notices when the file changes shape.
    fn rewrites(self, at: &Layout) -> Vec<(String, String)> {
        let dir = format!("{}/", at.dir.display());
        let mut rewrites = vec![
            (
                format!("/home/USERNAME/.vhosts/{HOST}"),
                at.socket.display().to_string(),
            ),
            (format!("/etc/letsencrypt/live/{HOST}/"), dir.clone()),
        ];
        rewrites.extend(match self {
            Kind::Nginx => [
                (
                    "listen 80;".into(),
                    format!("listen 127.0.0.1:{};", at.http),
                ),
                (
                    "listen 443 ssl;".into(),
                    format!("listen 127.0.0.1:{} ssl;", at.https),
                ),
                ("/var/log/nginx/".into(), dir),
            ],
            Kind::Apache => [
                (
                    "<VirtualHost *:80>".into(),
                    format!("<VirtualHost 127.0.0.1:{}>", at.http),
                ),
                (
                    "<VirtualHost *:443>".into(),
                    format!("<VirtualHost 127.0.0.1:{}>", at.https),
                ),
                ("/var/log/apache2/".into(), dir),
            ],
        });
        rewrites
    }

    /// The main configuration: everything private to `at.dir`, listening
    /// on 127.0.0.1 only, including the rewritten vhost file `vhost`.
    fn main_config(self, at: &Layout, vhost: &Path) -> String {
        let dir = at.dir.display();
        let vhost = vhost.display();
        match self {
            Kind::Nginx => format!(
                "pid {dir}/nginx.pid;\n\
                 error_log {dir}/error.log;\n\
                 events {{}}\n\
                 http {{\n\
                 \x20   client_body_temp_path {dir}/client_body;\n\
                 \x20   proxy_temp_path {dir}/proxy;\n\
                 \x20   fastcgi_temp_path {dir}/fastcgi;\n\
                 \x20   uwsgi_temp_path {dir}/uwsgi;\n\
                 \x20   scgi_temp_path {dir}/scgi;\n\
                 \x20   access_log {dir}/access.log;\n\
                 \x20   include {vhost};\n\
                 }}\n"
            ),
            Kind::Apache => {
                let mut config = format!(
                    "ServerRoot {dir}\n\
                     DefaultRuntimeDir {dir}\n\
                     PidFile {dir}/httpd.pid\n\
                     ErrorLog {dir}/error.log\n\
                     ServerName localhost\n"
                );
                config.push_str(&apache_modules());
                if running_as_root() {
                    // Children must not run as root; www-data is Debian's
                    // web server user.
                    config.push_str("User www-data\nGroup www-data\n");
                }
                config.push_str(&format!(
                    "LogFormat \"%h %l %u %t \\\"%r\\\" %>s %O \\\"%{{Referer}}i\\\" \
                     \\\"%{{User-Agent}}i\\\"\" combined\n\
                     Listen 127.0.0.1:{}\n\
                     Listen 127.0.0.1:{}\n\
                     Include {vhost}\n",
                    at.http, at.https
                ));
                config
            }
        }
    }

    /// The command that runs the front end in the foreground with the
    /// main configuration `config`.
    fn command(self, binary: &Path, at: &Layout, config: &Path) -> Command {
        let mut command = Command::new(binary);
        match self {
            Kind::Nginx => {
                command
                    .arg("-p")
                    .arg(at.dir)
                    .arg("-c")
                    .arg(config)
                    // the error log before the configuration is read
                    .arg("-e")
                    .arg(at.dir.join("error.log"))
                    .args(["-g", "daemon off;"]);
            }
            Kind::Apache => {
                // The configuration uses no ${APACHE_*} variables, so the
                // binary runs without Debian's envvars file.
                command.arg("-f").arg(config).arg("-DFOREGROUND");
            }
        }
        command
    }
}

/// The modules the Apache configuration needs. Those Debian builds into
/// the binary (`log_config`, `unixd`: `apache2 -l`) have no `.so` and must
/// not be loaded.
fn apache_modules() -> String {
    let modules_dir = Path::new("/usr/lib/apache2/modules");
    [
        "mpm_event",
        "unixd",
        "log_config",
        "authz_core",
        "headers",
        "proxy",
        "proxy_http",
        "ssl",
    ]
    .iter()
    .map(|name| (name, modules_dir.join(format!("mod_{name}.so"))))
    .filter(|(_, file)| file.is_file())
    .map(|(name, file)| format!("LoadModule {name}_module {}\n", file.display()))
    .collect()
}

/// Reads the shipped configuration and applies `rewrites`.
fn rewritten_config(file: &Path, rewrites: &[(String, String)]) -> String {
    let mut config =
        fs::read_to_string(file).unwrap_or_else(|e| panic!("reading {}: {e}", file.display()));
    for (from, to) in rewrites {
        assert!(
            config.contains(from.as_str()),
            "{} no longer contains {from:?}: update tests/frontends.rs",
            file.display()
        );
        config = config.replace(from.as_str(), to);
    }
    config
}

/// A front end running in front of a publ socket, in its own temporary
/// folder (configuration, certificate, logs). Stopped when dropped.
struct FrontEnd {
    kind: Kind,
    child: Option<Child>,
    http: u16,
    https: u16,
    dir: TempDir,
}

impl FrontEnd {
    /// Writes the configuration and certificate, starts the front end and
    /// waits until both its ports accept connections.
    fn start(kind: Kind, tools: &Tools, socket: &Path) -> FrontEnd {
        let dir = tempfile::Builder::new()
            .prefix("publ-frontend-")
            .tempdir()
            .unwrap_or_else(|e| panic!("creating a temporary folder: {e}"));
        // nginx workers (as root: user nobody) write their temporary files
        // in here.
        open_to_others(dir.path(), 0o011);
        let (http, https) = free_ports();
        let layout = Layout {
            dir: dir.path(),
            http,
            https,
            socket,
        };
        make_certificate(&tools.openssl, dir.path());
        let vhost = dir.path().join("vhost.conf");
        write_file(
            &vhost,
            &rewritten_config(&kind.deploy_file(), &kind.rewrites(&layout)),
        );
        let config = dir.path().join("main.conf");
        write_file(&config, &kind.main_config(&layout, &vhost));
        let output = dir.path().join("output.log");
        let log = fs::File::create(&output)
            .unwrap_or_else(|e| panic!("creating {}: {e}", output.display()));
        let log_err = log
            .try_clone()
            .unwrap_or_else(|e| panic!("duplicating the log file handle: {e}"));
        let mut command = kind.command(&tools.front_end, &layout, &config);
        let child = command
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_err)
            .spawn()
            .unwrap_or_else(|e| panic!("starting {command:?}: {e}"));
        let mut front_end = FrontEnd {
            kind,
            child: Some(child),
            http,
            https,
            dir,
        };
        front_end.wait_ready();
        front_end
    }

    /// Polls both ports until they accept connections; panics if the
    /// process exits first or takes too long (the logs are printed on drop).
    fn wait_ready(&mut self) {
        let start = Instant::now();
        let accepts = |port: u16| TcpStream::connect(("127.0.0.1", port)).is_ok();
        while !(accepts(self.http) && accepts(self.https)) {
            let child = self.child.as_mut().expect("the front end is running");
            match child.try_wait() {
                Ok(None) => {}
                Ok(Some(status)) => panic!(
                    "{:?} exited with {status} before accepting connections",
                    self.kind
                ),
                Err(e) => panic!("checking on {:?}: {e}", self.kind),
            }
            assert!(
                start.elapsed() < FRONT_END_TIMEOUT,
                "{:?} did not accept connections on ports {} and {} within \
                 {FRONT_END_TIMEOUT:?}",
                self.kind,
                self.http,
                self.https
            );
            thread::sleep(POLL_INTERVAL);
        }
    }

    /// The front end's output and error log.
    fn logs(&self) -> String {
        ["output.log", "error.log"]
            .iter()
            .map(|name| {
                let path = self.dir.path().join(name);
                let text = fs::read_to_string(&path)
                    .unwrap_or_else(|e| format!("<could not read: {e}>\n"));
                format!("--- {} ---\n{text}", path.display())
            })
            .collect()
    }

    /// A request over plain TCP to the http port, for `Host: example.com`.
    fn get(&self, path: &str, headers: &[(&str, &str)]) -> Response {
        let mut req = Req::new("GET", path).header("Host", HOST);
        for (name, value) in headers {
            req = req.header(name, value);
        }
        let addr = format!("127.0.0.1:{}", self.http);
        try_request_tcp(&addr, &req)
            .unwrap_or_else(|e| panic!("GET {path} through {:?} on {addr} failed: {e}", self.kind))
    }

    /// The body of `https://example.com<path>` through the https port, with
    /// curl (TLS without new crates). `Host: example.com` without the port
    /// is what a browser sends to the real port 443.
    fn get_https(&self, curl: &Path, path: &str) -> String {
        let port = self.https;
        let body = run(Command::new(curl)
            .args(["--silent", "--show-error", "--fail", "--insecure"])
            .args(["--max-time", "30"])
            .arg("--resolve")
            .arg(format!("{HOST}:{port}:127.0.0.1"))
            .args(["--header", &format!("Host: {HOST}")])
            .arg(format!("https://{HOST}:{port}{path}")));
        String::from_utf8_lossy(&body).into_owned()
    }

    /// SIGTERM (nginx and Apache stop their workers on it), then SIGKILL if
    /// the process is still there after the timeout.
    fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(child.id().to_string())
            .stderr(Stdio::null())
            .status();
        let start = Instant::now();
        while matches!(child.try_wait(), Ok(None)) && start.elapsed() < FRONT_END_TIMEOUT {
            thread::sleep(POLL_INTERVAL);
        }
        let _ = child.kill();
        let _ = child.wait();
    }
}

impl Drop for FrontEnd {
    fn drop(&mut self) {
        if thread::panicking() {
            // The test failed: its output shows what the front end said.
            eprintln!("{}", self.logs());
        }
        self.stop();
    }
}

fn write_file(path: &Path, contents: &str) {
    fs::write(path, contents).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
}

// ---------------------------------------------------------------------------
// Setup
// ---------------------------------------------------------------------------

/// The sample site served on a unix socket, with a front end before it.
/// Fields drop in order: the front end stops before publ.
struct Setup {
    front_end: FrontEnd,
    server: Server,
    tools: Tools,
    _site: SiteCopy,
}

impl Setup {
    /// `None` (skipped) when a tool is missing.
    fn start(kind: Kind) -> Option<Setup> {
        let tools = tools_for(kind)?;
        let site = SiteCopy::of("sample");
        let server = Server::serve_with(site.path(), &TRUST_PROXY);
        let socket = server.socket();
        // Run as root, nginx's and Apache's workers are another user
        // (nobody, www-data). publ makes the socket mode 666 for them, but
        // it lies in a 0700 temporary folder: like a real deployment's
        // folders, that must let them through.
        let folder = socket.parent().expect("the socket is in a folder");
        open_to_others(folder, 0o001);
        let front_end = FrontEnd::start(kind, &tools, socket);
        Some(Setup {
            front_end,
            server,
            tools,
            _site: site,
        })
    }

    /// `GET path` straight on the publ socket, for `Host: example.com`.
    fn direct(&self, path: &str) -> Response {
        request(self.server.socket(), "GET", path, &[("Host", HOST)])
    }
}

/// The feed's `rel="self"` link for `scheme`, as the sample's feed template
/// writes it.
fn feed_self_link(scheme: &str) -> String {
    format!("<link href=\"{scheme}://{HOST}{FEED}\" rel=\"self\" />")
}

// ---------------------------------------------------------------------------
// Checks, the same for both front ends
// ---------------------------------------------------------------------------

/// Pages and statuses pass through unchanged, and `Host` is preserved.
fn check_http(kind: Kind) {
    let Some(setup) = Setup::start(kind) else {
        return;
    };
    let home = setup.front_end.get("/", &[]);
    assert_eq!(home.status, 200, "{home:?}");
    assert_eq!(
        home.text(),
        setup.direct("/").text(),
        "the home page differs through {kind:?}"
    );

    let missing = setup.front_end.get("/no/such/page", &[]);
    assert_eq!(missing.status, 404, "{missing:?}");
    // publ's error page, not the front end's own
    assert_eq!(
        error_line(&missing.text()),
        error_line(&setup.direct("/no/such/page").text()),
        "{missing:?}"
    );

    // The feed's absolute URLs are made from the Host header.
    let feed = setup.front_end.get(FEED, &[]);
    assert_eq!(feed.status, 200, "{feed:?}");
    assert!(feed.text().contains(&feed_self_link("http")), "{feed:?}");
}

/// Through the https port, absolute URLs say https (needs publ's
/// `--trust-proxy 1` to believe X-Forwarded-Proto).
fn check_https(kind: Kind) {
    let Some(setup) = Setup::start(kind) else {
        return;
    };
    let feed = setup.front_end.get_https(&setup.tools.curl, FEED);
    assert!(
        feed.contains(&feed_self_link("https")),
        "the feed through {kind:?}'s https port:\n{feed}"
    );
}

/// X-Forwarded-* headers a client sends to the http port are replaced or
/// dropped by the front end, so a trusting publ still makes
/// `http://example.com/` URLs.
fn check_forged_headers(kind: Kind) {
    let Some(setup) = Setup::start(kind) else {
        return;
    };
    let forged = [
        ("X-Forwarded-Proto", "https"),
        ("X-Forwarded-Host", "evil.example"),
        ("X-Forwarded-Prefix", "/evil"),
    ];
    let feed = setup.front_end.get(FEED, &forged);
    assert_eq!(feed.status, 200, "{feed:?}");
    let text = feed.text();
    assert!(text.contains(&feed_self_link("http")), "{feed:?}");
    assert!(!text.contains("evil"), "{feed:?}");
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

/// Issue 6 item 7: deploy/nginx/example.com.conf proxies pages, statuses
/// and the Host header to the publ socket.
#[test]
fn nginx_serves_the_site_over_http() {
    check_http(Kind::Nginx);
}

/// Issue 6 item 7, spec T2: nginx's https server block makes publ's
/// absolute URLs https.
#[test]
fn nginx_https_makes_https_urls() {
    check_https(Kind::Nginx);
}

/// Issue 6 item 7, spec T2: nginx does not pass on forged X-Forwarded-*
/// headers.
#[test]
fn nginx_replaces_forged_forwarded_headers() {
    check_forged_headers(Kind::Nginx);
}

/// Issue 6 item 7: deploy/apache/example.com.conf proxies pages, statuses
/// and the Host header to the publ socket.
#[test]
fn apache_serves_the_site_over_http() {
    check_http(Kind::Apache);
}

/// Issue 6 item 7, spec T2: Apache's https virtual host makes publ's
/// absolute URLs https.
#[test]
fn apache_https_makes_https_urls() {
    check_https(Kind::Apache);
}

/// Issue 6 item 7, spec T2: Apache does not pass on forged X-Forwarded-*
/// headers.
#[test]
fn apache_replaces_forged_forwarded_headers() {
    check_forged_headers(Kind::Apache);
}

/// Issue 6 item 7: the guide's check `curl --unix-socket SOCKET
/// http://example.com/` gets the home page. (Its `https://` form does not
/// work: curl speaks TLS over the socket, and publ speaks plain HTTP.)
#[test]
fn curl_over_the_socket_gets_the_home_page() {
    let Some([curl]) = require_tools(["curl"], "run the guide's curl check") else {
        return;
    };
    let site = SiteCopy::of("sample");
    let server = Server::serve_with(site.path(), &TRUST_PROXY);
    let body = run(Command::new(curl)
        .args(["--silent", "--show-error", "--fail", "--max-time", "30"])
        .arg("--unix-socket")
        .arg(server.socket())
        .arg(format!("http://{HOST}/")));
    let direct = request(server.socket(), "GET", "/", &[("Host", HOST)]);
    assert_eq!(direct.status, 200, "{direct:?}");
    assert_eq!(String::from_utf8_lossy(&body), direct.text());
}

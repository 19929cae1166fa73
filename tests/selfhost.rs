//! Self-hosting as the Publ guide describes it (issue 6, items 1-6; spec
//! T2): the real binary on a real unix socket, driven the way systemd, cron
//! and a front-end proxy drive it.

mod support;

use std::ffi::{OsStr, OsString};
use std::fs;
use std::io::ErrorKind;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::net::{UnixDatagram, UnixListener, UnixStream};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use support::{get, send, wait_until, Req, Server, SiteCopy};

/// `serve SITE --socket SOCK EXTRA...`, the command line most tests run.
fn serve_args(site: &Path, sock: &Path, extra: &[&str]) -> Vec<OsString> {
    let mut args: Vec<OsString> = vec!["serve".into(), site.into(), "--socket".into(), sock.into()];
    args.extend(extra.iter().map(OsString::from));
    args
}

/// Runs `publ ARGS` to its exit (it must not start serving), with a time
/// limit so a wrongly-started server fails the test instead of hanging it.
fn publ_exits<S: AsRef<OsStr> + std::fmt::Debug>(args: &[S], env: &[(&str, &str)]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_publ"))
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("spawning publ {args:?}: {e}"));
    let start = Instant::now();
    while child.try_wait().ok().flatten().is_none() {
        if start.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            panic!("publ {args:?} did not exit within 30 s");
        }
        thread::sleep(Duration::from_millis(20));
    }
    child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("collecting the output of publ {args:?}: {e}"))
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn scratch() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("publ-selfhost-")
        .tempdir()
        .unwrap_or_else(|e| panic!("creating a temporary folder: {e}"))
}

/// A template that echoes how the site sees the request.
const ORIGIN_TEMPLATE: &str = "{{ request.remote_addr }}|{{ request.scheme }}|{{ request.host }}|\
{{ request.script_root }}|{{ category.link(absolute=True) }}|{{ request.url }}";

/// A page that takes as long as `?n=` asks: real template work, no sleep.
const SLOW_TEMPLATE: &str = "{% set n = request.args.n|int %}{% for a in range(n) %}\
{% for b in range(1000) %}{% endfor %}{% endfor %}done {{ n }}";

/// `?n=` for a slow page that takes at least `at_least` on this machine.
fn calibrate_slow_page(sock: &Path, at_least: Duration) -> (u64, Duration) {
    let mut n = 200;
    loop {
        let start = Instant::now();
        let r = get(sock, &format!("/slow?n={n}"));
        let took = start.elapsed();
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.text(), format!("done {n}"));
        if took >= at_least {
            return (n, took);
        }
        n *= 2;
        assert!(n < 10_000_000, "the slow page never got slow");
    }
}

/// Item 1: a socket file left by a crashed run is replaced.
#[test]
fn a_stale_socket_is_replaced() {
    let site = SiteCopy::of("sample");
    let dir = scratch();
    let sock = dir.path().join("site.sock");
    // Bound and closed without unlinking: what a killed server leaves.
    drop(UnixListener::bind(&sock).expect("binding a socket to leave behind"));
    assert!(sock.exists() && UnixStream::connect(&sock).is_err());

    let server = Server::start(&serve_args(site.path(), &sock, &[]));
    assert_eq!(get(&sock, "/").status, 200, "{}", server.log());
    assert!(
        server.log().contains("removing stale socket"),
        "{}",
        server.log()
    );
}

/// Item 1: a socket some live program serves is not taken.
#[test]
fn a_live_socket_is_not_stolen() {
    let site = SiteCopy::of("sample");
    let dir = scratch();
    let sock = dir.path().join("busy.sock");
    let listener = UnixListener::bind(&sock).expect("binding the busy socket");
    let out = publ_exits(&serve_args(site.path(), &sock, &[]), &[]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("is in use by a running server"),
        "{}",
        stderr(&out)
    );
    // Still the listener's socket: a connection reaches it.
    let _client = UnixStream::connect(&sock).expect("the busy socket still works");
    listener.accept().expect("the listener got the connection");
}

/// Item 2: a second `publ serve` on the same socket (a cron launcher every
/// minute, or a plain repeat) gives up at once; the first keeps serving.
#[test]
fn a_second_instance_is_refused() {
    let site = SiteCopy::of("sample");
    let server = Server::serve(site.path());
    let sock = server.socket().to_path_buf();
    let started = Instant::now();
    let out = publ_exits(&serve_args(site.path(), &sock, &[]), &[]);
    assert!(!out.status.success());
    let expected = format!(
        "another publ instance (pid {}) is already serving",
        server.pid()
    );
    assert!(stderr(&out).contains(&expected), "{}", stderr(&out));
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "refused before scanning"
    );
    assert_eq!(get(&sock, "/").status, 200, "{}", server.log());
}

/// Item 1: `~` is expanded, missing folders are made, and the socket gets
/// the mode (default: usable by the web server's user) and group asked for.
#[test]
fn socket_folder_mode_and_group() {
    let site = SiteCopy::of("sample");
    let home = scratch();
    let mut child = Command::new(env!("CARGO_BIN_EXE_publ"))
        .args(["serve".as_ref(), site.path().as_os_str()])
        .args(["--socket", "~/.vhosts/example.com"])
        .env("HOME", home.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawning publ");
    let sock = home.path().join(".vhosts/example.com");
    wait_until(
        "the socket under ~/.vhosts",
        Duration::from_secs(60),
        || UnixStream::connect(&sock).is_ok(),
    );
    let mode = fs::metadata(&sock)
        .expect("socket metadata")
        .permissions()
        .mode();
    assert_eq!(mode & 0o7777, 0o666, "default mode {mode:o}");
    assert_eq!(get(&sock, "/").status, 200);
    let _ = Command::new("kill").arg(child.id().to_string()).status();
    child.wait().expect("waiting for publ");
    assert!(!sock.exists(), "socket removed on shutdown");

    // A group other than our own, so the chown is visible.
    let gid = 1u32;
    let server = Server::serve_with(
        site.path(),
        &["--socket-mode", "660", "--socket-group", &gid.to_string()],
    );
    let meta = fs::metadata(server.socket()).expect("socket metadata");
    assert_eq!(meta.permissions().mode() & 0o7777, 0o660);
    assert_eq!(meta.gid(), gid);

    let out = publ_exits(
        &serve_args(
            site.path(),
            Path::new("x.sock"),
            &["--socket-group", "no-such-group-here"],
        ),
        &[],
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("no such group"), "{}", stderr(&out));
}

/// Item 4: SIGHUP reloads templates, content and publ.toml while a request
/// loop runs; not one request fails, and the new site shows.
#[test]
fn sighup_reloads_without_failing_a_request() {
    let site = SiteCopy::of("sample");
    let server = Server::serve(site.path());
    let sock = server.socket().to_path_buf();
    assert_eq!(get(&sock, "/").status, 200);

    let stop = Arc::new(AtomicBool::new(false));
    let loops: Vec<_> = (0..2)
        .map(|_| {
            let (sock, stop) = (sock.clone(), stop.clone());
            thread::spawn(move || {
                let mut statuses = Vec::new();
                while !stop.load(Ordering::SeqCst) {
                    let r = support::try_request_unix(&sock, &Req::new("GET", "/"));
                    statuses.push(r.map(|r| r.status).map_err(|e| e.to_string()));
                }
                statuses
            })
        })
        .collect();

    let index = site.read("templates/index.html");
    site.write(
        "templates/index.html",
        &index.replace(
            "{% block content %}",
            "{% block content %}<p id=reloaded>reloaded</p>",
        ),
    );
    site.write(
        "content/blog/reloaded.md",
        "Title: Added before the reload\nDate: 2024-05-05\n\nNew.\n",
    );
    server.signal("HUP");
    wait_until("the reloaded template", Duration::from_secs(30), || {
        get(&sock, "/").text().contains("id=reloaded")
    });
    server.wait_for_log("reloaded", Duration::from_secs(30));
    let blog = get(&sock, "/blog/");
    assert!(
        blog.text().contains("Added before the reload"),
        "{}",
        blog.text()
    );

    // A configuration that does not load leaves the old site serving.
    site.write("publ.toml", "timezone = [broken\n");
    server.signal("HUP");
    server.wait_for_log("still serving the old one", Duration::from_secs(30));
    // One that loads but cannot work is refused before the index is touched.
    site.write("publ.toml", "content_folder = \"no-such-folder\"\n");
    server.signal("HUP");
    server.wait_for_log("still serving the old site", Duration::from_secs(30));

    stop.store(true, Ordering::SeqCst);
    let statuses: Vec<_> = loops
        .into_iter()
        .flat_map(|l| l.join().expect("request loop"))
        .collect();
    assert!(statuses.len() > 10, "the loop ran: {}", statuses.len());
    let failed: Vec<_> = statuses.iter().filter(|s| **s != Ok(200)).collect();
    assert!(failed.is_empty(), "failed during reload: {failed:?}");
    let home = get(&sock, "/");
    assert_eq!(home.status, 200);
    assert!(home.text().contains("id=reloaded"));
}

/// Items 3 and 4: a slow render does not hold up other requests even with
/// one worker, and SIGTERM lets it finish, refuses new connections, then
/// exits cleanly and removes the socket.
#[test]
fn sigterm_finishes_in_flight_requests() {
    let site = SiteCopy::of("sample");
    site.write("templates/slow.html", SLOW_TEMPLATE);
    let server = Server::serve_with(site.path(), &["--threads", "1"]);
    let sock = server.socket().to_path_buf();
    let (n, took) = calibrate_slow_page(&sock, Duration::from_millis(1500));

    let slow = {
        let sock = sock.clone();
        thread::spawn(move || get(&sock, &format!("/slow?n={n}")))
    };
    thread::sleep(took / 4);
    let quick = Instant::now();
    assert_eq!(get(&sock, "/").status, 200);
    assert!(
        quick.elapsed() < took / 2,
        "a quick page waited for the slow one: {:?} (slow page {took:?})",
        quick.elapsed()
    );

    server.signal("TERM");
    thread::sleep(Duration::from_millis(200));
    match UnixStream::connect(&sock) {
        Err(e) => assert!(
            matches!(e.kind(), ErrorKind::ConnectionRefused | ErrorKind::NotFound),
            "{e}"
        ),
        Ok(stream) => {
            // Accepted by the kernel's backlog at most: never answered.
            stream
                .set_read_timeout(Some(Duration::from_secs(30)))
                .expect("read timeout");
            let r = support::read_response(&mut std::io::BufReader::new(stream), "GET");
            assert!(r.is_err(), "a new connection was served after SIGTERM");
        }
    }
    let response = slow.join().expect("slow request thread");
    assert_eq!(response.status, 200);
    assert_eq!(response.text(), format!("done {n}"));
    let log_before = server.log();
    let status = server.stop();
    assert!(status.success(), "exit status {status}; log:\n{log_before}");
    assert!(!sock.exists(), "socket removed");
}

/// Item 5 (spec T2): `X-Forwarded-*` count only with `--trust-proxy N`,
/// and then set the client, scheme, host and prefix; `Host` is kept.
#[test]
fn forwarded_headers_need_trust_proxy() {
    let site = SiteCopy::of("sample");
    site.write("templates/origin.html", ORIGIN_TEMPLATE);
    let forged = Req::new("GET", "/origin")
        .header("Host", "example.com")
        .header("X-Forwarded-For", "6.6.6.6, 203.0.113.7")
        .header("X-Forwarded-Proto", "https")
        .header("X-Forwarded-Prefix", "/site");

    let plain = Server::serve(site.path());
    let r = send(plain.socket(), &forged);
    assert_eq!(r.status, 200, "{}", plain.log());
    assert_eq!(
        r.text(),
        "None|http|example.com||http://example.com/|http://example.com/origin"
    );
    drop(plain);

    let proxied = Server::serve_with(site.path(), &["--trust-proxy", "1"]);
    let r = send(proxied.socket(), &forged);
    assert_eq!(
        r.text(),
        "203.0.113.7|https|example.com|/site|https://example.com/site/|https://example.com/site/origin"
    );
    proxied.wait_for_log("client=203.0.113.7", Duration::from_secs(5));
    let feed = send(
        proxied.socket(),
        &Req::new("GET", "/feed")
            .header("Host", "blog.example.org")
            .header("X-Forwarded-Proto", "https"),
    );
    assert!(
        feed.text().contains("<id>https://blog.example.org/</id>"),
        "{}",
        feed.text()
    );
    // X-Forwarded-Host wins over Host when trusted.
    let r = send(
        proxied.socket(),
        &Req::new("GET", "/origin")
            .header("Host", "127.0.0.1")
            .header("X-Forwarded-Host", "example.net"),
    );
    assert!(r.text().contains("|http|example.net|"), "{}", r.text());
}

/// Item 6: readiness, reloads and stopping reach systemd's notify socket.
#[test]
fn systemd_hears_ready_reloading_and_stopping() {
    let site = SiteCopy::of("sample");
    let dir = scratch();
    let notify_path = dir.path().join("notify");
    let notify = UnixDatagram::bind(&notify_path).expect("binding a notify socket");
    notify
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("read timeout");
    let sock = dir.path().join("site.sock");
    let server = Server::start_with_env(
        &serve_args(site.path(), &sock, &[]),
        &[("NOTIFY_SOCKET", &notify_path.to_string_lossy())],
    );
    let next = || {
        let mut buf = [0u8; 4096];
        let n = notify.recv(&mut buf).expect("a notification");
        String::from_utf8_lossy(&buf[..n]).into_owned()
    };
    let ready = next();
    assert!(ready.lines().any(|l| l == "READY=1"), "{ready}");
    assert!(ready.contains("STATUS=serving on"), "{ready}");

    server.signal("HUP");
    let reloading = next();
    assert!(reloading.lines().any(|l| l == "RELOADING=1"), "{reloading}");
    assert!(reloading.contains("MONOTONIC_USEC="), "{reloading}");
    assert!(next().lines().any(|l| l == "READY=1"));

    server.signal("TERM");
    assert!(next().lines().any(|l| l == "STOPPING=1"));
    assert!(server.stop().success());
}

/// Item 6: `publ systemd-unit` prints the guide's user unit for this
/// binary, and its ExecStart really serves the site.
#[test]
fn systemd_unit_runs_the_site() {
    let site = SiteCopy::of("sample");
    let home = scratch();
    let out = publ_exits(
        &[
            "systemd-unit",
            &site.path().to_string_lossy(),
            "--socket",
            "~/.vhosts/example.com",
            "--threads",
            "8",
            "--trust-proxy",
            "1",
        ],
        &[("HOME", &home.path().to_string_lossy())],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let unit = String::from_utf8_lossy(&out.stdout).into_owned();
    let line = |key: &str| -> String {
        unit.lines()
            .find_map(|l| l.strip_prefix(&format!("{key}=")))
            .unwrap_or_else(|| panic!("no {key}= in the unit:\n{unit}"))
            .to_string()
    };
    let sock = home.path().join(".vhosts/example.com");
    let binary = Path::new(env!("CARGO_BIN_EXE_publ"))
        .canonicalize()
        .expect("binary path");
    assert_eq!(
        line("ExecStart"),
        format!(
            "{} serve {} --socket {} --threads 8 --trust-proxy 1",
            binary.display(),
            site.path().display(),
            sock.display()
        )
    );
    assert_eq!(line("WorkingDirectory"), site.path().display().to_string());
    assert_eq!(line("ExecReload"), "/bin/kill -HUP $MAINPID");
    assert_eq!(line("Type"), "notify");
    assert_eq!(line("Restart"), "always");
    assert_eq!(line("WantedBy"), "default.target");
    assert!(unit.contains("[Unit]\nDescription=Publ instance for site\n"));

    let exec = line("ExecStart");
    let args: Vec<&str> = exec.split(' ').collect();
    let server = Server::start(&args[1..]);
    assert_eq!(get(&sock, "/").status, 200, "{}", server.log());
}

/// Item 6: under systemd (JOURNAL_STREAM set) log lines carry their syslog
/// priority and no timestamp, which the journal adds itself.
#[test]
fn journal_lines_carry_priorities() {
    let site = SiteCopy::of("sample");
    site.write(
        "content/broken.md",
        "Title: Broken\nEntry-ID: abc\n\nText.\n",
    );
    let dir = scratch();
    let sock = dir.path().join("site.sock");
    let server = Server::start_with_env(
        &serve_args(site.path(), &sock, &["--threads", "3"]),
        &[("JOURNAL_STREAM", "8:12345")],
    );
    assert_eq!(get(&sock, "/").status, 200);
    server.wait_for_log("request", Duration::from_secs(5));
    let log = server.log();
    let listening = log
        .lines()
        .find(|l| l.contains("listening"))
        .unwrap_or_else(|| panic!("no listening line:\n{log}"));
    assert!(listening.starts_with("<6> INFO "), "{listening}");
    assert!(listening.contains("workers=3"), "{listening}");
    let skipped = log
        .lines()
        .find(|l| l.contains("entry skipped"))
        .unwrap_or_else(|| panic!("no error line:\n{log}"));
    assert!(skipped.starts_with("<3>ERROR "), "{skipped}");
}

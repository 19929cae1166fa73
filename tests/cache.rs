//! The render cache, conditional requests and compression (issue 7; spec
//! P1-P5), through the real binary on a real socket.

mod support;

use std::io::Write;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use support::{get, request, wait_until, Server, SiteCopy};

/// A page that is different every time it is rendered.
const CLOCK: &str = "{{ arrow.utcnow().float_timestamp }}";

fn sample_with_clock() -> SiteCopy {
    let site = SiteCopy::of("sample");
    site.write("templates/clock.html", CLOCK);
    site
}

/// spec P1/P2: a page is rendered once per site state and request; the
/// query is part of the key; a reload starts a new state (section 4 item
/// 15: the index generation is in the key).
#[test]
fn pages_are_rendered_once_per_site_state() {
    let site = sample_with_clock();
    let server = Server::serve(site.path());
    // The sample's ID-less entry gets its ID: a new site state.
    server.wait_for_write_backs();
    let sock = server.socket();
    let first = get(sock, "/clock").text();
    thread::sleep(Duration::from_millis(20));
    assert_eq!(get(sock, "/clock").text(), first, "served from the cache");
    assert_ne!(get(sock, "/clock?again").text(), first, "another URL");

    server.signal("HUP");
    wait_until("a new render after SIGHUP", Duration::from_secs(30), || {
        get(sock, "/clock").text() != first
    });
}

/// spec P1: `CACHE_TYPE = "NullCache"` turns the cache off, as in
/// Flask-Caching.
#[test]
fn null_cache_renders_every_time() {
    let site = sample_with_clock();
    site.write(
        "publ.toml",
        "timezone = \"US/Pacific\"\n[cache]\nCACHE_TYPE = \"NullCache\"\n",
    );
    let server = Server::serve(site.path());
    let first = get(server.socket(), "/clock").text();
    thread::sleep(Duration::from_millis(20));
    assert_ne!(get(server.socket(), "/clock").text(), first);
}

/// A changed entry shows on the next request after the rescan, never the
/// cached page.
#[test]
fn edited_entries_show_after_sighup() {
    let site = SiteCopy::of("sample");
    let server = Server::serve(site.path());
    let sock = server.socket();
    site.write(
        "content/blog/edited.md",
        "Title: Edited entry\nEntry-ID: 900\nDate: 2020-01-01\n\nFirst words.\n",
    );
    server.signal("HUP");
    wait_until("the new entry", Duration::from_secs(30), || {
        get(sock, "/900").status == 301
    });
    let url = get(sock, "/900")
        .header("location")
        .expect("canonical location")
        .to_string();
    let path = url.trim_start_matches("http://localhost");
    assert!(get(sock, path).text().contains("First words."));
    assert!(get(sock, path).text().contains("First words."), "cached");
    let text = site.read("content/blog/edited.md");
    site.write(
        "content/blog/edited.md",
        &text.replace("First words.", "Second words."),
    );
    server.signal("HUP");
    wait_until("the edited entry", Duration::from_secs(30), || {
        get(sock, path).text().contains("Second words.")
    });
}

/// `date -u` of a Unix time, in the entry header format.
fn header_date(secs: u64) -> String {
    let out = Command::new("date")
        .args(["-u", "-d", &format!("@{secs}"), "+%Y-%m-%d %H:%M:%S+00:00"])
        .output()
        .expect("running date");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// spec P2, A11: a scheduled entry joins the listings when its time comes,
/// with no restart, although the listing was cached before.
#[test]
fn scheduled_entries_appear_on_time() {
    let site = SiteCopy::of("sample");
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    let due = now + 4;
    site.write(
        "content/blog/later.md",
        &format!(
            "Title: Comes later\nEntry-ID: 901\nDate: {}\n\nSoon.\n",
            header_date(due)
        ),
    );
    let server = Server::serve(site.path());
    let sock = server.socket();
    let before = get(sock, "/blog/");
    assert!(!before.text().contains("Comes later"), "{}", before.text());
    assert!(!get(sock, "/blog/").text().contains("Comes later"));
    wait_until("the scheduled entry", Duration::from_secs(30), || {
        get(sock, "/blog/").text().contains("Comes later")
    });
    let shown = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    assert!(shown >= due, "shown at {shown}, due at {due}");
}

/// spec P4: a repeated request with the ETag is a 304, from the cache too.
#[test]
fn repeated_requests_get_304() {
    let site = SiteCopy::of("sample");
    let server = Server::serve(site.path());
    let sock = server.socket();
    for path in ["/", "/blog/"] {
        let page = get(sock, path);
        let etag = page.header("etag").expect("ETag").to_string();
        assert!(etag.starts_with('"'), "{etag}");
        for _ in 0..2 {
            let again = request(sock, "GET", path, &[("If-None-Match", &etag)]);
            assert_eq!(again.status, 304, "{path}");
            assert!(again.body.is_empty());
            assert_eq!(again.header("etag"), Some(etag.as_str()));
        }
    }
}

/// Static files carry validators and honour `Range`.
#[test]
fn static_files_have_validators_and_ranges() {
    let site = SiteCopy::of("sample");
    let server = Server::serve(site.path());
    let sock = server.socket();
    let full = get(sock, "/static/hello.txt");
    assert_eq!(full.status, 200);
    assert_eq!(
        full.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    let etag = full.header("etag").expect("ETag").to_string();
    let modified = full
        .header("last-modified")
        .expect("Last-Modified")
        .to_string();
    let by_etag = request(
        sock,
        "GET",
        "/static/hello.txt",
        &[("If-None-Match", &etag)],
    );
    assert_eq!(by_etag.status, 304);
    let by_date = request(
        sock,
        "GET",
        "/static/hello.txt",
        &[("If-Modified-Since", &modified)],
    );
    assert_eq!(by_date.status, 304);
    let part = request(sock, "GET", "/static/hello.txt", &[("Range", "bytes=0-3")]);
    assert_eq!(part.status, 206);
    assert_eq!(part.body, full.body[..4]);
    let total = full.body.len();
    assert_eq!(
        part.header("content-range"),
        Some(format!("bytes 0-3/{total}").as_str())
    );
}

/// `gzip -dc` of `bytes`.
fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut child = Command::new("gzip")
        .arg("-dc")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("running gzip");
    child
        .stdin
        .take()
        .expect("gzip stdin")
        .write_all(bytes)
        .expect("feeding gzip");
    child.wait_with_output().expect("gzip output").stdout
}

/// Pages are compressed for clients that accept it, unless
/// `--no-compress` says a front end does it.
#[test]
fn compression_follows_accept_encoding() {
    let site = SiteCopy::of("sample");
    let server = Server::serve(site.path());
    let sock = server.socket();
    let plain = get(sock, "/");
    assert_eq!(plain.header("content-encoding"), None);
    let gz = request(sock, "GET", "/", &[("Accept-Encoding", "gzip")]);
    assert_eq!(gz.header("content-encoding"), Some("gzip"));
    assert_eq!(gunzip(&gz.body), plain.body);
    let br = request(sock, "GET", "/", &[("Accept-Encoding", "br, gzip")]);
    assert_eq!(br.header("content-encoding"), Some("br"));
    assert!(!br.body.is_empty());
    drop(server);

    let server = Server::serve_with(site.path(), &["--no-compress"]);
    let r = request(server.socket(), "GET", "/", &[("Accept-Encoding", "gzip")]);
    assert_eq!(r.header("content-encoding"), None);
    assert_eq!(r.body, plain.body);
}

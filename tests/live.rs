//! The live index (issue 8; spec Q3-Q6, R1, C16): file watching, periodic
//! rescans, another process's reindex, a database lost or damaged under a
//! running instance, an unavailable content folder, and kill -9 during a
//! reindex, through the real binary on a real socket and a real SQLite file
//! (or PostgreSQL with `PUBL_TEST_DATABASE=postgres`).

mod support;

use std::collections::HashSet;
use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use support::{database_args, get, postgres_mode, publ, wait_until, Server, SiteCopy};

/// How long a change may take to show. The issue asks for a second or two;
/// the bound leaves room for a loaded CI machine, and the tests print how
/// long each change actually took.
const FOLLOW: Duration = Duration::from_secs(10);

on_both_backends!(
    watched_entries_follow_create_modify_move_delete,
    rename_over_saves_are_followed,
    a_burst_of_500_files_is_batched,
    template_changes_show,
    images_added_later_show,
    periodic_rescans_without_watching,
    another_process_reindex_shows_without_restart,
    reindex_cli_options,
    unavailable_content_keeps_the_old_index,
    kill_9_during_reindex_loses_nothing,
    kill_9_before_the_write_back_keeps_ids_and_uuids,
);

fn entry(id: u32, title: &str, body: &str) -> String {
    format!("Title: {title}\nEntry-ID: {id}\nDate: 2024-03-01 12:00:00-08:00\n\n{body}\n")
}

/// The canonical path of entry `id`, once `/ID` redirects to it.
fn entry_path(sock: &Path, id: u32) -> Option<String> {
    let r = get(sock, &format!("/{id}"));
    if r.status != 301 {
        return None;
    }
    let location = r.header("location")?;
    Some(location.trim_start_matches("http://localhost").to_string())
}

/// Waits for the rescan a watching server makes once it watches, so that
/// what a test does next is seen by a later scan.
fn caught_up(server: &Server) {
    wait_until("the rescan after startup", FOLLOW, || {
        server.log().contains("catching up after startup")
    });
}

/// Writes the entry `text` (made by [`entry`]) to `rel`, waits until the
/// server has it, and returns its canonical path.
fn add_entry(site: &SiteCopy, sock: &Path, rel: &str, text: &str) -> String {
    let id: u32 = text
        .lines()
        .find_map(|l| l.strip_prefix("Entry-ID: "))
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("no Entry-ID in {text:?}"));
    site.write(rel, text);
    follow(&format!("entry {id} from {rel}"), || {
        entry_path(sock, id).is_some()
    });
    entry_path(sock, id).unwrap_or_else(|| panic!("entry {id} went away"))
}

/// Waits until `done` and reports how long it took.
fn follow(what: &str, done: impl FnMut() -> bool) {
    let start = Instant::now();
    wait_until(what, FOLLOW, done);
    eprintln!("{what}: {:?}", start.elapsed());
}

fn sample_with(config: &str) -> SiteCopy {
    let site = SiteCopy::of("sample");
    site.write(
        "publ.toml",
        &format!("timezone = \"US/Pacific\"\n{config}\n"),
    );
    site
}

/// spec Q4: create, modify, move and delete of an entry show without a
/// restart.
fn watched_entries_follow_create_modify_move_delete() {
    let site = SiteCopy::of("sample");
    let server = Server::serve(site.path());
    let sock = server.socket();

    let path = add_entry(
        &site,
        sock,
        "content/blog/watched.md",
        &entry(901, "Watched", "First words."),
    );
    assert!(path.starts_with("/blog/901"), "{path}");
    assert!(get(sock, &path).text().contains("First words."));

    site.write(
        "content/blog/watched.md",
        &entry(901, "Watched", "Second words."),
    );
    follow("an edited entry", || {
        get(sock, &path).text().contains("Second words.")
    });

    fs::rename(
        site.join("content/blog/watched.md"),
        site.join("content/notes/watched.md"),
    )
    .expect("moving the entry to another category");
    follow("a moved entry", || {
        entry_path(sock, 901).is_some_and(|p| p.starts_with("/notes/901"))
    });

    site.remove("content/notes/watched.md");
    follow("a deleted entry", || get(sock, "/901").status == 404);
}

/// spec Q4: editors that save by writing a new file and renaming it over
/// the old one (vim, VS Code) are followed.
fn rename_over_saves_are_followed() {
    let site = SiteCopy::of("sample");
    let server = Server::serve(site.path());
    let sock = server.socket();
    let path = entry_path(sock, 101).expect("the first post");
    assert!(get(sock, &path).text().contains("The first post"));

    let text = site.read("content/blog/first-post.md");
    site.write(
        "content/blog/.first-post.md.swp",
        &text.replace("Title: The first post", "Title: The renamed-over post"),
    );
    fs::rename(
        site.join("content/blog/.first-post.md.swp"),
        site.join("content/blog/first-post.md"),
    )
    .expect("renaming over the entry");
    // The title gives the slug, so the canonical path moves too.
    follow("a renamed-over entry", || {
        entry_path(sock, 101)
            .is_some_and(|p| get(sock, &p).text().contains("The renamed-over post"))
    });
}

/// spec Q4: a burst of changes (a `git pull` of 500 files) is batched into
/// a few rescans, not one per file, and every file shows.
fn a_burst_of_500_files_is_batched() {
    let site = SiteCopy::of("sample");
    let server = Server::serve(site.path());
    let sock = server.socket();
    let before = server.log().matches("rescanned").count();
    let ids: Vec<u32> = (5000..5500).collect();
    for id in &ids {
        site.write(
            &format!("content/burst/entry-{id}.md"),
            &entry(*id, &format!("Burst {id}"), "Part of a burst."),
        );
    }
    follow("500 new entries", || {
        entry_path(sock, 5499).is_some() && entry_path(sock, 5000).is_some()
    });
    for id in &ids {
        assert!(entry_path(sock, *id).is_some(), "entry {id} is missing");
    }
    let rescans = server.log().matches("rescanned").count() - before;
    assert!(
        (1..=10).contains(&rescans),
        "{rescans} rescans for one burst; log:\n{}",
        server.log()
    );
}

/// spec Q4: templates are watched too.
fn template_changes_show() {
    let site = SiteCopy::of("sample");
    let server = Server::serve(site.path());
    let sock = server.socket();
    let path = entry_path(sock, 101).expect("the first post");
    let template = site.read("templates/entry.html");
    site.write(
        "templates/entry.html",
        &template.replace(
            "<article class=\"entry\">",
            "<article class=\"entry\">WATCHED-TEMPLATE",
        ),
    );
    follow("a changed template", || {
        get(sock, &path).text().contains("WATCHED-TEMPLATE")
    });
}

/// spec Q4: an image added after the entry that shows it.
fn images_added_later_show() {
    let site = SiteCopy::of("sample");
    let server = Server::serve(site.path());
    let sock = server.socket();
    let path = add_entry(
        &site,
        sock,
        "content/blog/pictured.md",
        &entry(902, "Pictured", "![a dot](dot.png)"),
    );
    assert!(!get(sock, &path).text().contains("<img"));
    let mut png = Vec::new();
    image::RgbImage::new(4, 4)
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .expect("encoding a PNG");
    site.write_bytes("content/blog/dot.png", &png);
    follow("the new image on the page", || {
        get(sock, &path).text().contains("<img")
    });
}

/// spec Q4, Q5: with watching off nothing changes by itself, and
/// `index_rescan_interval` rescans on a timer.
fn periodic_rescans_without_watching() {
    let site = sample_with("index_enable_watchdog = false\nindex_rescan_interval = 2");
    let server = Server::serve(site.path());
    let sock = server.socket();
    site.write("content/blog/timed.md", &entry(903, "Timed", "On a timer."));
    follow("an entry found by the periodic rescan", || {
        entry_path(sock, 903).is_some()
    });
    assert!(server.log().contains("periodic rescan"));
}

/// R1 and issue 8 item 3: a `publ reindex` run by another process (a
/// deploy script) shows on the running instance, which watches nothing
/// here and would not have rescanned by itself.
fn another_process_reindex_shows_without_restart() {
    let site = sample_with("index_enable_watchdog = false\nindex_rescan_interval = 0");
    let server = Server::serve(site.path());
    let sock = server.socket();
    site.write(
        "content/blog/deployed.md",
        &entry(904, "Deployed", "By a script."),
    );
    thread::sleep(Duration::from_secs(2));
    assert!(entry_path(sock, 904).is_none(), "no watching, no rescans");

    let site_arg = site.path().to_string_lossy().into_owned();
    let (_, stderr) = publ(site.path(), &["reindex", &site_arg]);
    assert!(stderr.contains("index up to date:"), "{stderr}");
    follow("the entry indexed by another process", || {
        entry_path(sock, 904).is_some()
    });
    assert!(server.log().contains("changed by another process"));
}

/// R1: `--fresh` starts from an empty index and `--force-rescan` parses
/// every file; both end with the same entries, and `--quiet` says nothing.
fn reindex_cli_options() {
    let site = SiteCopy::of("sample");
    let site_arg = site.path().to_string_lossy().into_owned();
    let (_, first) = publ(site.path(), &["reindex", &site_arg]);
    let count = |text: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix("index up to date: "))
            .and_then(|l| l.split(' ').next())
            .and_then(|n| n.parse::<usize>().ok())
            .unwrap_or_else(|| panic!("no count in {text:?}"))
    };
    let entries = count(&first);
    assert!(entries >= 10, "{first}");
    let needs_id = site.read("content/notes/needs-id.md");
    assert!(needs_id.contains("Entry-ID:"), "IDs written back");
    let (_, fresh) = publ(site.path(), &["reindex", &site_arg, "--fresh"]);
    assert_eq!(count(&fresh), entries);
    let (_, forced) = publ(site.path(), &["reindex", &site_arg, "-f"]);
    assert_eq!(count(&forced), entries);
    let (stdout, stderr) = publ(site.path(), &["reindex", &site_arg, "--quiet"]);
    assert_eq!((stdout.as_str(), stderr.as_str()), ("", ""), "quiet");
    assert_eq!(site.read("content/notes/needs-id.md"), needs_id, "IDs kept");
}

/// Issue 8 item 6: the SQLite file deleted under a running instance is
/// rebuilt from the content at the next rescan, and the site keeps serving
/// throughout.
#[test]
fn deleted_database_is_rebuilt() {
    if postgres_mode() {
        eprintln!("skipped: the site's SQLite file is not in use with PUBL_TEST_DATABASE=postgres");
        return;
    }
    let site = SiteCopy::of("sample");
    let server = Server::serve(site.path());
    let sock = server.socket();
    caught_up(&server);
    let first = entry_path(sock, 101).expect("the first post");
    for name in ["index.db", "index.db-wal", "index.db-shm"] {
        let _ = fs::remove_file(site.join(name));
    }
    assert_eq!(get(sock, &first).status, 200, "still serving");
    site.write(
        "content/blog/after.md",
        &entry(905, "After", "After the loss."),
    );
    follow("an entry indexed into the rebuilt database", || {
        entry_path(sock, 905).is_some()
    });
    assert!(site.exists("index.db"), "the database file is back");
    assert_eq!(get(sock, &first).status, 200, "old entries kept");
    assert!(server.log().contains("rebuilding it from the content"));
}

/// Issue 8 item 6: a damaged SQLite file, under a running instance or at
/// startup, is replaced by one rebuilt from the content.
#[test]
fn corrupted_database_is_rebuilt() {
    if postgres_mode() {
        eprintln!("skipped: the site's SQLite file is not in use with PUBL_TEST_DATABASE=postgres");
        return;
    }
    let site = SiteCopy::of("sample");
    let server = Server::serve(site.path());
    let sock = server.socket();
    caught_up(&server);
    let first = entry_path(sock, 101).expect("the first post");
    let garbage = vec![0x5a_u8; 64 * 1024];
    // Replaced by a damaged copy (a bad restore, a sync tool): noticed at
    // the next rescan. Damage written in place under open connections is
    // only seen once they read the file again, at the latest on restart
    // (below).
    fs::write(site.join("index.db.new"), &garbage).expect("writing a damaged database");
    fs::rename(site.join("index.db.new"), site.join("index.db")).expect("replacing the database");
    let _ = fs::remove_file(site.join("index.db-wal"));
    site.write(
        "content/blog/after.md",
        &entry(906, "After", "After the damage."),
    );
    follow("an entry indexed into the rebuilt database", || {
        entry_path(sock, 906).is_some()
    });
    assert_eq!(get(sock, &first).status, 200);
    assert!(server.log().contains("damaged"), "{}", server.log());
    drop(server);

    fs::write(site.join("index.db"), &garbage).expect("damaging the database");
    let server = Server::serve(site.path());
    assert!(
        entry_path(server.socket(), 906).is_some(),
        "rebuilt at startup"
    );
}

/// Issue 8 item 6: a content folder that is briefly gone (an unmounted
/// volume, a deploy swapping folders) keeps the old index serving.
fn unavailable_content_keeps_the_old_index() {
    let site = sample_with("index_rescan_interval = 1");
    let server = Server::serve(site.path());
    let sock = server.socket();
    let first = entry_path(sock, 101).expect("the first post");
    // The sample's one ID-less entry gets its ID first.
    server.wait_for_log("startup write-backs done", FOLLOW);
    fs::rename(site.join("content"), site.join("content.away")).expect("moving content away");
    wait_until("a rescan of the missing folder", FOLLOW, || {
        server.log().contains("cannot be read")
    });
    // (Entry pages read their files, so they 404 until the folder is back.)
    fs::rename(site.join("content.away"), site.join("content")).expect("moving content back");
    site.write(
        "content/blog/back.md",
        &entry(907, "Back", "Content is back."),
    );
    follow("an entry after the folder came back", || {
        entry_path(sock, 907).is_some()
    });
    assert_eq!(get(sock, &first).status, 200);
    let log = server.log();
    let reports: Vec<&str> = log.lines().filter(|l| l.contains("rescanned")).collect();
    let counted = |report: &str, field: &str| -> usize {
        report
            .split(&format!("{field}: "))
            .nth(1)
            .and_then(|rest| rest.split([',', ' ']).next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no {field} in {report}"))
    };
    // Nothing was dropped while the folder was away, so nothing but the
    // new entry had to be indexed again when it came back.
    assert!(reports.iter().all(|r| counted(r, "removed") == 0), "{log}");
    assert_eq!(
        reports.iter().map(|r| counted(r, "indexed")).sum::<usize>(),
        1,
        "{log}"
    );
}

/// An empty site in UTC whose home page is `index`.
fn utc_site(index: &str) -> SiteCopy {
    let site = SiteCopy::empty();
    site.write("publ.toml", "timezone = \"UTC\"\n");
    site.write("templates/index.html", index);
    site
}

/// Issue 8 item 6: `publ reindex` killed (SIGKILL) at several points of a
/// large first index loses nothing: the next run completes it, every entry
/// is indexed once under the ID its file carries, and no file changed
/// except for the headers Publ writes back (spec A22).
fn kill_9_during_reindex_loses_nothing() {
    const ENTRIES: usize = 1500;
    let site = utc_site("{{ view(recurse=True).entries|length }}");
    let mut originals = Vec::new();
    for n in 0..ENTRIES {
        let rel = format!("content/c{}/entry-{n}.md", n % 20);
        let text = format!(
            "Title: Entry {n}\nDate: 2020-01-01 00:00:{:02}+00:00\nTag: t{}\n\nBody of entry {n}.\n",
            n % 60,
            n % 7
        );
        site.write(&rel, &text);
        originals.push((rel, text));
    }
    let site_arg = site.path().to_string_lossy().into_owned();
    let mut killed = 0;
    for delay_ms in [150, 400, 800, 1500, 2500] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_publ"))
            .args(["reindex", &site_arg, "--quiet"])
            .args(database_args(site.path()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting publ reindex");
        thread::sleep(Duration::from_millis(delay_ms));
        if child.try_wait().ok().flatten().is_none() {
            child.kill().expect("SIGKILL");
            killed += 1;
        }
        let _ = child.wait();
    }
    assert!(killed > 0, "no reindex was killed while running");
    let (_, stderr) = publ(site.path(), &["reindex", &site_arg]);
    assert!(
        stderr.contains(&format!("index up to date: {ENTRIES} entries")),
        "{stderr}"
    );

    let mut ids = HashSet::new();
    for (rel, original) in &originals {
        let now = site.read(rel);
        let kept: String = now
            .lines()
            .filter(|l| !l.starts_with("Entry-ID: ") && !l.starts_with("UUID: "))
            .map(|l| format!("{l}\n"))
            .collect();
        assert_eq!(&kept, original, "{rel} changed beyond its new headers");
        let id = now
            .lines()
            .find_map(|l| l.strip_prefix("Entry-ID: "))
            .unwrap_or_else(|| panic!("{rel} has no Entry-ID:\n{now}"));
        assert!(ids.insert(id.to_string()), "Entry-ID {id} is in two files");
    }

    // The index agrees with the files: serving needs no write-back.
    let before: Vec<_> = originals
        .iter()
        .map(|(rel, _)| fs::metadata(site.join(rel)).and_then(|m| m.modified()).ok())
        .collect();
    let server = Server::serve(site.path());
    assert_eq!(get(server.socket(), "/").text(), ENTRIES.to_string());
    let id = ids.iter().next().cloned().unwrap_or_default();
    assert_eq!(get(server.socket(), &format!("/{id}")).status, 301);
    let after: Vec<_> = originals
        .iter()
        .map(|(rel, _)| fs::metadata(site.join(rel)).and_then(|m| m.modified()).ok())
        .collect();
    assert_eq!(before, after, "no file rewritten after the completed index");
}

/// Issue 7 item 4: `publ serve` answers as soon as a first index is
/// committed and writes the headers it assigned into the entry files
/// afterwards. A kill -9 in between loses nothing: the next start gives
/// every entry the ID and the UUID the index had given it, and writes
/// them into its file (spec A20-A22).
fn kill_9_before_the_write_back_keeps_ids_and_uuids() {
    const ENTRIES: usize = 5000;
    let site = utc_site(
        "{% for e in view(recurse=True).entries %}{{ e.file_path }} {{ e.id }} {{ e.uuid }}\n{% endfor %}",
    );
    let rels: Vec<String> = (0..ENTRIES)
        .map(|n| format!("content/c{}/entry-{n}.md", n % 20))
        .collect();
    for (n, rel) in rels.iter().enumerate() {
        site.write(
            rel,
            &format!("Title: Entry {n}\nDate: 2020-01-01 00:00:00+00:00\n\nBody {n}.\n"),
        );
    }
    let listing = |server: &Server| {
        let mut lines: Vec<String> = get(server.socket(), "/")
            .text()
            .lines()
            .map(str::to_string)
            .collect();
        lines.sort();
        lines
    };
    let server = Server::serve(site.path());
    let indexed = listing(&server);
    let _ = Command::new("kill")
        .args(["-9", &server.pid().to_string()])
        .status();
    let unwritten = rels
        .iter()
        .filter(|rel| !site.read(rel).contains("UUID: "))
        .count();
    assert!(
        unwritten > 0,
        "all {ENTRIES} files were rewritten before the kill; the test proves nothing"
    );
    assert_eq!(indexed.len(), ENTRIES);
    drop(server);

    let server = Server::serve(site.path());
    server.wait_for_log("startup write-backs done", Duration::from_secs(120));
    assert_eq!(listing(&server), indexed, "IDs and UUIDs changed");
    for line in &indexed {
        let mut fields = line.split(' ');
        let (Some(path), Some(id), Some(uuid)) = (fields.next(), fields.next(), fields.next())
        else {
            panic!("bad listing line {line:?}");
        };
        let text = fs::read_to_string(path).expect("entry file");
        assert!(
            text.contains(&format!("\nEntry-ID: {id}\n"))
                && text.contains(&format!("\nUUID: {uuid}\n")),
            "{path} does not carry entry {id}'s headers:\n{text}"
        );
    }
    eprintln!("{unwritten} of {ENTRIES} files were not yet rewritten at the kill");
}

/// Issue 8 item 5 (spec Q1): two instances share one PostgreSQL index. An
/// entry added to instance A's content folder (A watches it) shows on
/// instance B, which watches nothing and learns of it from the database.
#[test]
fn two_instances_share_one_postgres_index() {
    if support::postgres_skipped() {
        return;
    }
    let db = support::PostgresDb::new("shared");
    let site = SiteCopy::of("sample");
    site.write(
        "instance-b.toml",
        "timezone = \"US/Pacific\"\nindex_enable_watchdog = false\nindex_rescan_interval = 0\n",
    );
    let url = db.url();
    let a = Server::serve_with(site.path(), &["--database", &url]);
    let b = Server::serve_with(
        site.path(),
        &[
            "--database",
            &url,
            "--config",
            &site.join("instance-b.toml").to_string_lossy(),
        ],
    );
    assert!(entry_path(b.socket(), 101).is_some());
    site.write(
        "content/blog/shared.md",
        &entry(908, "Shared", "Seen by both."),
    );
    follow("the entry on instance A", || {
        entry_path(a.socket(), 908).is_some()
    });
    follow("the entry on instance B", || {
        entry_path(b.socket(), 908).is_some()
    });
    let path = entry_path(b.socket(), 908).unwrap_or_default();
    assert!(get(b.socket(), &path).text().contains("Seen by both."));
    assert!(
        b.log().contains("changed by another process"),
        "{}",
        b.log()
    );
    let title = support::psql_in(&db.name, "SELECT title FROM entries WHERE id = 908");
    assert_eq!(title.trim(), "Shared", "the row is in the shared database");
}

/// Spec Q4: reading files is no change: a backup, a `grep -r` or the
/// server's own page renders must not make it rescan (and drop its render
/// cache).
#[test]
fn reading_pages_is_not_a_change() {
    let site = SiteCopy::of("sample");
    let server = Server::serve(site.path());
    let sock = server.socket();
    let path = entry_path(sock, 101).expect("the first post");
    // Its own startup write-back is no change either (needs-id.md gets
    // its ID right after the site starts serving).
    server.wait_for_log("rescanned: catching up after startup", FOLLOW);
    let until = Instant::now() + Duration::from_secs(3);
    let mut n = 0;
    while Instant::now() < until {
        // A new query string makes every request render again.
        n += 1;
        let r = get(sock, &format!("{path}?n={n}"));
        assert_eq!(r.status, 200);
        assert_eq!(get(sock, "/").status, 200);
        for file in ["content/blog/first-post.md", "templates/entry.html"] {
            let _ = site.read(file);
        }
    }
    // Longer than index_wait_time (1 s): a rescan would have started.
    thread::sleep(Duration::from_millis(2500));
    assert!(
        !server.log().contains("why=\"files changed\""),
        "reads caused rescans:\n{}",
        server.log()
    );
}

/// Issue 8 item 6: the PostgreSQL database dropped under a running
/// instance: pages keep being served from memory, and the failing
/// generation poll is logged once, not every second.
#[test]
fn lost_postgres_database_keeps_serving() {
    if support::postgres_skipped() {
        return;
    }
    let db = support::PostgresDb::new("lost");
    let site = SiteCopy::of("sample");
    let server = Server::serve_with(site.path(), &["--database", &db.url()]);
    let sock = server.socket();
    let first = entry_path(sock, 101).expect("the first post");
    support::postgres(&format!("DROP DATABASE {} WITH (FORCE)", db.name));
    wait_until("the failing poll", FOLLOW, || {
        server.log().contains("cannot read the index's generation")
    });
    thread::sleep(Duration::from_secs(3));
    assert_eq!(get(sock, &first).status, 200, "still serving");
    assert_eq!(
        server
            .log()
            .matches("cannot read the index's generation")
            .count(),
        1,
        "{}",
        server.log()
    );
}

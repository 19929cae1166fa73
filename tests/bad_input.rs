//! Bad input never takes the site down (issue 2, item 10): broken entry
//! files are logged and skipped, template errors are 500 pages, hostile
//! paths are answered and never leave the site folder.

mod support;

use std::path::Path;

use support::{get, Server, SiteCopy};

/// A small site of our own with one good entry, one broken template and a
/// secret file next to (outside) the site folder.
fn site_with_bad_files() -> SiteCopy {
    let site = SiteCopy::empty();
    site.write("publ.toml", "timezone = \"UTC\"\nbogus_key = 1\n");
    site.write(
        "templates/index.html",
        "<title>index</title>{% for e in view.entries %}[{{ e.title }}]{% endfor %}",
    );
    site.write(
        "templates/entry.html",
        "<title>{{ entry.title }}</title>{{ entry.body }}",
    );
    site.write("templates/broken.html", "{% for x in %}never closed");
    site.write(
        "templates/explodes.html",
        "{{ get_view(bogus_key=1).entries }}",
    );
    site.write(
        "templates/error.html",
        "<title>{{ error.code }} {{ error.message }}</title>",
    );
    site.write(
        "content/good.md",
        "Title: Good entry\nEntry-ID: 1\nDate: 2024-01-01\n\nFine.\n",
    );
    // spec A10: an unknown status never indexes the file
    site.write(
        "content/bad-status.md",
        "Title: Bad status\nEntry-ID: 2\nStatus: WOBBLY\n\nx\n",
    );
    // section 4 item 3: a non-numeric Entry-ID is skipped
    site.write(
        "content/bad-id.md",
        "Title: Bad ID\nEntry-ID: twelve\n\nx\n",
    );
    site.write_bytes(
        "content/latin1.md",
        b"Title: Caf\xe9\nEntry-ID: 3\n\n\xff\xfe\n",
    );
    std::os::unix::fs::symlink(
        "/nonexistent/target.md",
        site.path().join("content/dangling.md"),
    )
    .unwrap();
    std::fs::write(
        site.path().parent().unwrap().join("secret.txt"),
        "TOP SECRET",
    )
    .unwrap();
    site
}

#[test]
fn broken_entries_are_logged_and_skipped() {
    let site = site_with_bad_files();
    let server = Server::serve(site.path());
    let home = get(server.socket(), "/");
    assert_eq!(home.status, 200, "{}", server.log());
    assert_eq!(
        home.text(),
        "<title>index</title>[Good entry]",
        "only the good entry is listed"
    );
    let log = server.log();
    // issue 2 item 1: an unknown configuration key is named in a warning
    assert!(
        log.contains("unknown configuration key") && log.contains("bogus_key"),
        "{log}"
    );
    for name in ["bad-status.md", "bad-id.md", "latin1.md", "dangling.md"] {
        assert!(log.contains(name), "log names {name}:\n{log}");
    }
    assert_eq!(get(server.socket(), "/2").status, 404);
    // The files were not touched.
    assert!(site.read("content/bad-id.md").contains("Entry-ID: twelve"));
}

#[test]
fn template_errors_are_500_pages_with_a_logged_line() {
    let site = site_with_bad_files();
    let server = Server::serve(site.path());
    let syntax = get(server.socket(), "/broken");
    assert_eq!(syntax.status, 500);
    assert!(syntax
        .text()
        .contains("<title>500 Internal Server Error</title>"));
    let runtime = get(server.socket(), "/explodes");
    assert_eq!(runtime.status, 500);
    let log = server.log();
    assert!(log.contains("template=\"broken.html\" line=1"), "{log}");
    assert!(
        log.contains("explodes.html") && log.contains("bogus_key"),
        "{log}"
    );
    // The rest of the site keeps serving.
    assert_eq!(get(server.socket(), "/").status, 200);
}

#[test]
fn hostile_paths_are_answered_and_contained() {
    let site = site_with_bad_files();
    let server = Server::serve(site.path());
    let long = format!("/{}", "a".repeat(10 * 1024));
    let hostile = [
        "/../secret.txt",
        "/static/../../secret.txt",
        "/static/%2e%2e/%2e%2e/secret.txt",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/static/..%2f..%2fsecret.txt",
        "/a%00b",
        "/static/%00",
        "/%ff%fe",
        "/..",
        long.as_str(),
        "/_img/garbage",
        "/1-%2e%2e",
        "/?date=%00",
        "/?id=999999999999999999999999",
    ];
    for path in hostile {
        let r = get(server.socket(), path);
        assert!(
            (300..600).contains(&r.status) || r.status == 200,
            "{path}: {}",
            r.status
        );
        assert!(
            !r.text().contains("TOP SECRET"),
            "{path} leaked a file outside the site"
        );
        assert!(
            !r.text().contains("root:x:0:0"),
            "{path} leaked /etc/passwd"
        );
    }
    // Still alive and well.
    assert_eq!(get(server.socket(), "/1").status, 301);
    assert_eq!(get(server.socket(), "/").status, 200);
    assert!(Path::new(server.socket()).exists());
}

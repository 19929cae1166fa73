//! The real Publ documentation site (../shared/sites/publ-site) served
//! unchanged through `--config sites/publ-site.toml` (issue 2).

mod support;

use support::{get, repo_root, shared_site, Server, SiteCopy};

fn title(html: &str) -> Option<&str> {
    let start = html.find("<title>")? + "<title>".len();
    let end = html[start..].find("</title>")?;
    Some(&html[start..start + end])
}

#[test]
fn publ_site_pages_render() {
    let Some(original) = shared_site("publ-site") else {
        eprintln!("SKIPPED: ../shared/sites/publ-site is absent");
        return;
    };
    // A scratch copy, so nothing we do can write into the reference folder.
    let site = SiteCopy::from_dir(&original);
    let config = repo_root().join("sites/publ-site.toml");
    let server = Server::serve_with(site.path(), &["--config", config.to_str().unwrap()]);
    let sock = server.socket();

    // Titles as the Python oracle (publ 0.8.19) renders them.
    let pages = [
        ("/", "Publ "),
        ("/manual/", "Publ manual"),
        ("/manual/328-Getting-started", "Publ: Getting started"),
        ("/blog/", "Publ blog"),
    ];
    let mut failures = Vec::new();
    for (path, want) in pages {
        let r = get(sock, path);
        if r.status != 200 || title(&r.text()) != Some(want) {
            failures.push(format!("{path}: {} {:?}", r.status, title(&r.text())));
        }
    }
    assert!(
        failures.is_empty(),
        "pages that did not render: {failures:?}\n{}",
        server.log()
    );

    let feed = get(sock, "/feed");
    assert_eq!(feed.status, 200);
    assert_eq!(feed.header("content-type"), Some("application/xml"));
    let text = feed.text();
    assert!(
        text.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\""),
        "{text}"
    );
    assert_eq!(
        text.matches("<entry>").count(),
        10,
        "view(recurse=True,count=10)"
    );

    // spec C14: the site's regex alias rules from publ.toml
    let issue = get(sock, "/issue/123");
    assert_eq!(issue.status, 301);
    assert_eq!(
        issue.header("location"),
        Some("https://github.com/PlaidWeb/Publ/issues/123")
    );
    let webfinger = get(sock, "/.well-known/webfinger?resource=x");
    assert_eq!(webfinger.status, 302);
    assert_eq!(
        webfinger.header("location"),
        Some("https://fed.brid.gy/.well-known/webfinger")
    );
}

//! Full-text search through the real binary on sites/search (spec O1-O4,
//! E10). The expected entry IDs are what Python Publ 0.8.19 (Whoosh)
//! answered for the same folder and queries; its search.html prints one
//! line per case with the IDs sorted, since ranking is each engine's own.

mod support;

use support::{get, Server, SiteCopy};

/// The line of the search page that starts with `label: `.
fn line(body: &str, label: &str) -> String {
    let prefix = format!("{label}: ");
    body.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("no {label:?} line in\n{body}"))
        .trim()
        .to_string()
}

fn search(server: &Server, path: &str) -> String {
    let r = get(server.socket(), path);
    assert_eq!(r.status, 200, "{path}: {r:?}");
    r.text()
}

// spec E10, O2, O3, O4
#[test]
fn finds_published_entries_like_publ() {
    let site = SiteCopy::of("search");
    let server = Server::serve(site.path());
    let page = search(&server, "/search?q=apple");
    // Drafts and the future-dated SCHEDULED entry (8) are left out; the
    // entry behind `Auth:` (5) is counted but not listed.
    assert_eq!(line(&page, "here"), "[1,2,4,6]");
    assert_eq!(line(&page, "everywhere"), "[1,2,4,6]");
    // spec O3: the root alone, a category, a category and those below it
    assert_eq!(line(&page, "root only"), "[1]");
    assert_eq!(line(&page, "recipes"), "[2]");
    assert_eq!(line(&page, "recipes and below"), "[2,4]");
    // spec O3: future=True
    assert_eq!(line(&page, "future"), "[1,2,4,6,8]");
    // spec O3: count caps the hits; pages of 2 (page 9 is the last one)
    assert_eq!(line(&page, "count 2"), "2");
    assert_eq!(line(&page, "pages of 2"), "2 2 1 1");
    // spec O4
    assert_eq!(
        line(&page, "auth"),
        "len=5 entries=4 all=5 has_unauthorized=True"
    );

    // The template's `category` is the page's category (recurse=True).
    let page = search(&server, "/recipes/search?q=apple");
    assert_eq!(line(&page, "here"), "[2,4]");

    // spec O3: words are ANDed; other fields by name
    for (query, want) in [
        ("banana+mango", "[4]"),
        ("apple+OR+walnuts", "[1,2,3,4,6]"),
        ("title:pie", "[2]"),
        ("tag:dessert", "[2,4]"),
        ("%22apple+trees%22", "[6]"),
        ("apple+AND+NOT+banana", "[1,2,6]"),
        ("appl*", "[1,2,4,6]"),
        // stop words only: nothing to search for
        ("the", "No results found"),
    ] {
        let page = search(&server, &format!("/search?q={query}"));
        assert_eq!(line(&page, "here"), want, "q={query}");
    }
}

// spec O3: a query that does not parse is searched for what it can be, and
// never fails the page
#[test]
fn bad_queries_do_not_fail() {
    let site = SiteCopy::of("search");
    let server = Server::serve(site.path());
    let page = search(&server, "/search?q=apple+AND+(");
    assert_eq!(line(&page, "here"), "[1,2,4,6]");
    for query in ["(", "%22unclosed", "title:[a+TO", "AND", "-", "*"] {
        search(&server, &format!("/search?q={query}"));
    }
    assert!(server.log().contains("search query partly not understood"));
}

// spec O1, O2: the index is kept across runs and brought up to date with
// the files: changed entries are indexed again, others are not touched
#[test]
fn index_follows_the_files_across_restarts() {
    let site = SiteCopy::of("search");
    let server = Server::serve(site.path());
    assert!(server.log().contains("creating the search index"));
    assert_eq!(
        line(&search(&server, "/search?q=apple"), "everywhere"),
        "[1,2,4,6]"
    );
    server.stop();

    let orchard = site
        .read("content/notes/orchard.md")
        .replace("apple trees", "pear trees");
    site.write("content/notes/orchard.md", &orchard);
    let draft = site
        .read("content/notes/draft.md")
        .replace("Status: DRAFT", "Status: PUBLISHED");
    site.write("content/notes/draft.md", &draft);
    let salad = site
        .read("content/recipes/sweet/fruit-salad.md")
        .replace("Tag: Dessert", "Tag: Dessert\nStatus: DRAFT");
    site.write("content/recipes/sweet/fruit-salad.md", &salad);

    let server = Server::serve(site.path());
    let log = server.log();
    assert!(!log.contains("creating the search index"), "{log}");
    assert!(
        log.contains("SyncReport { indexed: 2, unchanged: 5, removed: 1, failed: 0 }"),
        "{log}"
    );
    let page = search(&server, "/search?q=apple");
    assert_eq!(line(&page, "everywhere"), "[1,2,7]");
    assert_eq!(
        line(&search(&server, "/search?q=pear"), "everywhere"),
        "[6]"
    );
}

// spec O1: without `search_index` search() finds nothing, as in Publ
#[test]
fn no_search_index_finds_nothing() {
    let site = SiteCopy::of("search");
    site.write("publ.toml", "timezone = \"UTC\"\n");
    let server = Server::serve(site.path());
    let page = search(&server, "/search?q=apple");
    assert_eq!(line(&page, "here"), "No results found");
    assert_eq!(line(&page, "future"), "[]");
    assert!(!site.exists("_index"));
}

// spec O1: an index folder that cannot be made is logged; the site serves
// and search finds nothing
#[test]
fn unusable_index_folder_is_logged() {
    let site = SiteCopy::of("search");
    site.write("blocker", "a file, not a folder");
    site.write(
        "publ.toml",
        "timezone = \"UTC\"\nsearch_index = \"blocker/_index\"\n",
    );
    let server = Server::serve(site.path());
    let page = search(&server, "/search?q=apple");
    assert_eq!(line(&page, "here"), "No results found");
    let log = server.log();
    assert!(log.contains("search index not updated"), "{log}");
    assert!(log.contains("blocker/_index"), "{log}");
}

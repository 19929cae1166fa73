//! The sample site served by the real binary over a real unix socket
//! (issue 2): pages, redirects, statuses, static files, write-back, restart.

mod support;

use support::{get, request, Server, SiteCopy};

fn title(html: &str) -> String {
    let start = html.find("<title>").map(|i| i + 7).unwrap_or(0);
    let end = html[start..]
        .find("</title>")
        .map(|i| start + i)
        .unwrap_or(start);
    html[start..end].to_string()
}

#[test]
fn home_category_and_entry_pages() {
    let site = SiteCopy::of("sample");
    let server = Server::serve(site.path());
    let sock = server.socket();

    let home = get(sock, "/");
    assert_eq!(home.status, 200, "{}", server.log());
    assert_eq!(
        home.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(title(&home.text()), "Sample site");
    // spec I4: category.subcats, ordered by Sort-Name (B7)
    let text = home.text();
    let blog = text.find("The Blog").expect("blog listed");
    let notes = text.find(">Notes<").expect("notes listed");
    assert!(blog < notes, "{text}");

    let blog = get(sock, "/blog/");
    assert_eq!(blog.status, 200);
    // spec B3/B4: the .cat file's Name and Markdown description
    assert_eq!(title(&blog.text()), "The Blog");
    assert!(blog.text().contains("<em>paged</em>"), "{}", blog.text());
    // spec A11: drafts, hidden, gone and future entries are not listed
    for absent in [
        "An unfinished draft",
        "A hidden entry",
        "A deleted entry",
        "A post from the future",
    ] {
        assert!(!blog.text().contains(absent), "{absent} listed");
    }

    let entry = get(sock, "/blog/101-The-first-post");
    assert_eq!(entry.status, 200);
    let text = entry.text();
    assert_eq!(title(&text), "The first post - Sample site");
    // spec K1/K4: Markdown with smart quotes
    assert!(text.contains("&ldquo;the blog&rdquo;"), "{text}");
    // spec A23: the fold splits body and more, both rendered
    assert!(
        text.contains("id=\"more\"") || text.contains("class=\"more\""),
        "{text}"
    );
    assert!(entry.header("etag").is_some());
}

#[test]
fn links_to_entry_files_become_permalinks() {
    let site = SiteCopy::of("sample");
    let server = Server::serve(site.path());
    // spec L5/K10: a Markdown link to `/blog/first-post.md` ...
    let note = get(server.socket(), "/notes/201-A-short-note");
    assert!(
        note.text()
            .contains("<a href=\"/blog/101-The-first-post\">the first post</a>"),
        "{}",
        note.text()
    );
    // ... and an HTML entry's relative `first-post.md` (spec L1, L2)
    let html = get(server.socket(), "/blog/103-An-HTML-entry");
    assert!(
        html.text()
            .contains("<a href=\"/blog/101-The-first-post\">links to other entries</a>"),
        "{}",
        html.text()
    );
}

#[test]
fn canonical_redirects_keep_the_query() {
    let site = SiteCopy::of("sample");
    let server = Server::serve(site.path());
    let sock = server.socket();
    // spec C3: a wrong or missing slug 301s to the canonical URL, query kept
    for path in [
        "/blog/101-wrong-slug",
        "/101",
        "/101-",
        "/notes/101-The-first-post",
    ] {
        let r = get(sock, path);
        assert_eq!(r.status, 301, "{path}");
        assert_eq!(
            r.header("location"),
            Some("http://localhost/blog/101-The-first-post"),
            "{path}"
        );
    }
    let r = get(sock, "/blog/101?utm=x&a=b");
    assert_eq!(
        r.header("location"),
        Some("http://localhost/blog/101-The-first-post?utm=x&a=b")
    );
    // spec C4: a category without its slash
    let r = get(sock, "/notes?tag=x");
    assert_eq!(
        (r.status, r.header("location")),
        (301, Some("/notes/?tag=x"))
    );
    // spec A14: Path-Alias
    let r = get(sock, "/about");
    assert_eq!(
        (r.status, r.header("location")),
        (301, Some("/1-About-this-site"))
    );
    // spec A13: Redirect-To uses the raw header value
    let r = get(sock, "/blog/108");
    assert_eq!(
        (r.status, r.header("location")),
        (301, Some("https://example.com/moved-here"))
    );
}

#[test]
fn statuses_and_error_pages() {
    let site = SiteCopy::of("sample");
    let server = Server::serve(site.path());
    let sock = server.socket();
    // spec A11: status exceptions, rendered through error.html (spec C15)
    for (path, status) in [
        ("/blog/104-An-unfinished-draft", 403),
        ("/blog/106-A-deleted-entry", 410),
        ("/no/such/page", 404),
        ("/999", 404),
        ("/entry", 403),
        ("/_layout", 404),
        ("/blog/?date=not-a-date", 400),
    ] {
        let r = get(sock, path);
        assert_eq!(r.status, status, "{path}");
        assert!(
            r.text()
                .contains(&format!("<h1 class=\"error\">Error {status}</h1>")),
            "{path}: {}",
            r.text()
        );
    }
    // spec A10/A11: the statuses Publ never documented
    site.write(
        "content/illegal.md",
        "Title: Taken down\nEntry-ID: 451\nStatus: DMCA\n\nx\n",
    );
    site.write(
        "content/teapot.md",
        "Title: Short and stout\nEntry-ID: 418\nStatus: teapot\n\nx\n",
    );
    drop(server);
    let server = Server::serve(site.path());
    let sock = server.socket();
    assert_eq!(get(sock, "/451-Taken-down").status, 451);
    assert_eq!(get(sock, "/418-Short-and-stout").status, 418);
    // Hidden and future entries are reachable by URL (section 4 item 4).
    assert_eq!(get(sock, "/blog/105-A-hidden-entry").status, 200);
    assert_eq!(get(sock, "/blog/107-A-post-from-the-future").status, 200);
}

#[test]
fn feed_and_static_files() {
    let site = SiteCopy::of("sample");
    let server = Server::serve(site.path());
    let sock = server.socket();
    let feed = get(sock, "/feed");
    assert_eq!(feed.status, 200);
    // spec D4: MIME type from the template's extension
    assert_eq!(feed.header("content-type"), Some("application/xml"));
    let text = feed.text();
    assert!(text.starts_with("<?xml"), "{text}");
    assert!(
        text.contains("<link href=\"http://localhost/blog/101-The-first-post\""),
        "{text}"
    );
    assert!(!text.contains("A post from the future"));

    let css = get(sock, "/static/style.css");
    assert_eq!(css.status, 200);
    assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
    assert_eq!(css.body, site.read_bytes("static/style.css"));
    assert_eq!(
        get(sock, "/static/hello.txt").text(),
        site.read("static/hello.txt")
    );
    assert_eq!(get(sock, "/static/nope.txt").status, 404);

    // spec D3: Accept negotiation: nothing acceptable is a 406
    let r = request(sock, "GET", "/feed", &[("Accept", "image/png")]);
    assert_eq!(r.status, 406);
}

#[test]
fn ids_are_written_back_and_restarts_reuse_the_index() {
    let site = SiteCopy::of("sample");
    let before = site.read("content/notes/needs-id.md");
    let server = Server::serve(site.path());
    // spec A20-A22: Entry-ID, UUID and Date are assigned and written back,
    // right after the site starts serving
    server.wait_for_write_backs();
    let after = site.read("content/notes/needs-id.md");
    let header = |name: &str| {
        after
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name}: ")))
            .map(str::to_string)
            .unwrap_or_else(|| panic!("{name} not written back:\n{after}"))
    };
    let id: i64 = header("Entry-ID").parse().expect("numeric Entry-ID");
    assert_eq!(header("UUID").len(), 36);
    assert!(header("Date").starts_with("20"), "{after}");
    // Every byte of the author's text is still there.
    let body = before.split_once("\n\n").unwrap().1;
    assert!(after.ends_with(body), "payload preserved");
    assert!(after.starts_with("Title: A note without an ID\n"));
    let r = get(server.socket(), &format!("/{id}"));
    assert_eq!(r.status, 301);
    assert_eq!(
        r.header("location"),
        Some(format!("http://localhost/notes/{id}-A-note-without-an-ID").as_str())
    );
    // Drafts are never rewritten (spec A22).
    assert_eq!(
        site.read("content/blog/draft.md"),
        std::fs::read_to_string(support::repo_root().join("sites/sample/content/blog/draft.md"))
            .unwrap()
    );
    let status = server.stop();
    assert!(status.success(), "clean shutdown: {status:?}");

    // spec Q3: a restart with unchanged files parses nothing again
    let server = Server::serve(site.path());
    assert!(server.log().contains("unchanged: 13"), "{}", server.log());
    assert!(server.log().contains("indexed: 0"), "{}", server.log());
    assert_eq!(
        site.read("content/notes/needs-id.md"),
        after,
        "no second write-back"
    );
}

#[test]
fn socket_is_removed_and_requests_are_logged() {
    let site = SiteCopy::of("sample");
    let server = Server::serve(site.path());
    let sock = server.socket().to_path_buf();
    assert_eq!(get(&sock, "/blog/?tag=welcome").status, 200);
    server.wait_for_log(
        "path=/blog/?tag=welcome status=200",
        std::time::Duration::from_secs(5),
    );
    let status = server.stop();
    assert!(status.success(), "{status:?}");
    assert!(!sock.exists(), "socket removed on clean shutdown");
}

//! Logins and private entries (spec N1-N11, C12, C17, C18, P5) on the
//! `private` sample site, through the real binary on a real socket: who
//! sees what, and that the render cache never hands one user's page to
//! another (issue 7).

mod support;

use std::thread;
use std::time::Duration;

use support::{publ, Req, Response, Server, SiteCopy};

/// The entries' titles as the index page lists them for a visitor who may
/// read them.
const PUBLIC: &str = "Everyone can read this";
const FRIENDS: &str = "For friends only";
const MEMBERS: &str = "For anyone logged in";
const NOT_CAROL: &str = "Friends but not Carol";

/// Logs in as `identity` through Authl's `test:` handler; returns the
/// session cookie to send back.
fn log_in(server: &Server, identity: &str) -> String {
    let r = server.get(&format!("/_login/?me={identity}"));
    assert_eq!(r.status, 302, "{}", r.text());
    assert_eq!(r.header("location"), Some("/"));
    let set = r.header("set-cookie").expect("a session cookie");
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax"),
        "{set}"
    );
    set.split(';').next().unwrap_or_default().to_string()
}

fn as_user(server: &Server, path: &str, cookie: &str) -> Response {
    server.request(&Req::new("GET", path).header("Cookie", cookie))
}

fn with_token(server: &Server, path: &str, token: &str) -> Response {
    server.request(&Req::new("GET", path).header("Authorization", &format!("Bearer {token}")))
}

/// The titles of the entries a page links to, in order.
fn visible(page: &Response) -> Vec<String> {
    page.text()
        .lines()
        .filter_map(|l| l.split_once("\">")?.1.split_once("</a></li>"))
        .map(|(title, _)| title.to_string())
        .collect()
}

fn rendered_at(page: &Response) -> String {
    page.text()
        .lines()
        .find(|l| l.starts_with("<p id=\"rendered\">"))
        .unwrap_or_default()
        .to_string()
}

/// Issue 7: a private page never comes out of the render cache for
/// another visitor, while each visitor's own pages are still cached where
/// that is safe (spec P2, section 4 item 15: the user and groups are in
/// the key; P5: user pages are `private, no-store`).
#[test]
fn private_pages_are_not_served_from_the_cache_to_another_user() {
    let site = SiteCopy::of("private");
    let server = Server::serve(site.path());
    let anonymous = server.get("/");
    assert_eq!(visible(&anonymous), [PUBLIC]);
    assert_eq!(anonymous.header("cache-control"), Some("public"));
    assert_eq!(anonymous.header("vary"), Some("Cookie, Authorization"));
    thread::sleep(Duration::from_millis(20));
    assert_eq!(
        rendered_at(&server.get("/")),
        rendered_at(&anonymous),
        "anonymous pages come from the cache"
    );

    let alice = log_in(&server, "test:alice");
    let page_of_alice = as_user(&server, "/", &alice);
    assert_eq!(
        visible(&page_of_alice),
        [NOT_CAROL, MEMBERS, FRIENDS, PUBLIC]
    );
    assert_ne!(
        rendered_at(&page_of_alice),
        rendered_at(&anonymous),
        "not the anonymous page"
    );
    assert_eq!(
        page_of_alice.header("cache-control"),
        Some("private, no-store")
    );
    assert!(page_of_alice
        .text()
        .contains("test:alice (session; groups: friends)"));

    // Carol is a friend through best-friends, but one entry excludes her.
    let carol = log_in(&server, "test:carol");
    let page = as_user(&server, "/", &carol);
    assert_eq!(visible(&page), [MEMBERS, FRIENDS, PUBLIC]);
    assert!(page.text().contains("groups: best-friends, friends"));
    // Bob is in no group: only the entry for anyone logged in.
    let bob = log_in(&server, "test:bob");
    assert_eq!(visible(&as_user(&server, "/", &bob)), [MEMBERS, PUBLIC]);

    // After all of them, the anonymous page is still the anonymous one.
    let again = server.get("/");
    assert_eq!(visible(&again), [PUBLIC]);
    assert_eq!(rendered_at(&again), rendered_at(&anonymous));
    // And Alice still gets hers, not one cached for Carol or Bob: her own,
    // kept for her (the user and their groups are in the cache key).
    let hers = as_user(&server, "/", &alice);
    assert_eq!(visible(&hers), [NOT_CAROL, MEMBERS, FRIENDS, PUBLIC]);
    assert_eq!(rendered_at(&hers), rendered_at(&page_of_alice));
    assert_eq!(hers.header("cache-control"), Some("private, no-store"));
    // A group joined is a new key: Bob's cached page is not served again.
    thread::sleep(Duration::from_millis(1100));
    let users = site.read("users.cfg");
    site.write(
        "users.cfg",
        &users.replace("[friends]", "[friends]\ntest:bob"),
    );
    assert_eq!(
        visible(&as_user(&server, "/", &bob)),
        [NOT_CAROL, MEMBERS, FRIENDS, PUBLIC]
    );
    // A forged cookie is nobody.
    let forged = alice.replace('.', "x.");
    assert_eq!(visible(&as_user(&server, "/", &forged)), [PUBLIC]);
}

/// spec N8, C17, C18: a private entry asks anonymous visitors to log in
/// (401 with the login page), shows logged-in users who may not see it
/// the `unauthorized` template (403), and serves those who may; admins
/// see everything (N4).
#[test]
fn private_entries_by_visitor() {
    let site = SiteCopy::of("private");
    let server = Server::serve(site.path());
    let path = "/blog/4-Friends-but-not-Carol";

    let r = server.get(path);
    assert_eq!(r.status, 401);
    assert!(
        r.text()
            .contains("action=\"/_login/blog/4-Friends-but-not-Carol\""),
        "{}",
        r.text()
    );
    assert!(r
        .text()
        .contains("Then back to /blog/4-Friends-but-not-Carol."));
    assert_eq!(
        r.header("cache-control"),
        Some("private, no-cache, no-store, max-age=0")
    );
    // The short URL gives nothing away either.
    assert_eq!(server.get("/4").status, 401);

    let carol = log_in(&server, "test:carol");
    let r = as_user(&server, path, &carol);
    assert_eq!(r.status, 403);
    assert!(r
        .text()
        .contains("Sorry test:carol, entry 4 is not for you."));
    assert_eq!(
        r.header("cache-control"),
        Some("private, no-cache, no-store, max-age=0")
    );

    let alice = log_in(&server, "test:alice");
    let r = as_user(&server, path, &alice);
    assert_eq!(r.status, 200);
    assert!(r.text().contains("A surprise party for Carol."));
    assert!(r.text().contains("Logged in as test:alice."));
    assert_eq!(r.header("cache-control"), Some("private, no-store"));
    // Static files are the same for everyone.
    let css = as_user(&server, "/static/style.css", &alice);
    assert_eq!(css.status, 200);
    assert!(css
        .header("cache-control")
        .is_none_or(|cc| !cc.contains("private")));
    assert!(css.header("vary").is_none());

    let boss = log_in(&server, "test:boss");
    let page = as_user(&server, "/", &boss);
    assert_eq!(visible(&page), [NOT_CAROL, MEMBERS, FRIENDS, PUBLIC]);
    assert!(page.text().contains("; admin)"));
    assert_eq!(as_user(&server, path, &boss).status, 200);
}

/// spec C12, N2, N17: the login page, a failed login, logging out.
#[test]
fn login_and_logout() {
    let site = SiteCopy::of("private");
    let server = Server::serve(site.path());

    let form = server.get("/_login/blog/");
    assert_eq!(form.status, 200);
    assert!(form.text().contains("<li>Loopback</li>"), "{}", form.text());
    assert!(form.text().contains("Then back to /blog/."));
    let error = server.get("/_login/?me=https://example.com/");
    assert!(error.text().contains("Unknown authentication method"));
    assert!(error.header("set-cookie").is_none());
    assert!(server
        .get("/_login/?me=test:error")
        .text()
        .contains("Error identity requested"));

    // A posted form logs in too, and goes back where it came from.
    let posted = server.request(
        &Req::new("POST", "/_login/blog/")
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body("me=test%3Aalice"),
    );
    assert_eq!(posted.status, 302);
    assert_eq!(posted.header("location"), Some("/blog/"));
    let cookie = posted
        .header("set-cookie")
        .and_then(|c| c.split(';').next())
        .expect("session cookie")
        .to_string();
    // Only ever back to this site.
    for sneaky in [
        "/_login//evil.example/?me=test:alice",
        "/_login/%5Cevil.example/?me=test:alice",
    ] {
        let r = server.get(sneaky);
        assert_eq!(r.header("location"), Some("/evil.example/"), "{sneaky}");
    }
    // Logged in, the login page sends the user on.
    let r = as_user(&server, "/_login/blog/", &cookie);
    assert_eq!((r.status, r.header("location")), (302, Some("/blog/")));

    let confirm = as_user(&server, "/_logout/", &cookie);
    assert!(
        confirm.text().contains("Log out test:alice"),
        "{}",
        confirm.text()
    );
    let out = server.request(&Req::new("POST", "/_logout/blog/").header("Cookie", &cookie));
    assert_eq!(out.status, 302);
    assert_eq!(out.header("location"), Some("/blog/"));
    assert!(out
        .header("set-cookie")
        .is_some_and(|c| c.starts_with("session=;")));
}

/// spec N11, R2: `publ token` makes bearer tokens the site accepts; bad
/// ones are refused (401 with the reason on the login page, 400 for a
/// header that is not a bearer token).
#[test]
fn bearer_tokens() {
    let site = SiteCopy::of("private");
    let site_arg = site.path().to_string_lossy().into_owned();
    let (token, _) = publ(
        site.path(),
        &["token", &site_arg, "test:alice", "--lifetime", "600"],
    );
    let token = token.trim();
    let server = Server::serve(site.path());
    let page = with_token(&server, "/", token);
    assert_eq!(visible(&page), [NOT_CAROL, MEMBERS, FRIENDS, PUBLIC]);
    assert!(page.text().contains("test:alice (token;"));
    assert_eq!(page.header("cache-control"), Some("private, no-store"));

    let (expired, _) = publ(
        site.path(),
        &["token", &site_arg, "test:alice", "--lifetime=-10"],
    );
    let r = with_token(&server, "/", expired.trim());
    assert_eq!(r.status, 401);
    assert!(r.text().contains("Token expired"), "{}", r.text());
    let r = with_token(&server, "/", "not-a-token");
    assert_eq!(r.status, 401);
    assert!(r.text().contains("Invalid token"));
    let r = server.request(&Req::new("GET", "/").header("Authorization", "Basic YTpi"));
    assert_eq!(r.status, 400);
}

/// spec N3: the user list is read again when it changes, without a
/// restart.
#[test]
fn user_list_edits_apply_at_once() {
    let site = SiteCopy::of("private");
    let server = Server::serve(site.path());
    let dave = log_in(&server, "test:dave");
    assert_eq!(visible(&as_user(&server, "/", &dave)), [MEMBERS, PUBLIC]);
    let users = site.read("users.cfg");
    // A second later, so the file's modification time surely moves.
    thread::sleep(Duration::from_millis(1100));
    site.write("users.cfg", &format!("{users}test:dave\n"));
    assert_eq!(
        visible(&as_user(&server, "/", &dave)),
        [NOT_CAROL, MEMBERS, FRIENDS, PUBLIC]
    );
}

/// spec C12: without `secret_key` and `[auth]` there is no login.
#[test]
fn sites_without_auth_have_no_login() {
    let site = SiteCopy::of("private");
    site.write("publ.toml", "timezone = \"UTC\"\n");
    let server = Server::serve(site.path());
    let r = server.get("/_login/?me=test:alice");
    assert_eq!(r.status, 404);
    assert!(r.header("set-cookie").is_none());
    assert_eq!(server.get("/_logout/").status, 404);
    // Private entries stay private; `Auth: *` needs a login nobody has.
    assert_eq!(visible(&server.get("/")), [PUBLIC]);
    assert_eq!(server.get("/blog/2-For-friends-only").status, 401);
}

/// spec E7, E8, C17: with `AUTH_FORCE_HTTPS`, login links are absolute
/// https links, a 401 over http first goes to https, and the session
/// cookie is `Secure`.
#[test]
fn logins_can_be_forced_over_https() {
    let site = SiteCopy::of("private");
    let config = site.read("publ.toml");
    site.write("publ.toml", &format!("{config}AUTH_FORCE_HTTPS = true\n"));
    let server = Server::serve(site.path());
    let home = server.get("/");
    assert!(
        home.text()
            .contains("<a href=\"https://localhost/_login/\">Log in</a>"),
        "{}",
        home.text()
    );
    let r = server.get("/blog/2-For-friends-only?x=1");
    assert_eq!(r.status, 302);
    assert_eq!(
        r.header("location"),
        Some("https://localhost/blog/2-For-friends-only?x=1")
    );
    let r = server.get("/_login/?me=test:alice");
    assert!(r
        .header("set-cookie")
        .is_some_and(|c| c.ends_with("; Secure")));
}

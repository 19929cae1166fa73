//! Templates as Publ users write them (spec D1-D9, E14), through the real
//! binary: Python-isms, Jinja2's `with` tuples, markupsafe escaping,
//! `get_template`, the error template chain and the built-in fallback.

mod support;

use support::{get, request, Server, SiteCopy};

fn site() -> SiteCopy {
    let site = SiteCopy::empty();
    site.write("publ.toml", "timezone = \"UTC\"\n");
    site.write(
        "content/blog/one.md",
        "Title: it's \"quoted\" & <b>bold</b>\nEntry-ID: 7\nDate: 2024-03-04 05:06:07+01:00\nRSVP: https://example.com/event yes\n\nBody *one*.\n\n.....\n\nMore text.\n",
    );
    site.write(
        "content/two.md",
        "Title: two\nEntry-ID: 8\nDate: 2024-01-01\n\nx\n",
    );
    site.write(
        "templates/pyisms.html",
        concat!(
            "{% set d = {'a': 1} %}",
            "[{{ 'hello world'.title() }}]",
            "[{{ 'a b c'.split()|join('|') }}]",
            "[{% with head, tail = 'key rest of it'.partition(' ')[::2] %}{{ head }}/{{ tail }}{% endwith %}]",
            "[{{ ('x', '', 'y')|select|join(' and ') }}]",
            "[{% for k, v in d.items() %}{{ k }}={{ v }}{% endfor %}]",
            "[{{ d.get('a', 0) }},{{ d.get('z', 'dflt') }}]",
            "[{{ \"it's <\\\"/\\\">\" }}]",
            "[{{ none }}|{{ true }}|{{ [1, 'a'] }}]",
        ),
    );
    site.write(
        "templates/entry.html",
        concat!(
            "{% extends get_template('_base', entry) %}",
            "{% block main %}",
            "<h1>{{ entry.title }}</h1><p>{{ entry.title(markup=False) }}</p>",
            "{{ entry.body }}|{{ entry.body(smartquotes=False) }}|{{ entry.more }}",
            "{% for rsvp in entry.get_all('rsvp') %}{% with url, answer = rsvp.split() %}<a href=\"{{ url }}\">{{ answer }}</a>{% endwith %}{% endfor %}",
            "<time>{{ entry.date.format('YYYY-MM-DD HH:mm Z') }}</time>",
            "{% if entry.more %}has more{% endif %}{% if not entry.footnotes %}, no footnotes{% endif %}",
            "{% endblock %}",
        ),
    );
    site.write(
        "templates/blog/_base.html",
        "<title>blog base</title>{% block main %}{% endblock %}",
    );
    site.write(
        "templates/_base.html",
        "<title>root base</title>{% block main %}{% endblock %}",
    );
    site.write("templates/index.html", "<title>index</title>");
    site.write("templates/page.json", "{\"json\": true}");
    site.write("templates/page.html", "<p>html</p>");
    site.write(
        "templates/blog/400.html",
        "blog 400 family: {{ error.code }} {{ error.message }}",
    );
    site
}

#[test]
fn python_isms_behave_like_jinja2() {
    let site = site();
    let server = Server::serve(site.path());
    let r = get(server.socket(), "/pyisms");
    assert_eq!(r.status, 200, "{}", server.log());
    // Expected bytes produced by Jinja2 3.1 + markupsafe for the same
    // template (spec D9: autoescape for .html, `&#39;`/`&#34;`, `/` kept).
    assert_eq!(
        r.text(),
        "[Hello World][a|b|c][key/rest of it][x and y][a=1][1,dflt][it&#39;s &lt;&#34;/&#34;&gt;][None|True|[1, &#39;a&#39;]]"
    );
}

#[test]
fn entry_members_print_and_take_arguments() {
    let site = site();
    let server = Server::serve(site.path());
    let r = get(server.socket(), "/blog/7-it-s-quoted-bold");
    assert_eq!(r.status, 200, "{}", server.log());
    let text = r.text();
    // spec E5: get_template resolved from the entry's category
    assert!(text.starts_with("<title>blog base</title>"), "{text}");
    // spec E14: printed as markup, called with markup=False as escaped text;
    // smartypants writes entities, as Publ's does (spec K4).
    assert!(
        text.contains("<h1>it&rsquo;s &ldquo;quoted&rdquo; &amp; <b>bold</b></h1>"),
        "{text}"
    );
    assert!(
        text.contains("<p>it\u{2019}s \u{201c}quoted\u{201d} &amp; bold</p>"),
        "{text}"
    );
    assert!(
        text.contains("<p>Body <em>one</em>.</p>|<p>Body <em>one</em>.</p>|<p>More text.</p>"),
        "{text}"
    );
    assert!(
        text.contains("<a href=\"https://example.com/event\">yes</a>"),
        "{text}"
    );
    assert!(
        text.contains("<time>2024-03-04 05:06 +0100</time>"),
        "{text}"
    );
    assert!(text.contains("has more, no footnotes"), "{text}");
}

#[test]
fn private_templates_negotiation_and_error_chain() {
    let site = site();
    let server = Server::serve(site.path());
    let sock = server.socket();
    // spec D5: `_` templates are not routable
    assert_eq!(get(sock, "/_base").status, 404);
    // spec D3: Accept picks among page.html and page.json
    let json = request(sock, "GET", "/page", &[("Accept", "application/json")]);
    assert_eq!(json.header("content-type"), Some("application/json"));
    assert_eq!(json.text(), "{\"json\": true}");
    let html = request(sock, "GET", "/page", &[("Accept", "text/html")]);
    assert_eq!(html.text(), "<p>html</p>");
    // spec D6: 404 -> 400 family template in the request's category
    let r = get(sock, "/blog/nothing-here");
    assert_eq!(r.status, 404);
    assert_eq!(r.text(), "blog 400 family: 404 Not Found");
    // ... and Publ's built-in error.html where the site has none
    let r = get(sock, "/elsewhere");
    assert_eq!(r.status, 404);
    assert!(
        r.text().contains("<title>404 Not Found</title>"),
        "{}",
        r.text()
    );
}

//! Hoedown's inline extensions that pulldown-cmark lacks or reads another
//! way (spec K1, K3), as transforms of one block's inline events: math,
//! `^superscript`, `"quote"` and bare-URL autolinks.

use pulldown_cmark::{CowStr, Event, Tag, TagEnd};
use regex::Regex;
use std::sync::OnceLock;

use super::extensions::Extensions;

/// Hoedown's `escape_html` (not secure mode), as its math renderer uses.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Math (spec K3): `$$...$$` becomes `\(...\)`, or `\[...\]` when it is
/// all its paragraph holds; a single `$` delimits math only with
/// `math-explicit`, which also makes every `$$` display math.
pub(super) fn math<'a>(events: Vec<Event<'a>>, ext: &Extensions) -> Vec<Event<'a>> {
    if !ext.math {
        return events;
    }
    let events = escaped_math(events);
    if !events
        .iter()
        .any(|e| matches!(e, Event::InlineMath(_) | Event::DisplayMath(_)))
    {
        return events;
    }
    let mut out = Vec::with_capacity(events.len());
    for (i, event) in events.iter().enumerate() {
        let alone = || {
            i > 0
                && matches!(events[i - 1], Event::Start(Tag::Paragraph))
                && matches!(events.get(i + 1), Some(Event::End(TagEnd::Paragraph)))
        };
        out.push(match event {
            Event::InlineMath(m) if ext.math_explicit => {
                Event::InlineHtml(format!("\\({}\\)", escape(m)).into())
            }
            Event::InlineMath(m) => Event::Text(format!("${m}$").into()),
            Event::DisplayMath(m) if ext.math_explicit || alone() => {
                Event::InlineHtml(format!("\\[{}\\]", escape(m)).into())
            }
            Event::DisplayMath(m) => Event::InlineHtml(format!("\\({}\\)", escape(m)).into()),
            other => other.clone(),
        });
    }
    out
}

/// `\\(...\\)` and `\\[...\\]` in the source (text `\(...\)` once
/// unescaped) are math to Hoedown too: kept whole, so no other inline
/// extension reads inside.
fn escaped_math(events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    // (pulldown-cmark hands the backslash over as a text event of its own)
    if !any_text(&events, |t| t.contains('\\')) {
        return events;
    }
    each_text_run(events, |run, out| {
        let mut rest = run;
        loop {
            let open = ["\\(", "\\["].iter().filter_map(|o| rest.find(o)).min();
            let Some(i) = open else { break };
            let close = if rest[i..].starts_with("\\(") {
                "\\)"
            } else {
                "\\]"
            };
            let Some(j) = rest[i + 2..].find(close).map(|j| i + 2 + j + 2) else {
                break;
            };
            if i > 0 {
                out.push(text(&rest[..i]));
            }
            out.push(html(&escape(&rest[i..j])));
            rest = &rest[j..];
        }
        if !rest.is_empty() {
            out.push(text(rest));
        }
    })
}

/// Whether some text event passes `test` (most blocks need no rewriting).
pub(super) fn any_text(events: &[Event<'_>], test: impl Fn(&str) -> bool) -> bool {
    events
        .iter()
        .any(|e| matches!(e, Event::Text(t) if test(t)))
}

/// Applies `f` to each run of adjacent text events and soft line breaks
/// (pulldown-cmark splits text at characters it considered as syntax).
fn each_text_run<'a>(
    events: Vec<Event<'a>>,
    mut f: impl FnMut(&str, &mut Vec<Event<'a>>),
) -> Vec<Event<'a>> {
    let mut out = Vec::with_capacity(events.len());
    let mut run = String::new();
    let mut link_depth = 0usize;
    for event in events {
        match event {
            Event::Text(t) if link_depth == 0 => run.push_str(&t),
            // A line break inside a paragraph is text to Hoedown's inline
            // parser (and a newline in the HTML either way).
            Event::SoftBreak if link_depth == 0 => run.push('\n'),
            other => {
                if !run.is_empty() {
                    f(&std::mem::take(&mut run), &mut out);
                }
                match &other {
                    Event::Start(Tag::Link { .. }) => link_depth += 1,
                    Event::End(TagEnd::Link) => link_depth = link_depth.saturating_sub(1),
                    _ => {}
                }
                out.push(other);
            }
        }
    }
    if !run.is_empty() {
        f(&run, &mut out);
    }
    out
}

fn text<'a>(s: &str) -> Event<'a> {
    Event::Text(CowStr::from(s.to_string()))
}

fn html<'a>(s: &str) -> Event<'a> {
    Event::InlineHtml(CowStr::from(s.to_string()))
}

/// Hoedown's superscript: `^word` up to the next space, or `^(words)`;
/// the superscript's own text is read again (`x^2^3` nests).
pub(super) fn superscript(events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    if !any_text(&events, |t| t.contains('^')) {
        return events;
    }
    each_text_run(events, superscripts_in)
}

fn superscripts_in(run: &str, out: &mut Vec<Event<'_>>) {
    let mut rest = run;
    while let Some(i) = rest.find('^') {
        let after = &rest[i + 1..];
        let (inner, used) = if let Some(paren) = after.strip_prefix('(') {
            match paren.find(')') {
                Some(j) => (&paren[..j], j + 2),
                None => ("", 0),
            }
        } else {
            let end = after.find(char::is_whitespace).unwrap_or(after.len());
            (&after[..end], end)
        };
        if inner.is_empty() {
            out.push(text(&rest[..=i]));
            rest = after;
            continue;
        }
        if i > 0 {
            out.push(text(&rest[..i]));
        }
        out.push(html("<sup>"));
        superscripts_in(inner, out);
        out.push(html("</sup>"));
        rest = &after[used..];
    }
    if !rest.is_empty() {
        out.push(text(rest));
    }
}

/// Hoedown's `quote`: `"words"` as `<q>words</q>`, spaces inside trimmed.
pub(super) fn quotes(events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    each_text_run(events, |run, out| {
        let mut rest = run;
        while let Some(open) = rest.find('"') {
            let Some(close) = rest[open + 1..].find('"').map(|j| open + 1 + j) else {
                break;
            };
            if open > 0 {
                out.push(text(&rest[..open]));
            }
            out.push(html("<q>"));
            let inner = rest[open + 1..close].trim_matches(' ');
            if !inner.is_empty() {
                out.push(text(inner));
            }
            out.push(html("</q>"));
            rest = &rest[close + 1..];
        }
        if !rest.is_empty() {
            out.push(text(rest));
        }
    })
}

/// Hoedown's `autolink`: bare `http://`, `https://`, `ftp://` URLs,
/// `www.` hosts and e-mail addresses become links.
pub(super) fn autolinks(events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    each_text_run(events, |run, out| {
        let mut at = 0;
        for span in bare_urls(run) {
            let url = &run[span.clone()];
            if span.start > at {
                out.push(text(&run[at..span.start]));
            }
            let href = if url.contains("://") {
                url.to_string()
            } else if url.to_ascii_lowercase().starts_with("www.") {
                format!("http://{url}")
            } else {
                format!("mailto:{url}")
            };
            out.push(Event::Start(Tag::Link {
                link_type: pulldown_cmark::LinkType::Autolink,
                dest_url: href.into(),
                title: "".into(),
                id: "".into(),
            }));
            out.push(text(url));
            out.push(Event::End(TagEnd::Link));
            at = span.end;
        }
        if at < run.len() {
            out.push(text(&run[at..]));
        }
    })
}

/// Where `autolink` finds links in a run of text.
pub(super) fn bare_urls(run: &str) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
    static FIND: OnceLock<Regex> = OnceLock::new();
    let find = FIND.get_or_init(|| {
        Regex::new(r"(?i)\b(?:(?:https?|ftp)://[^\s<]+|www\.[^\s<]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+)")
            .expect("valid autolink pattern")
    });
    find.find_iter(run).filter_map(|m| {
        let url = trim_delimiters(m.as_str());
        (!url.is_empty()).then(|| m.start()..m.start() + url.len())
    })
}

/// Hoedown's `autolink_delim`: trailing punctuation is not part of the
/// link, nor is a closing bracket without its opener inside.
fn trim_delimiters(url: &str) -> &str {
    let mut url = url.trim_end_matches(['?', '!', '.', ',', ':', ';']);
    if let Some(close) = url.chars().last() {
        let open = match close {
            ')' => Some('('),
            ']' => Some('['),
            '}' => Some('{'),
            '"' | '\'' => Some(close),
            _ => None,
        };
        if let Some(open) = open {
            let opened = url.matches(open).count();
            let closed = url.matches(close).count();
            if (open == close && opened % 2 == 1) || (open != close && closed > opened) {
                url = &url[..url.len() - 1];
            }
        }
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;
    use pulldown_cmark::{html::push_html, Parser};

    fn run(md: &str, f: impl Fn(Vec<Event<'_>>) -> Vec<Event<'_>>) -> String {
        let ext = Extensions::default();
        let events: Vec<Event> = Parser::new_ext(md, ext.parser_options()).collect();
        let mut out = String::new();
        push_html(&mut out, f(events).into_iter());
        out
    }

    #[test]
    fn math_as_hoedown_writes_it() {
        // spec K3
        let ext = Extensions::default();
        assert_eq!(run("$$a<b$$\n", |e| math(e, &ext)), "<p>\\[a&lt;b\\]</p>\n");
        assert_eq!(
            run("so $$x$$ here\n", |e| math(e, &ext)),
            "<p>so \\(x\\) here</p>\n"
        );
        assert_eq!(
            run("costs $5 or $6\n", |e| math(e, &ext)),
            "<p>costs $5 or $6</p>\n"
        );
        assert_eq!(
            run("\\\\[ x^n \\\\]\n", |e| superscript(math(e, &ext))),
            "<p>\\[ x^n \\]</p>\n"
        );
        let explicit = Extensions::from_names(&["math", "math-explicit"]);
        assert_eq!(
            run("a $x$ b\n", |e| math(e, &explicit)),
            "<p>a \\(x\\) b</p>\n"
        );
        assert_eq!(
            run("a $$x$$ b\n", |e| math(e, &explicit)),
            "<p>a \\[x\\] b</p>\n"
        );
    }

    #[test]
    fn superscripts() {
        assert_eq!(
            run("2^10 and x^(a b) c\n", superscript),
            "<p>2<sup>10</sup> and x<sup>a b</sup> c</p>\n"
        );
        assert_eq!(run("a ^ b\n", superscript), "<p>a ^ b</p>\n");
        assert_eq!(
            run("x^2^3\n", superscript),
            "<p>x<sup>2<sup>3</sup></sup></p>\n"
        );
    }

    #[test]
    fn quote_tags() {
        assert_eq!(
            run("say \" hi \" now\n", quotes),
            "<p>say <q>hi</q> now</p>\n"
        );
    }

    #[test]
    fn bare_urls_link() {
        assert_eq!(
            run("see http://x.org/a_(b). or www.y.com, me@z.net\n", autolinks),
            "<p>see <a href=\"http://x.org/a_(b)\">http://x.org/a_(b)</a>. or <a href=\"http://www.y.com\">www.y.com</a>, <a href=\"mailto:me@z.net\">me@z.net</a></p>\n"
        );
        assert_eq!(
            run("[http://a.b](http://c.d)\n", autolinks),
            "<p><a href=\"http://c.d\">http://a.b</a></p>\n"
        );
    }
}

//! Small HTML helpers: escaping like markupsafe and Publ's `strip_html`.

use std::borrow::Cow;

/// markupsafe's `escape()`: exactly these five characters, as numeric
/// references for the quotes.
pub fn escape(s: &str) -> Cow<'_, str> {
    if !s.contains(['&', '<', '>', '"', '\'']) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// One piece of an HTML document.
enum Token<'a> {
    Text(&'a str),
    Start {
        name: String,
        self_closing: bool,
        raw: &'a str,
    },
    End {
        name: String,
        raw: &'a str,
    },
    /// Comments, declarations, processing instructions: passed through.
    Other(&'a str),
}

/// Splits HTML into text and tags; a stray `<` is text.
fn tokens(html: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        if lt > 0 {
            out.push(Token::Text(&rest[..lt]));
        }
        let tail = &rest[lt..];
        if let Some(body) = tail.strip_prefix("<!--") {
            let end = body.find("-->").map(|i| i + 3).unwrap_or(body.len());
            out.push(Token::Other(&tail[..4 + end]));
            rest = &body[end..];
            continue;
        }
        let Some(end) = tag_end(tail) else {
            out.push(Token::Text(tail));
            rest = "";
            break;
        };
        let inner = &tail[1..end];
        rest = &tail[end + 1..];
        if let Some(name) = inner.strip_prefix('/') {
            out.push(Token::End {
                name: tag_name(name),
                raw: &tail[..end + 1],
            });
        } else if inner.starts_with('!') || inner.starts_with('?') {
            out.push(Token::Other(&tail[..end + 1]));
        } else {
            let name = tag_name(inner);
            if name.is_empty() {
                out.push(Token::Text(&tail[..end + 1]));
            } else {
                out.push(Token::Start {
                    name,
                    self_closing: inner.trim_end().ends_with('/'),
                    raw: &tail[..end + 1],
                });
            }
        }
    }
    if !rest.is_empty() {
        out.push(Token::Text(rest));
    }
    out
}

/// The index of the `>` closing the tag at the start of `s`, skipping
/// quoted attribute values.
fn tag_end(s: &str) -> Option<usize> {
    let mut quote = None;
    for (i, c) in s.char_indices().skip(1) {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"') | (None, '\'') => quote = Some(c),
            (None, '>') => return Some(i),
            (None, '<') => return None,
            _ => {}
        }
    }
    None
}

fn tag_name(s: &str) -> String {
    s.chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == ':')
        .collect::<String>()
        .to_ascii_lowercase()
}

/// Which tags `strip_html` keeps and which it removes with their content.
#[derive(Debug, Default, Clone, Copy)]
pub struct Strip<'a> {
    pub allowed_tags: &'a [&'a str],
    pub allowed_attrs: &'a [&'a str],
    pub remove_elements: &'a [&'a str],
}

/// Attributes of a start tag's source text, values unescaped.
fn attributes(raw: &str) -> Vec<(String, Option<String>)> {
    let inner = raw
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim_end_matches('/');
    let mut rest = inner.trim_start_matches(|c: char| !c.is_whitespace());
    let mut out = Vec::new();
    loop {
        rest = rest.trim_start();
        let name_end = rest
            .find(|c: char| c.is_whitespace() || c == '=')
            .unwrap_or(rest.len());
        if name_end == 0 {
            break;
        }
        let name = rest[..name_end].to_ascii_lowercase();
        rest = rest[name_end..].trim_start();
        let Some(after_eq) = rest.strip_prefix('=') else {
            out.push((name, None));
            continue;
        };
        let after_eq = after_eq.trim_start();
        let (value, tail) = match after_eq.chars().next() {
            Some(q @ ('"' | '\'')) => {
                let body = &after_eq[1..];
                let end = body.find(q).unwrap_or(body.len());
                (&body[..end], body.get(end + 1..).unwrap_or(""))
            }
            _ => {
                let end = after_eq.find(char::is_whitespace).unwrap_or(after_eq.len());
                (&after_eq[..end], &after_eq[end..])
            }
        };
        out.push((name, Some(unescape(value))));
        rest = tail;
    }
    out
}

/// `(src, width, height)` of every `<img>`, in order: what Publ's card
/// parser takes from an entry (spec F7).
pub fn images_in(html: &str) -> Vec<(String, Option<String>, Option<String>)> {
    tokens(html)
        .into_iter()
        .filter_map(|t| match t {
            Token::Start { name, raw, .. } if name.eq_ignore_ascii_case("img") => {
                let attrs = attributes(raw);
                let get = |k: &str| {
                    attrs
                        .iter()
                        .find(|(n, _)| n == k)
                        .and_then(|(_, v)| v.clone())
                };
                Some((get("src")?, get("width"), get("height")))
            }
            _ => None,
        })
        .collect()
}

/// Publ's `make_tag`: attributes in order, `None` values bare.
pub fn make_tag(name: &str, attrs: &[(String, Option<String>)], start_end: bool) -> String {
    let mut text = format!("<{name}");
    for (key, value) in attrs {
        text.push(' ');
        text.push_str(key);
        if let Some(v) = value {
            // `html.escape(v, quote=False)`, then `"` as `&#34;`: Publ
            // leaves apostrophes alone (CSS `url('...')` stays readable).
            let escaped = v
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
                .replace('"', "&#34;");
            text.push_str(&format!("=\"{escaped}\""));
        }
    }
    if start_end {
        text.push_str(if attrs.is_empty() { "/" } else { " /" });
    }
    text.push('>');
    text
}

/// Tag attributes in order; `None` is a bare attribute.
pub type Attrs = Vec<(String, Option<String>)>;

/// Rewrites tags the way Publ's HTML processor does (spec L2-L4): `href`
/// on any tag, `src` on all but `<img>`, and `$attr` (written without its
/// `$`) through `resolve`; `<img>` attributes through `image` (renditions).
/// Tags it changes are rebuilt like Publ's `make_tag`; every other byte is
/// kept.
pub fn rewrite_links(
    html: &str,
    resolve: impl Fn(&str) -> String,
    image: impl Fn(Attrs) -> Attrs,
) -> String {
    let mut out = String::with_capacity(html.len() + html.len() / 8);
    for token in tokens(html) {
        match token {
            Token::Start {
                name,
                self_closing,
                raw,
            } => {
                let mut attrs = attributes(raw);
                let is_img = name.eq_ignore_ascii_case("img");
                let rewrites =
                    |k: &str| k == "href" || k.starts_with('$') || (k == "src" && !is_img);
                if !is_img && !attrs.iter().any(|(k, v)| v.is_some() && rewrites(k)) {
                    out.push_str(raw);
                    continue;
                }
                if is_img {
                    attrs = image(attrs);
                }
                let attrs: Attrs = attrs
                    .into_iter()
                    .map(|(k, v)| match v {
                        Some(v) if rewrites(&k) => {
                            (k.trim_start_matches('$').to_string(), Some(resolve(&v)))
                        }
                        v => (k, v),
                    })
                    .collect();
                out.push_str(&make_tag(&name, &attrs, self_closing));
            }
            Token::Text(t) | Token::Other(t) | Token::End { raw: t, .. } => out.push_str(t),
        }
    }
    out
}

/// Publ's `strip_html` (spec E12): tags removed except the allowed ones
/// (with their allowed attributes), the contents of `remove_elements`
/// dropped, `<p>`/`<br>` as line breaks, entities decoded, runs of spaces
/// collapsed.
pub fn strip_html(html: &str, how: Strip) -> String {
    let mut out = String::with_capacity(html.len());
    let mut removing = 0usize;
    for token in tokens(html) {
        match token {
            Token::Text(t) if removing == 0 => out.push_str(t),
            Token::Start {
                name,
                self_closing,
                raw,
            } => {
                let allowed = how.allowed_tags.contains(&name.as_str());
                if (name == "p" || name == "br") && !allowed {
                    out.push('\n');
                }
                if allowed {
                    let attrs: Vec<_> = attributes(raw)
                        .into_iter()
                        .filter(|(k, _)| how.allowed_attrs.contains(&k.as_str()))
                        .collect();
                    out.push_str(&make_tag(&name, &attrs, self_closing));
                } else if !self_closing && how.remove_elements.contains(&name.as_str()) {
                    removing += 1;
                }
            }
            Token::End { name, .. } => {
                let allowed = how.allowed_tags.contains(&name.as_str());
                if name == "p" && !allowed {
                    out.push('\n');
                }
                if allowed {
                    out.push_str(&format!("</{name}>"));
                } else if how.remove_elements.contains(&name.as_str()) {
                    removing = removing.saturating_sub(1);
                }
            }
            _ => {}
        }
    }
    let text = unescape(&out);
    let mut collapsed = String::with_capacity(text.len());
    let mut prev_space = false;
    for c in text.chars() {
        if c == ' ' && prev_space {
            continue;
        }
        prev_space = c == ' ';
        collapsed.push(c);
    }
    collapsed.trim().to_string()
}

/// `markup=False` text: tags stripped, struck-out and table content gone.
pub fn plain_text(html: &str) -> String {
    strip_html(
        html,
        Strip {
            remove_elements: &["del", "s", "table"],
            ..Strip::default()
        },
    )
}

/// Inline elements `first_paragraph` keeps.
const PLAINTEXT_ELEMENTS: &[&str] = &[
    "a", "abbr", "acronym", "b", "bdo", "cite", "code", "dfn", "em", "i", "kbd", "label", "q",
    "samp", "span", "strong", "sub", "sup", "time", "tt", "var", "mark", "p",
];

/// Publ's `first_paragraph` (spec E13, section 4 item 14): the first
/// paragraph's text with its inline markup; text before any `<p>` counts
/// as the paragraph. `strip_tag` drops the outermost tag itself.
pub fn first_paragraph(html: &str, strip_tag: bool) -> String {
    let mut out = String::new();
    let mut found = false;
    let mut done = false;
    // (tag, consuming, inserted)
    let mut stack: Vec<(String, bool, bool)> = Vec::new();
    let consuming =
        |done: bool, stack: &Vec<(String, bool, bool)>| !done && stack.last().is_none_or(|t| t.1);
    for token in tokens(html) {
        match token {
            Token::Start {
                name,
                self_closing: true,
                raw,
            } => {
                if consuming(done, &stack) && PLAINTEXT_ELEMENTS.contains(&name.as_str()) {
                    out.push_str(raw);
                }
            }
            Token::Start { name, raw, .. } => {
                let consume = if name == "p" {
                    done = found;
                    !done
                } else {
                    consuming(done, &stack) && PLAINTEXT_ELEMENTS.contains(&name.as_str())
                };
                let insert = consume && (!stack.is_empty() || !strip_tag);
                if insert {
                    out.push_str(raw);
                }
                stack.push((name, consume, insert));
            }
            Token::End { name, .. } => {
                while let Some((popped, _, inserted)) = stack.pop() {
                    if inserted {
                        out.push_str(&format!("</{popped}>"));
                    }
                    if popped == name {
                        break;
                    }
                }
                if name == "p" && found {
                    done = true;
                }
            }
            Token::Text(text) => {
                if consuming(done, &stack) {
                    if !text.trim().is_empty() {
                        found = true;
                    }
                    out.push_str(text);
                }
            }
            Token::Other(_) => {}
        }
    }
    out
}

/// Decodes character references (the common named ones and all numeric).
pub fn unescape(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let tail = &rest[amp..];
        let decoded = tail.find(';').filter(|semi| *semi <= 12).and_then(|semi| {
            let name = &tail[1..semi];
            let c = if let Some(num) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
                u32::from_str_radix(num, 16).ok().and_then(char::from_u32)
            } else if let Some(num) = name.strip_prefix('#') {
                num.parse().ok().and_then(char::from_u32)
            } else {
                named_entity(name)
            };
            c.map(|c| (c, semi + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &tail[len..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn named_entity(name: &str) -> Option<char> {
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        "mdash" => '\u{2014}',
        "ndash" => '\u{2013}',
        "hellip" => '\u{2026}',
        "lsquo" => '\u{2018}',
        "rsquo" => '\u{2019}',
        "ldquo" => '\u{201c}',
        "rdquo" => '\u{201d}',
        "copy" => '\u{a9}',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_matches_markupsafe() {
        assert_eq!(
            escape("<a href='x'>\"&/"),
            "&lt;a href=&#39;x&#39;&gt;&#34;&amp;/"
        );
    }

    #[test]
    fn links_are_rewritten_and_the_rest_kept() {
        // spec L2, L3
        let html = "<!-- c --><p class=x>see <a href='12#top' title=\"t\">it</a> <img src=\"a.png\"><script src=b.js></script><div $data-x=\"@y\">z</div></p>";
        let out = rewrite_links(html, |u| format!("[{u}]"), |a| a);
        assert_eq!(
            out,
            "<!-- c --><p class=x>see <a href=\"[12#top]\" title=\"t\">it</a> <img src=\"a.png\"><script src=\"[b.js]\"></script><div data-x=\"[@y]\">z</div></p>"
        );
    }

    #[test]
    fn first_paragraph_like_publ() {
        // spec E13, section 4 item 14
        let html =
            "<h1>Title</h1>\n<p>One <em>two</em> <img src=x> <div>no</div></p>\n<p>Three</p>";
        // Python's parser keeps a void `<img>` open, hiding what follows.
        assert_eq!(first_paragraph(html, false), "\n<p>One <em>two</em> </p>");
        assert_eq!(first_paragraph("<p><b>A</b></p><p>B</p>", true), "<b>A</b>");
        assert_eq!(
            first_paragraph("loose text<p>para</p>", false),
            "loose text"
        );
    }

    #[test]
    fn strip_html_like_publ() {
        // spec E12
        let none = Strip::default();
        assert_eq!(
            strip_html("<p>Hello <b>there</b></p><p>you &amp; me</p>", none),
            "Hello there\n\nyou & me"
        );
        assert_eq!(plain_text("a <del>gone</del>  b"), "a b");
        assert_eq!(strip_html("x < y", none), "x < y");
        let keep = Strip {
            allowed_tags: &["a", "br"],
            allowed_attrs: &["href"],
            ..Strip::default()
        };
        // Python unescapes the rebuilt tags along with the text.
        assert_eq!(
            strip_html(
                "<p><a href='/x?a=1&amp;b=\"2\"' class=c>link</a><br/>next</p>",
                keep
            ),
            "<a href=\"/x?a=1&b=\"2\"\">link</a><br/>next"
        );
    }
}

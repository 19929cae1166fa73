//! Building Publ's URLs (Flask's `url_for` for Publ's endpoints).

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// Characters werkzeug leaves alone in a URL path.
const PATH_SAFE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/')
    .remove(b'!')
    .remove(b'$')
    .remove(b'&')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b'+')
    .remove(b',')
    .remove(b':')
    .remove(b';')
    .remove(b'=')
    .remove(b'@');

/// Characters left alone in a query component (werkzeug's `url_encode`).
const QUERY_SAFE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'!')
    .remove(b'$')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b',')
    .remove(b';')
    .remove(b':')
    .remove(b'@')
    .remove(b'/')
    .remove(b'?');

pub fn quote_path(path: &str) -> String {
    utf8_percent_encode(path, PATH_SAFE).to_string()
}

/// Werkzeug's `uri_to_iri` for one part: decodes `%XX` escapes except
/// those of controls, space, `%`, DEL and the part's `delimiters`; text
/// whose escapes are not UTF-8 stays as it was.
pub fn unquote_iri(s: &str, delimiters: &[u8]) -> String {
    let keep = |b: u8| b <= 0x20 || b == b'%' || b == 0x7f || delimiters.contains(&b);
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match hex {
            Some(b) if bytes[i] == b'%' && !keep(b) => {
                out.push(b);
                i += 3;
            }
            _ => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

fn quote_query(s: &str) -> String {
    utf8_percent_encode(s, QUERY_SAFE)
        .to_string()
        .replace("%20", "+")
}

/// `?k=v&k=w...` for the pairs in order; empty when there are none.
pub fn query_string(args: &[(String, String)]) -> String {
    if args.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = args
        .iter()
        .map(|(k, v)| format!("{}={}", quote_query(k), quote_query(v)))
        .collect();
    format!("?{}", parts.join("&"))
}

/// The `category` endpoint: `/`, `/<template>`, `/<cat>/`, `/<cat>/<template>`.
pub fn category(category: &str, template: &str, args: &[(String, String)]) -> String {
    let path = match (category.is_empty(), template.is_empty()) {
        (true, _) => format!("/{template}"),
        (false, true) => format!("/{category}/"),
        (false, false) => format!("/{category}/{template}"),
    };
    format!("{}{}", quote_path(&path), query_string(args))
}

/// The `entry` endpoint: `/<cat>/<id>-<slug>` and its shorter forms.
pub fn entry(category: &str, id: i64, slug: &str, args: &[(String, String)]) -> String {
    let mut path = String::from("/");
    if !category.is_empty() {
        path.push_str(category);
        path.push('/');
    }
    path.push_str(&id.to_string());
    if !slug.is_empty() {
        path.push('-');
        path.push_str(slug);
    }
    format!("{}{}", quote_path(&path), query_string(args))
}

/// An entry's permalink path (spec F9, A16): its `Path-Canonical`, else
/// `/<category>/<id>-<slug>`; not `expand`ed (or not visible to the
/// visitor) it is just `/<id>`.
pub fn permalink(
    record: &crate::index::records::EntryRecord,
    expand: bool,
    query: &[(String, String)],
    user: Option<&crate::auth::User>,
) -> String {
    if !record.canonical_path.is_empty() {
        return category("", record.canonical_path.trim_start_matches('/'), query);
    }
    let expand = expand && crate::access::is_authorized(&record.auth, user);
    entry(
        if expand { &record.category } else { "" },
        record.id,
        if expand { &record.slug_text } else { "" },
        query,
    )
}

/// Where the request came from, for absolute URLs.
#[derive(Debug, Clone)]
pub struct UrlBase {
    pub scheme: String,
    pub host: String,
    /// Path prefix the site is mounted under (empty at the root).
    pub script_root: String,
}

impl UrlBase {
    /// `https://host/prefix` + `path`.
    pub fn absolute(&self, path: &str) -> String {
        format!(
            "{}://{}{}{}",
            self.scheme, self.host, self.script_root, path
        )
    }

    /// `path` under the mount prefix, made absolute when asked.
    pub fn link(&self, path: &str, absolute: bool) -> String {
        if absolute {
            self.absolute(path)
        } else {
            format!("{}{}", self.script_root, path)
        }
    }
}

/// `urllib.parse.urljoin` for the cases links hit: full URLs, absolute
/// and relative paths, queries, fragments and empty targets.
pub fn join(base: &str, target: &str) -> String {
    let origin_end = base
        .find("://")
        .and_then(|i| base[i + 3..].find('/').map(|j| i + 3 + j))
        .unwrap_or(base.len());
    if target.is_empty() {
        return base.to_string();
    }
    let scheme_end = target
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-')))
        .filter(|&i| i > 0 && target[i..].starts_with(':'));
    if scheme_end.is_some() {
        return target.to_string();
    }
    if target.starts_with("//") {
        let scheme = base.find(':').map_or("", |i| &base[..=i]);
        return format!("{scheme}{target}");
    }
    if target.starts_with('#') {
        let end = base.find('#').unwrap_or(base.len());
        return format!("{}{target}", &base[..end]);
    }
    if target.starts_with('/') {
        return format!("{}{}", &base[..origin_end], without_dot_segments(target));
    }
    if target.starts_with('?') {
        let path_end = base.find('?').unwrap_or(base.len());
        return format!("{}{target}", &base[..path_end]);
    }
    let path = base.split(['?', '#']).next().unwrap_or(base);
    let own = &path[origin_end.min(path.len())..];
    let dir = own.rfind('/').map_or("/", |i| &own[..=i]);
    let merged = format!("{dir}{target}");
    format!("{}{}", &base[..origin_end], without_dot_segments(&merged))
}

/// RFC 3986's `remove_dot_segments` on a path (with its query or fragment
/// after it), as `urljoin` applies it: `./` goes, `../` climbs.
fn without_dot_segments(path: &str) -> String {
    let end = path.find(['?', '#']).unwrap_or(path.len());
    let (path, rest) = path.split_at(end);
    let mut out: Vec<&str> = Vec::new();
    let segments: Vec<&str> = path.split('/').collect();
    for (i, segment) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        match *segment {
            "." => {
                if last {
                    out.push("");
                }
            }
            ".." => {
                if out.len() > 1 {
                    out.pop();
                }
                if last {
                    out.push("");
                }
            }
            other => out.push(other),
        }
    }
    format!("{}{rest}", out.join("/"))
}

/// A file of the static folder as a URL.
pub fn static_url(base: &UrlBase, static_url_path: &str, file: &str, absolute: bool) -> String {
    let path = format!(
        "{}/{}",
        static_url_path.trim_end_matches('/'),
        file.trim_start_matches('/')
    );
    base.link(&quote_path(&path), absolute)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unquotes_all_but_the_kept() {
        assert_eq!(
            unquote_iri("a=%7B%22x%22%7D&b=%26", b"&=+#"),
            "a={\"x\"}&b=%26"
        );
        assert_eq!(
            unquote_iri("q=%E2%9C%93%2B%20", b"&=+#"),
            "q=\u{2713}%2B%20"
        );
        assert_eq!(unquote_iri("bad=%FF", b""), "bad=%FF");
        assert_eq!(unquote_iri("/a%20b%7B%2F", b"/?#"), "/a%20b{%2F");
    }

    #[test]
    fn endpoint_shapes() {
        // spec C1, C2
        assert_eq!(category("", "", &[]), "/");
        assert_eq!(category("", "feed", &[]), "/feed");
        assert_eq!(category("blog", "", &[]), "/blog/");
        assert_eq!(
            category("blog/x y", "feed", &[("tag".into(), "a b&c".into())]),
            "/blog/x%20y/feed?tag=a+b%26c"
        );
        assert_eq!(entry("", 12, "", &[]), "/12");
        assert_eq!(entry("blog", 12, "héllo", &[]), "/blog/12-h%C3%A9llo");
    }
}

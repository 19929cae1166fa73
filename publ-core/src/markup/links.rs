//! Where links in entries point (spec L5, L6, K10): entry IDs and entry
//! files become permalinks, `@path` the static folder, anything else stays.

use std::path::{Path, PathBuf};

use crate::index::catalog::Catalog;
use crate::urls::UrlBase;

/// Resolves link targets for one entry (or category description).
pub struct LinkResolver<'a> {
    pub catalog: &'a Catalog,
    pub content_dir: PathBuf,
    /// The entry's folder, then its category's folder.
    pub search: Vec<PathBuf>,
    pub base: &'a UrlBase,
    pub static_url_path: &'a str,
    /// The page's own URL, against which relative links are made absolute.
    pub page_url: String,
    pub absolute: bool,
}

fn is_external(url: &str) -> bool {
    // `([a-z][a-z0-9+.\-]*:)?//`
    let scheme_end = url
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-')))
        .unwrap_or(url.len());
    let rest = &url[scheme_end..];
    let has_scheme = scheme_end > 0
        && url.starts_with(|c: char| c.is_ascii_alphabetic())
        && rest.starts_with(':');
    url.starts_with("//") || (has_scheme && rest[1..].starts_with("//"))
}

impl LinkResolver<'_> {
    pub fn resolve(&self, url: &str) -> String {
        if is_external(url) {
            return url.to_string();
        }
        if let Some(file) = url.strip_prefix('@') {
            let path = format!(
                "{}/{}",
                self.static_url_path.trim_end_matches('/'),
                file.trim_start_matches('/')
            );
            return self
                .base
                .link(&crate::urls::quote_path(&path), self.absolute);
        }
        let (target, anchor) = match url.find('#') {
            Some(i) => url.split_at(i),
            None => (url, ""),
        };
        let search: Vec<&Path> = self.search.iter().map(PathBuf::as_path).collect();
        if let Some(entry) = self.catalog.find_entry(target, &search, &self.content_dir) {
            let link = crate::urls::permalink(entry, true, &[]);
            return format!("{}{anchor}", self.base.link(&link, self.absolute));
        }
        if self.absolute {
            return format!("{}{anchor}", join_url(&self.page_url, target));
        }
        url.to_string()
    }
}

/// `urllib.parse.urljoin` for the cases links hit: absolute paths,
/// relative paths and empty targets.
fn join_url(base: &str, target: &str) -> String {
    let origin_end = base
        .find("://")
        .and_then(|i| base[i + 3..].find('/').map(|j| i + 3 + j))
        .unwrap_or(base.len());
    if target.is_empty() {
        return base.to_string();
    }
    if target.starts_with('/') {
        return format!("{}{target}", &base[..origin_end]);
    }
    if target.starts_with('?') {
        let path_end = base.find('?').unwrap_or(base.len());
        return format!("{}{target}", &base[..path_end]);
    }
    let path = base.split('?').next().unwrap_or(base);
    let dir_end = path.rfind('/').map(|i| i + 1).unwrap_or(path.len());
    format!("{}{target}", &path[..dir_end.max(origin_end)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn external_urls_are_kept() {
        // spec L5 step 1
        assert!(is_external("https://example.com/x"));
        assert!(is_external("//cdn.example.com/x"));
        assert!(!is_external("mailto:me@example.com"));
        assert!(!is_external("foo.md"));
        assert!(!is_external("12#top"));
    }

    #[test]
    fn urljoin_like_python() {
        let base = "http://h/blog/12-x?a=b";
        assert_eq!(join_url(base, "/y"), "http://h/y");
        assert_eq!(join_url(base, "z.html"), "http://h/blog/z.html");
        assert_eq!(join_url(base, "?q=1"), "http://h/blog/12-x?q=1");
        assert_eq!(join_url("http://h/", "z"), "http://h/z");
    }
}

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
    /// A local image or file as its rendition or `/_file/` URL (spec
    /// L5 step 4, M27), given the target and the `absolute` flag.
    pub files: Box<LocalFile<'a>>,
}

/// `(target, absolute) -> URL` for targets that are local files.
pub type LocalFile<'a> = dyn Fn(&str, bool) -> Option<String> + 'a;

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
            return crate::urls::static_url(self.base, self.static_url_path, file, self.absolute);
        }
        let (target, anchor) = match url.find('#') {
            Some(i) => url.split_at(i),
            None => (url, ""),
        };
        let search: Vec<&Path> = self.search.iter().map(PathBuf::as_path).collect();
        if let Some(entry) = self.catalog.find_entry(target, &search, &self.content_dir) {
            // Entry bodies are rendered once for every visitor: a private
            // entry links by its short form, which serves whoever may see it.
            let link = crate::urls::permalink(entry, true, &[], None);
            return format!("{}{anchor}", self.base.link(&link, self.absolute));
        }
        let target = match (self.files)(target, self.absolute) {
            Some(file) => file,
            None => target.to_string(),
        };
        if self.absolute {
            return format!("{}{anchor}", crate::urls::join(&self.page_url, &target));
        }
        format!("{target}{anchor}")
    }
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
        assert_eq!(crate::urls::join(base, "/y"), "http://h/y");
        assert_eq!(crate::urls::join(base, "z.html"), "http://h/blog/z.html");
        assert_eq!(crate::urls::join(base, "?q=1"), "http://h/blog/12-x?q=1");
        assert_eq!(crate::urls::join("http://h/", "z"), "http://h/z");
        // A full URL wins, as `link=entry.link(absolute=True)` in feeds.
        assert_eq!(crate::urls::join(base, "https://x/y"), "https://x/y");
        assert_eq!(crate::urls::join(base, "mailto:a@b"), "mailto:a@b");
        assert_eq!(crate::urls::join(base, "//cdn/y"), "http://cdn/y");
        assert_eq!(
            crate::urls::join(base, "#top"),
            "http://h/blog/12-x?a=b#top"
        );
        // dot segments go, as urljoin removes them
        assert_eq!(crate::urls::join(base, "./a b.md"), "http://h/blog/a b.md");
        assert_eq!(crate::urls::join(base, "../up"), "http://h/up");
        assert_eq!(crate::urls::join(base, "../../up/"), "http://h/up/");
        assert_eq!(crate::urls::join("http://h/a/b/", "."), "http://h/a/b/");
        assert_eq!(crate::urls::join("http://h", "x"), "http://h/x");
    }
}

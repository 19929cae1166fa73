//! Which template file answers a request (spec D1-D5, section 4 item 8):
//! the category folder up to the root, exact name then `name.*`, chosen by
//! the request's Accept list; built-in templates last.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Publ's order of preference for clients that accept anything (the
/// `style/css` typo is Publ's and makes `.css` a fallback only).
const DEFAULT_ACCEPT: &[&str] = &[
    "text/html",
    "application/rss+xml",
    "application/atom+xml",
    "application/xml",
    "application/json",
    "style/css",
    "text/plain",
];

/// Templates shipped inside the binary, as Publ ships `default_template/`.
pub const BUILTIN_PREFIX: &str = "@builtin/";
pub const BUILTINS: &[(&str, &str)] = &[("error.html", include_str!("builtin/error.html"))];

/// The files under the template folder, by `/`-separated relative path.
#[derive(Debug, Clone, Default)]
pub struct TemplateIndex {
    files: BTreeSet<String>,
    mimetypes: BTreeMap<String, String>,
}

/// A resolved template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The name asked for (`template.name`).
    pub name: String,
    /// Path relative to the template folder, or `@builtin/<file>`.
    pub filename: String,
    pub mime_type: String,
}

impl Found {
    pub fn is_builtin(&self) -> bool {
        self.filename.starts_with(BUILTIN_PREFIX)
    }

    /// The `Content-Type` header: text types get `; charset=utf-8`.
    pub fn content_type(&self) -> String {
        if self.mime_type.starts_with("text/") && !self.mime_type.contains(';') {
            format!("{}; charset=utf-8", self.mime_type)
        } else {
            self.mime_type.clone()
        }
    }
}

/// A template would match with a wider Accept header (406).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Could not find match for {0}")]
pub struct NotAcceptable(pub String);

/// The client's Accept list in preference order.
#[derive(Debug, Clone)]
pub struct Accept {
    mimes: Vec<String>,
    all: bool,
}

impl Accept {
    pub fn parse(header: Option<&str>) -> Accept {
        let mut items: Vec<(String, f32, usize)> = Vec::new();
        for (i, part) in header.unwrap_or("").split(',').enumerate() {
            let mut bits = part.split(';');
            let mime = bits.next().unwrap_or("").trim().to_ascii_lowercase();
            if mime.is_empty() {
                continue;
            }
            let mut q = 1.0f32;
            for param in bits {
                if let Some(v) = param.trim().strip_prefix("q=") {
                    q = v.trim().parse().unwrap_or(1.0);
                }
            }
            if q > 0.0 {
                items.push((mime, q, i));
            }
        }
        // werkzeug orders by specificity, then quality, then position.
        items.sort_by(|a, b| {
            let spec = |m: &str| (m != "*/*", !m.ends_with("/*"));
            spec(&b.0)
                .cmp(&spec(&a.0))
                .then(b.1.partial_cmp(&a.1).unwrap_or(std::cmp::Ordering::Equal))
                .then(a.2.cmp(&b.2))
        });
        let mut mimes = Vec::new();
        let mut all = false;
        for (mime, _, _) in items {
            if mime == "*/*" {
                mimes.extend(DEFAULT_ACCEPT.iter().map(|s| s.to_string()));
                all = true;
            } else if !mimes.contains(&mime) {
                mimes.push(mime);
            }
        }
        if mimes.is_empty() {
            mimes = DEFAULT_ACCEPT.iter().map(|s| s.to_string()).collect();
            all = true;
        }
        Accept { mimes, all }
    }

    /// The list as Python prints it, for Publ's 406 message.
    fn python_list(&self) -> String {
        let items: Vec<String> = self.mimes.iter().map(|m| format!("'{m}'")).collect();
        format!("[{}]", items.join(", "))
    }

    pub fn everything() -> Accept {
        Accept::parse(None)
    }
}

fn glob_match(mime: &str, pattern: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => mime.starts_with(prefix),
        None => mime == pattern,
    }
}

/// The name a template file is known by: its path relative to the template
/// folder, `/`-separated.
pub fn template_name(root: &Path, path: &Path) -> Option<String> {
    let rel: Vec<String> = path
        .strip_prefix(root)
        .ok()?
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    Some(rel.join("/"))
}

enum Check {
    Found(Found),
    Rejected,
    Missing,
}

impl TemplateIndex {
    pub fn scan(root: &Path, mimetypes: &BTreeMap<String, String>) -> TemplateIndex {
        let mut files = BTreeSet::new();
        for item in walkdir::WalkDir::new(root)
            .follow_links(true)
            .into_iter()
            .flatten()
        {
            if item.file_type().is_file() {
                if let Some(name) = template_name(root, item.path()) {
                    files.insert(name);
                }
            }
        }
        TemplateIndex {
            files,
            mimetypes: mimetypes.clone(),
        }
    }

    /// The MIME type of a template file (spec D4).
    pub fn mimetype(&self, filename: &str) -> Option<String> {
        let base = filename.rsplit('/').next().unwrap_or(filename);
        let ext = base.rfind('.').map(|i| &base[i..]).unwrap_or("");
        for key in [filename, base, ext] {
            if let Some(m) = self.mimetypes.get(key) {
                return Some(m.clone());
            }
        }
        guess_mimetype(ext)
    }

    /// Resolves `names` for `category`; `Ok(None)` when nothing matches.
    pub fn map(
        &self,
        category: &str,
        names: &[&str],
        accept: &Accept,
        in_exception: bool,
    ) -> Result<Option<Found>, NotAcceptable> {
        let all = accept.all || in_exception;
        let mut rejected = false;
        let mut dir = category.trim_matches('/').to_string();
        loop {
            match self.check(
                &dir,
                names,
                accept,
                all,
                |f| self.files.contains(f),
                |p| self.glob(p),
            ) {
                Check::Found(found) => return Ok(Some(found)),
                Check::Rejected => rejected = true,
                Check::Missing => {}
            }
            if dir.is_empty() {
                break;
            }
            dir = match dir.rfind('/') {
                Some(i) => dir[..i].to_string(),
                None => String::new(),
            };
        }
        let builtin = |f: &str| BUILTINS.iter().any(|(name, _)| *name == f);
        let builtin_glob = |p: &str| {
            BUILTINS
                .iter()
                .filter(|(name, _)| name.starts_with(p))
                .map(|(name, _)| name.to_string())
                .collect::<Vec<_>>()
        };
        match self.check("", names, accept, all, builtin, builtin_glob) {
            Check::Found(mut found) => {
                found.filename = format!("{BUILTIN_PREFIX}{}", found.filename);
                Ok(Some(found))
            }
            Check::Rejected => Err(NotAcceptable(accept.python_list())),
            Check::Missing if rejected => Err(NotAcceptable(accept.python_list())),
            Check::Missing => Ok(None),
        }
    }

    fn glob(&self, prefix: &str) -> Vec<String> {
        self.files
            .range(prefix.to_string()..)
            .take_while(|f| f.starts_with(prefix))
            .filter(|f| !f[prefix.len()..].contains('/'))
            .cloned()
            .collect()
    }

    fn check(
        &self,
        dir: &str,
        names: &[&str],
        accept: &Accept,
        all: bool,
        exists: impl Fn(&str) -> bool,
        glob: impl Fn(&str) -> Vec<String>,
    ) -> Check {
        let mut rejected = false;
        for name in names {
            let base = if dir.is_empty() {
                name.to_string()
            } else {
                format!("{dir}/{name}")
            };
            if exists(&base) {
                let mime = self.mimetype(&base).unwrap_or_default();
                if all || accept.mimes.iter().any(|a| glob_match(&mime, a)) {
                    return Check::Found(Found {
                        name: name.to_string(),
                        filename: base,
                        mime_type: mime,
                    });
                }
                rejected = true;
            }
            let candidates: Vec<(String, String)> = glob(&format!("{base}."))
                .into_iter()
                .map(|f| (self.mimetype(&f).unwrap_or_default(), f))
                .collect();
            if candidates.is_empty() {
                continue;
            }
            rejected = true;
            for want in &accept.mimes {
                if let Some((mime, file)) = candidates.iter().find(|(m, _)| glob_match(m, want)) {
                    return Check::Found(Found {
                        name: name.to_string(),
                        filename: file.clone(),
                        mime_type: mime.clone(),
                    });
                }
            }
            if all {
                let (mime, file) = &candidates[0];
                return Check::Found(Found {
                    name: name.to_string(),
                    filename: file.clone(),
                    mime_type: mime.clone(),
                });
            }
        }
        if rejected {
            Check::Rejected
        } else {
            Check::Missing
        }
    }
}

/// Python's `mimetypes.guess_type` on a Debian system, for the extensions
/// templates use; anything else from mime_guess.
fn guess_mimetype(ext: &str) -> Option<String> {
    let known = match ext {
        ".html" | ".htm" => "text/html",
        ".xml" => "application/xml",
        ".css" => "text/css",
        ".txt" => "text/plain",
        ".json" => "application/json",
        ".js" => "text/javascript",
        ".rss" => "application/x-rss+xml",
        ".atom" => "application/atom+xml",
        ".xhtml" => "application/xhtml+xml",
        ".svg" => "image/svg+xml",
        "" => return None,
        _ => {
            return mime_guess::from_ext(&ext[1..])
                .first()
                .map(|m| m.essence_str().to_string())
        }
    };
    Some(known.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(files: &[&str]) -> TemplateIndex {
        TemplateIndex {
            files: files.iter().map(|s| s.to_string()).collect(),
            mimetypes: BTreeMap::new(),
        }
    }

    #[test]
    fn category_folders_up_to_root() {
        // spec D1
        let t = index(&["index.html", "blog/entry.html", "blog/deep/x.txt"]);
        let any = Accept::everything();
        let f = t
            .map("blog/deep", &["entry"], &any, false)
            .unwrap()
            .unwrap();
        assert_eq!(f.filename, "blog/entry.html");
        let f = t
            .map("blog/deep", &["index"], &any, false)
            .unwrap()
            .unwrap();
        assert_eq!(f.filename, "index.html");
        assert_eq!(t.map("blog", &["nope"], &any, false), Ok(None));
    }

    #[test]
    fn exact_name_then_extensions() {
        // spec D2
        let t = index(&["feed.xml", "feed", "robots.txt"]);
        let any = Accept::everything();
        assert_eq!(
            t.map("", &["feed.xml"], &any, false)
                .unwrap()
                .unwrap()
                .mime_type,
            "application/xml"
        );
        assert_eq!(
            t.map("", &["robots"], &any, false)
                .unwrap()
                .unwrap()
                .filename,
            "robots.txt"
        );
    }

    #[test]
    fn accept_negotiation_and_406() {
        // spec D3, section 4 item 8
        let t = index(&["page.html", "page.json"]);
        let json = Accept::parse(Some("application/json"));
        assert_eq!(
            t.map("", &["page"], &json, false)
                .unwrap()
                .unwrap()
                .filename,
            "page.json"
        );
        let html = Accept::parse(Some("text/html,application/xml;q=0.9,*/*;q=0.8"));
        assert_eq!(
            t.map("", &["page"], &html, false)
                .unwrap()
                .unwrap()
                .filename,
            "page.html"
        );
        let png = Accept::parse(Some("image/png"));
        assert!(t.map("", &["page"], &png, false).is_err());
        assert!(t.map("", &["page"], &png, true).unwrap().is_some());
        let css = index(&["style.css"]);
        // `.css` is only reached through the accept-all fallback.
        assert_eq!(
            css.map("", &["style"], &Accept::everything(), false)
                .unwrap()
                .unwrap()
                .mime_type,
            "text/css"
        );
    }

    #[test]
    fn builtin_error_template() {
        // spec D6
        let t = index(&[]);
        let f = t
            .map("", &["404", "400", "error"], &Accept::everything(), true)
            .unwrap()
            .unwrap();
        assert_eq!(f.filename, "@builtin/error.html");
    }
}

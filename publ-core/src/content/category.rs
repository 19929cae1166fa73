//! Category meta files (`.cat`/`.meta`, spec B3-B10).

use std::path::Path;

use super::headers::Message;

/// What the index stores about a meta file: the category it describes and
/// its whole text (parsed again when the catalog is built, since templates
/// may ask for any header, spec B9).
#[derive(Debug, Clone)]
pub struct MetaFacts {
    pub category: String,
    pub sort_name: String,
    pub text: String,
    pub aliases: Vec<String>,
    pub mounts: Vec<String>,
}

impl MetaFacts {
    pub fn from_message(rel_path: &Path, text: String, msg: &Message) -> MetaFacts {
        let h = &msg.headers;
        let default_category = folder_category(rel_path);
        let all = |name: &str| h.get_all(name).into_iter().map(str::to_string).collect();
        MetaFacts {
            category: h
                .get("Category")
                .map(str::to_string)
                .unwrap_or(default_category),
            sort_name: h.get("Sort-Name").unwrap_or("").to_string(),
            aliases: all("Path-Alias"),
            mounts: all("Path-Mount"),
            text,
        }
    }
}

/// The category a file's folder stands for: its `/`-joined path relative to
/// the content folder (spec B1).
pub fn folder_category(rel_path: &Path) -> String {
    rel_path
        .parent()
        .map(|p| {
            p.components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/")
        })
        .unwrap_or_default()
}

/// The default display name of a category: its last path segment with `_`
/// as spaces, in Python's `str.title()` casing (spec B4).
pub fn default_name(path: &str) -> String {
    let base = path.rsplit('/').next().unwrap_or("");
    python_title(&base.replace('_', " "))
}

/// Python's `str.title()`: a letter after a non-letter is uppercased, every
/// other letter lowercased.
pub fn python_title(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut prev_cased = false;
    for c in s.chars() {
        if prev_cased {
            out.extend(c.to_lowercase());
        } else {
            out.extend(c.to_uppercase());
        }
        prev_cased = c.is_alphabetic();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_names_follow_python_title() {
        // spec B4
        assert_eq!(default_name("blog/my_cool_stuff"), "My Cool Stuff");
        assert_eq!(default_name("manual"), "Manual");
        assert_eq!(default_name(""), "");
        assert_eq!(python_title("they're bill's"), "They'Re Bill'S");
    }
}

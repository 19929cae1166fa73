//! Which files are entries, and how their payload splits at the fold
//! (spec A1, A23).

use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Markdown,
    Html,
}

impl Format {
    /// Exact, case-sensitive extension match on Python's `os.path.splitext`
    /// (spec A1): `.MD`, `.markdown` and dotfiles such as `.md` are not
    /// entries.
    pub fn from_path(path: &Path) -> Option<Format> {
        let name = path.file_name()?.to_str()?;
        match python_extension(name) {
            ".md" => Some(Format::Markdown),
            ".htm" | ".html" => Some(Format::Html),
            _ => None,
        }
    }
}

/// `os.path.splitext(name)[1]`: the last dot starts the extension unless
/// only dots precede it, which differs from `Path::extension` for names
/// like `...md`.
pub(crate) fn python_extension(name: &str) -> &str {
    match name.rfind('.') {
        Some(dot) if name[..dot].bytes().any(|b| b != b'.') => &name[dot..],
        _ => "",
    }
}

/// Splits a payload into (body, more) at the first `\n.....\n`; a payload
/// that starts with `.....\n` is all "more". Both halves are stripped like
/// Python's `str.strip()` (spec section 4 item 1).
pub fn split_fold(payload: &str) -> (String, String) {
    let (mut body, mut more) = payload.split_once("\n.....\n").unwrap_or((payload, ""));
    if more.is_empty() {
        if let Some(rest) = body.strip_prefix(".....\n") {
            (body, more) = ("", rest);
        }
    }
    (py_strip(body).to_string(), py_strip(more).to_string())
}

/// Python's `str.isspace()` (and regex `\s`): Unicode White_Space plus the
/// ASCII information separators U+001C..U+001F.
pub(crate) fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

pub(crate) fn py_strip(s: &str) -> &str {
    s.trim_matches(is_py_space)
}

#[cfg(test)]
mod tests {
    use super::*;

    // spec A1
    #[test]
    fn entry_extensions() {
        let f = |p: &str| Format::from_path(Path::new(p));
        assert_eq!(f("blog/post.md"), Some(Format::Markdown));
        assert_eq!(f("post.htm"), Some(Format::Html));
        assert_eq!(f("post.html"), Some(Format::Html));
        assert_eq!(f("a..md"), Some(Format::Markdown));
        assert_eq!(f("..a.md"), Some(Format::Markdown));
        for p in [
            "post.MD",
            "post.mdx",
            "post.markdown",
            "post.Html",
            ".md",
            "...md",
            "md",
            "x/",
        ] {
            assert_eq!(f(p), None, "{p}");
        }
    }

    fn fold(payload: &str) -> (String, String) {
        split_fold(payload)
    }

    // spec A23 / section 4 item 1
    #[test]
    fn fold_rules() {
        assert_eq!(fold("a\n.....\nb"), ("a".into(), "b".into()));
        assert_eq!(fold("  a\n\n.....\n\n b \n"), ("a".into(), "b".into()));
        assert_eq!(fold(".....\nonly more"), ("".into(), "only more".into()));
        // Only the first separator splits.
        assert_eq!(
            fold("a\n.....\nb\n.....\nc"),
            ("a".into(), "b\n.....\nc".into())
        );
        // Not separators: trailing without newline, six dots, indented.
        assert_eq!(fold("a\n....."), ("a\n.....".into(), "".into()));
        assert_eq!(fold("a\n......\nb"), ("a\n......\nb".into(), "".into()));
        assert_eq!(fold("a\n .....\nb"), ("a\n .....\nb".into(), "".into()));
        assert_eq!(fold(""), ("".into(), "".into()));
    }

    // spec A23: an empty "more" falls back to the leading-cut rule
    #[test]
    fn fold_with_empty_more() {
        // partition finds the separator but `more` is empty; the payload
        // does not start with a cut, so body is what precedes it.
        assert_eq!(fold("a\n.....\n"), ("a".into(), "".into()));
        // Python: body='.....\nx', more='' -> startswith('.....\n') -> more='x'
        assert_eq!(fold(".....\nx\n.....\n"), ("".into(), "x".into()));
        assert_eq!(fold(".....\n"), ("".into(), "".into()));
    }

    // spec A23: strip() uses Python's whitespace set
    #[test]
    fn strip_is_python_strip() {
        assert_eq!(fold("\u{1c}\u{a0}x\u{3000}\u{1f}"), ("x".into(), "".into()));
        // ZERO WIDTH SPACE is not whitespace for Python.
        assert_eq!(fold("\u{200b}x"), ("\u{200b}x".into(), "".into()));
    }
}

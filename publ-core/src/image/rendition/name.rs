//! Source checksums and rendition cache names (spec M24).

use std::io::Read;
use std::path::Path;

use md5::{Digest, Md5};

/// `RENDITION_VERSION` in `publ/image/__init__.py`.
pub const RENDITION_VERSION: usize = 1;

/// Publ's per-file checksum: `md5(bytes(RENDITION_VERSION) + content)`.
///
/// `bytes(1)` in Python is one NUL byte, not `b"1"`, so the digest is of a
/// single `\0` followed by the file. Matching that keeps cache paths
/// identical to Publ's.
pub fn source_checksum(path: &Path) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut md5 = Md5::new();
    md5.update(vec![0u8; RENDITION_VERSION]);
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        md5.update(&buf[..n]);
    }
    Ok(hex(&md5.finalize()))
}

/// Same as [`source_checksum`] for bytes already in memory.
pub fn checksum_bytes(content: &[u8]) -> String {
    let mut md5 = Md5::new();
    md5.update(vec![0u8; RENDITION_VERSION]);
    md5.update(content);
    hex(&md5.finalize())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Python's `os.path.splitext` on a file name: the extension keeps its dot
/// and case, and leading dots never start one (`.png` has no extension).
pub fn split_ext(file_name: &str) -> (&str, &str) {
    let Some(dot) = file_name.rfind('.') else {
        return (file_name, "");
    };
    if file_name[..dot].bytes().all(|b| b == b'.') {
        return (file_name, "");
    }
    file_name.split_at(dot)
}

/// Joins the non-empty name parts the way `_get_rendition` does:
/// `'_'.join(name for name in pipeline if name) + ext`. An empty slug is
/// skipped like any falsy part, so no name starts with `_`.
pub(crate) fn join_parts<'a>(parts: impl IntoIterator<Item = &'a str>, ext: &str) -> String {
    let mut name = parts
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("_");
    name.push_str(ext);
    name
}

/// `<md5[0:2]>/<md5[2:6]>/<file_name>`, relative to the rendition folder
/// (Publ's `image_output_subdir`, `_img` under the static folder).
pub(crate) fn cache_rel_path(checksum: &str, file_name: &str) -> String {
    let a = checksum.get(0..2).unwrap_or(checksum);
    let b = checksum.get(2..6).unwrap_or("");
    format!("{a}/{b}/{file_name}")
}

/// `checksum[-10:]`.
pub(crate) fn checksum_tail(checksum: &str) -> &str {
    let start = checksum.len().saturating_sub(10);
    checksum.get(start..).unwrap_or(checksum)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitext_like_python() {
        assert_eq!(split_ext("My Photo.JPG"), ("My Photo", ".JPG"));
        assert_eq!(split_ext("a.b.png"), ("a.b", ".png"));
        assert_eq!(split_ext(".png"), (".png", ""));
        assert_eq!(split_ext("..png"), ("..png", ""));
        assert_eq!(split_ext("noext"), ("noext", ""));
        assert_eq!(split_ext("trailing."), ("trailing", "."));
        assert_eq!(split_ext("..a.png"), ("..a", ".png"));
    }

    #[test]
    fn checksum_has_nul_prefix() {
        // python: hashlib.md5(bytes(1) + b"hello").hexdigest()
        assert_eq!(checksum_bytes(b"hello"), "8c0a92934b5f5f6972f00f57de154a71");
    }
}

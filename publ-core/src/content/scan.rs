//! Walks the content folder and names every file the index cares about.

use std::path::{Path, PathBuf};

use super::entry_file::Format;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    Entry(Format),
    Meta,
}

#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: PathBuf,
    /// Relative to the content folder.
    pub rel: PathBuf,
    pub kind: SourceKind,
}

impl SourceKind {
    pub fn of(path: &Path) -> Option<SourceKind> {
        if let Some(format) = Format::from_path(path) {
            return Some(SourceKind::Entry(format));
        }
        match path.extension().and_then(|e| e.to_str()) {
            Some("cat") | Some("meta") => Some(SourceKind::Meta),
            _ => None,
        }
    }
}

/// Every entry and meta file under `content`, following symlinks like Publ,
/// in a stable (sorted) order so ID conflicts resolve the same way each run.
/// Each unreadable folder or dangling symlink goes to `skipped`.
pub fn walk_with(content: &Path, skipped: impl FnMut(walkdir::Error)) -> Vec<SourceFile> {
    let mut out = Vec::new();
    for item in crate::fsutil::walk_files(content, skipped) {
        let Some(kind) = SourceKind::of(item.path()) else {
            continue;
        };
        let rel = item
            .path()
            .strip_prefix(content)
            .unwrap_or(item.path())
            .to_path_buf();
        out.push(SourceFile {
            path: item.path().to_path_buf(),
            rel,
            kind,
        });
    }
    out
}

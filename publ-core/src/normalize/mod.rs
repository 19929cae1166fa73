//! `publ normalize` (spec R3): renames entry files after a name format, in
//! their own folders, the way Publ 0.8.19's `flask publ normalize` does. It
//! reads the index's catalog, so the site is indexed first.
//!
//! Where Publ misbehaves, this does not: renaming is planned in full before
//! anything moves, so a dry run shows the `-1` suffixes a real run gives
//! (Publ's dry run ignores its own earlier renames); `-r ''` covers the
//! whole site; a `/` from a token cannot move a file to another folder;
//! and a file that appeared at the chosen name is never replaced.

mod name;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use name::{FormatError, NameFormat, DEFAULT_FORMAT, DEFAULT_MAX_LENGTH};

use crate::content::entry_file::python_extension;
use crate::content::status::PublishStatus;
use crate::fsutil::{rename_no_clobber, same_file};
use crate::index::catalog::Catalog;
use crate::index::records::EntryRecord;

/// Which entries to rename, and to what.
#[derive(Debug, Clone)]
pub struct Options {
    /// Categories as the index names them (`""` is the root); none means
    /// the root.
    pub categories: Vec<String>,
    /// Also every category below them.
    pub recurse: bool,
    /// Every entry, not only published and scheduled ones.
    pub all: bool,
    pub format: NameFormat,
    /// Formats for particular `Entry-Type`s, instead of `format`.
    pub type_formats: HashMap<String, NameFormat>,
    /// `Entry-Type`s left alone.
    pub ignore_types: HashSet<String>,
    /// Longest file name, extension included, in characters.
    pub max_length: usize,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            categories: Vec::new(),
            recurse: false,
            all: false,
            format: DEFAULT_FORMAT
                .parse()
                .expect("the default format is well-formed"),
            type_formats: HashMap::new(),
            ignore_types: HashSet::new(),
            max_length: DEFAULT_MAX_LENGTH,
        }
    }
}

/// One entry file to rename, within its folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rename {
    pub id: i64,
    pub from: PathBuf,
    pub to: PathBuf,
}

/// What [`apply`] did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Applied {
    pub renamed: usize,
    /// Logged one by one as they happen.
    pub failed: usize,
}

/// The renames `options` asks for, in entry-ID order (the order Publ's
/// query returns entries in, which decides who gets a contested name). A
/// name is free when nothing is there, or the entry's own file is (another
/// name for it), once the earlier renames are done; otherwise `-1`, `-2`...
/// is tried, as Publ does. Nothing on disk changes.
pub fn plan(catalog: &Catalog, options: &Options) -> Vec<Rename> {
    let mut disk = PlannedDisk::default();
    let mut renames = Vec::new();
    for entry in selected(catalog, options) {
        let from = &entry.file_path;
        if options.ignore_types.contains(&entry.entry_type) {
            tracing::debug!(path = %from.display(), entry_type = %entry.entry_type, "type ignored");
            continue;
        }
        // Only files with UTF-8 names and an entry extension are indexed.
        let Some(name) = from.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let ext = python_extension(name);
        let format = options
            .type_formats
            .get(&entry.entry_type)
            .unwrap_or(&options.format);
        let stem = format.stem_for(entry);
        if stem == name[..name.len() - ext.len()] {
            continue;
        }
        let Some(to) = (0..)
            .map(|suffix| {
                from.with_file_name(name::candidate(&stem, suffix, ext, options.max_length))
            })
            .find(|to| disk.free_for(from, to))
        else {
            continue;
        };
        if to == *from {
            continue;
        }
        if !from.is_file() {
            tracing::warn!(path = %from.display(), "entry file does not exist; is the index up to date?");
            continue;
        }
        disk.moved(from, &to);
        renames.push(Rename {
            id: entry.id,
            from: from.clone(),
            to,
        });
    }
    renames
}

/// Carries out `renames` in order. A rename never replaces another file:
/// a name taken since [`plan`] looked is a logged failure.
pub fn apply(renames: &[Rename]) -> Applied {
    let mut applied = Applied::default();
    for rename in renames {
        let result = match rename_no_clobber(&rename.from, &rename.to) {
            // Another name for the same file (Publ's `samefile` case).
            Err(err)
                if err.kind() == std::io::ErrorKind::AlreadyExists
                    && same_file(&rename.from, &rename.to) =>
            {
                std::fs::rename(&rename.from, &rename.to)
            }
            other => other,
        };
        match result {
            Ok(()) => {
                tracing::debug!(from = %rename.from.display(), to = %rename.to.display(), "renamed");
                applied.renamed += 1;
            }
            Err(err) => {
                tracing::error!(
                    from = %rename.from.display(),
                    to = %rename.to.display(),
                    error = %err,
                    "entry file not renamed"
                );
                applied.failed += 1;
            }
        }
    }
    applied
}

/// The entries in scope, by ID: published and scheduled ones (whatever
/// their date) unless `all`, in the named categories (and below them with
/// `recurse`).
fn selected<'c>(catalog: &'c Catalog, options: &Options) -> Vec<&'c Arc<EntryRecord>> {
    let root = [String::new()];
    let categories = match options.categories.as_slice() {
        [] => &root[..],
        named => named,
    };
    for category in categories.iter().filter(|c| !c.is_empty()) {
        if !catalog
            .entries()
            .iter()
            .any(|e| in_category(&e.category, category, options.recurse))
        {
            tracing::warn!(category = %category, "no entries in this category");
        }
    }
    let mut entries: Vec<_> = catalog
        .entries()
        .iter()
        .filter(|e| {
            options.all
                || matches!(
                    e.status,
                    PublishStatus::Published | PublishStatus::Scheduled
                )
        })
        .filter(|e| {
            categories
                .iter()
                .any(|c| in_category(&e.category, c, options.recurse))
        })
        .collect();
    entries.sort_by_key(|e| e.id);
    entries
}

/// Whether an entry of `category` is in `wanted` (or below it, with
/// `recurse`). Publ's query matches nothing below the root when `''` is
/// named with others (`'' + '/'` prefixes no category); here `-r ''` is the
/// whole site, as with no category at all.
fn in_category(category: &str, wanted: &str, recurse: bool) -> bool {
    category == wanted
        || (recurse
            && (wanted.is_empty()
                || category
                    .strip_prefix(wanted)
                    .is_some_and(|rest| rest.starts_with('/'))))
}

/// The disk as the renames planned so far will leave it.
#[derive(Default)]
struct PlannedDisk {
    /// Path -> whether a file will be there.
    changed: HashMap<PathBuf, bool>,
}

impl PlannedDisk {
    fn free_for(&self, from: &Path, to: &Path) -> bool {
        match self.changed.get(to) {
            Some(taken) => !taken,
            // Any name counts as taken, even a dangling symlink.
            None => std::fs::symlink_metadata(to).is_err() || same_file(from, to),
        }
    }

    fn moved(&mut self, from: &Path, to: &Path) {
        self.changed.insert(from.to_path_buf(), false);
        self.changed.insert(to.to_path_buf(), true);
    }
}

#[cfg(test)]
mod tests;

//! The index held in memory: every entry's facts, categories, aliases and
//! tag names, rebuilt from the store after each scan and swapped in whole.
//! Views query it without touching the database.

use std::collections::{BTreeSet, HashMap};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use super::records::{AliasRecord, CategoryRecord, EntryRecord, IndexContents};
use crate::content::headers::{parse_message, Headers};

/// A category meta file, parsed.
#[derive(Debug, Clone)]
pub struct CategoryMeta {
    pub record: CategoryRecord,
    pub headers: Headers,
    pub description: String,
}

#[derive(Debug, Default)]
pub struct Catalog {
    /// Ascending by `(local_date, id)`.
    entries: Vec<Arc<EntryRecord>>,
    by_id: HashMap<i64, Arc<EntryRecord>>,
    /// Entries by their (lexically normalised) file path.
    by_path: HashMap<PathBuf, i64>,
    categories: HashMap<String, CategoryMeta>,
    aliases: HashMap<String, AliasRecord>,
    tag_names: HashMap<String, String>,
    /// Categories holding a visible entry, with all their ancestors (spec B2).
    populated: BTreeSet<String>,
    /// Categories holding a visible entry themselves.
    occupied: BTreeSet<String>,
    /// Entry -> the entries its `Attach` headers name (spec A19d).
    attachments: HashMap<i64, Vec<i64>>,
    /// Entry -> the entries that attach it.
    attached: HashMap<i64, Vec<i64>>,
    pub generation: i64,
}

impl Catalog {
    pub fn new(contents: IndexContents, generation: i64, content_dir: &Path) -> Catalog {
        let mut entries: Vec<Arc<EntryRecord>> =
            contents.entries.into_iter().map(Arc::new).collect();
        entries.sort_by_key(|e| e.sort_key());
        let by_id = entries.iter().map(|e| (e.id, e.clone())).collect();
        let mut populated = BTreeSet::new();
        let occupied = entries
            .iter()
            .filter(|e| e.visible())
            .map(|e| e.category.clone())
            .collect();
        for e in entries.iter().filter(|e| e.visible()) {
            let mut path = e.category.as_str();
            loop {
                populated.insert(path.to_string());
                match path.rfind('/') {
                    Some(i) => path = &path[..i],
                    None if path.is_empty() => break,
                    None => path = "",
                }
            }
        }
        let categories = contents
            .categories
            .into_iter()
            .map(|record| {
                let msg = parse_message(&record.meta);
                let meta = CategoryMeta {
                    headers: msg.headers,
                    description: msg.payload.trim().to_string(),
                    record,
                };
                (meta.record.category.clone(), meta)
            })
            .collect();
        let by_path: HashMap<PathBuf, i64> = entries
            .iter()
            .map(|e| (normalize(&e.file_path), e.id))
            .collect();
        let mut catalog = Catalog {
            by_path,
            attachments: HashMap::new(),
            attached: HashMap::new(),
            entries,
            by_id,
            categories,
            aliases: contents
                .aliases
                .into_iter()
                .map(|a| (a.path.clone(), a))
                .collect(),
            tag_names: contents.tag_names.into_iter().collect(),
            populated,
            occupied,
            generation,
        };
        catalog.resolve_attachments(content_dir);
        catalog
    }

    /// Resolves every `Attach` header (spec A19d); unknown targets are
    /// logged and ignored.
    fn resolve_attachments(&mut self, content_dir: &Path) {
        let mut attachments: HashMap<i64, Vec<i64>> = HashMap::new();
        let mut attached: HashMap<i64, Vec<i64>> = HashMap::new();
        for e in self.entries.iter().filter(|e| !e.attach.is_empty()) {
            let entry_dir = e.file_path.parent().unwrap_or(Path::new(""));
            let category_dir = content_dir.join(&e.category);
            for target in &e.attach {
                match self.find_entry(target, &[entry_dir, &category_dir], content_dir) {
                    Some(found) => {
                        let list = attachments.entry(e.id).or_default();
                        if !list.contains(&found.id) {
                            list.push(found.id);
                            attached.entry(found.id).or_default().push(e.id);
                        }
                    }
                    None => tracing::warn!(
                        path = %e.file_path.display(),
                        target = %target,
                        "Attach names no known entry; ignored"
                    ),
                }
            }
        }
        self.attachments = attachments;
        self.attached = attached;
    }

    /// IDs of the entries `id` attaches.
    pub fn attachments_of(&self, id: i64) -> &[i64] {
        self.attachments.get(&id).map(Vec::as_slice).unwrap_or(&[])
    }

    /// IDs of the entries that attach `id`.
    pub fn attached_to(&self, id: i64) -> &[i64] {
        self.attached.get(&id).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Publ's `find_entry`: an entry ID, a path from the content root
    /// (`/x.md`), or a path relative to one of `search` (spec L5).
    pub fn find_entry(
        &self,
        target: &str,
        search: &[&Path],
        content_dir: &Path,
    ) -> Option<&Arc<EntryRecord>> {
        if let Some(e) = target
            .trim()
            .parse::<i64>()
            .ok()
            .and_then(|id| self.by_id.get(&id))
        {
            return Some(e);
        }
        let dirs: Vec<&Path> = match target.strip_prefix('/') {
            Some(_) => vec![content_dir],
            None => search.to_vec(),
        };
        dirs.iter()
            .find_map(|d| {
                self.by_path
                    .get(&normalize(&d.join(target.trim_start_matches('/'))))
            })
            .and_then(|id| self.by_id.get(id))
    }

    pub fn entry(&self, id: i64) -> Option<&Arc<EntryRecord>> {
        self.by_id.get(&id)
    }

    /// All entries, oldest first.
    pub fn entries(&self) -> &[Arc<EntryRecord>] {
        &self.entries
    }

    pub fn category_meta(&self, path: &str) -> Option<&CategoryMeta> {
        self.categories.get(path)
    }

    pub fn alias(&self, path: &str) -> Option<&AliasRecord> {
        self.aliases.get(path)
    }

    pub fn tag_name<'a>(&'a self, key: &'a str) -> &'a str {
        self.tag_names.get(key).map(String::as_str).unwrap_or(key)
    }

    /// Whether a visible entry lives in `path` or below it (spec B2).
    pub fn category_exists(&self, path: &str) -> bool {
        self.populated.contains(path)
    }

    /// Categories with visible entries of their own strictly below `path`
    /// (spec section 4 item 19).
    pub fn categories_below(&self, path: &str) -> Vec<&str> {
        let prefix = if path.is_empty() {
            String::new()
        } else {
            format!("{path}/")
        };
        self.occupied
            .iter()
            .filter(|c| !c.is_empty() && c.starts_with(&prefix) && c.as_str() != path)
            .map(String::as_str)
            .collect()
    }
}

/// `a/./b/../c` -> `a/c`, without touching the disk.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

//! The index held in memory: every entry's facts, categories, aliases and
//! tag names, rebuilt from the store after each scan and swapped in whole.
//! Views query it without touching the database.

use std::collections::{BTreeSet, HashMap};
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
    categories: HashMap<String, CategoryMeta>,
    aliases: HashMap<String, AliasRecord>,
    tag_names: HashMap<String, String>,
    /// Categories holding a visible entry, with all their ancestors (spec B2).
    populated: BTreeSet<String>,
    /// Categories holding a visible entry themselves.
    occupied: BTreeSet<String>,
    pub generation: i64,
}

impl Catalog {
    pub fn new(contents: IndexContents, generation: i64) -> Catalog {
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
        Catalog {
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
        }
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

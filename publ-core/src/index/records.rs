//! Rows of the index as plain data, shared by the store and the catalog.

use std::path::PathBuf;

use chrono::{DateTime, FixedOffset, NaiveDateTime};

use crate::content::entry_file::Format;
use crate::content::status::PublishStatus;

#[derive(Debug, Clone)]
pub struct EntryRecord {
    pub id: i64,
    pub file_path: PathBuf,
    pub format: Format,
    pub category: String,
    pub status: PublishStatus,
    /// The date with the offset the author wrote (spec A24).
    pub display_date: DateTime<FixedOffset>,
    pub utc_timestamp: i64,
    /// Wall-clock time in the entry's own offset: ordering and date filters.
    pub local_date: NaiveDateTime,
    pub last_modified: Option<DateTime<FixedOffset>>,
    pub uuid: String,
    pub title: String,
    pub sort_title: String,
    pub slug_text: String,
    pub entry_type: String,
    pub redirect_url: String,
    pub canonical_path: String,
    pub auth: String,
    pub tags: Vec<TagRecord>,
    /// `Attach` targets as written; the catalog resolves them.
    pub attach: Vec<String>,
}

impl EntryRecord {
    /// Directly reachable by URL (spec section 4 item 4).
    pub fn visible(&self) -> bool {
        self.status.is_visible()
    }

    /// The sort key of views: `(local_date, id)` (spec section 4 item 6).
    pub fn sort_key(&self) -> (NaiveDateTime, i64) {
        (self.local_date, self.id)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagRecord {
    pub key: String,
    /// The spelling in this entry's header (what `entry.tags` shows).
    pub name: String,
    pub hidden: bool,
}

#[derive(Debug, Clone)]
pub struct CategoryRecord {
    pub category: String,
    pub file_path: PathBuf,
    pub sort_name: String,
    /// The meta file's full text.
    pub meta: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AliasKind {
    Redirect = 0,
    Mount = 1,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AliasTarget {
    Entry(i64),
    Category(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AliasRecord {
    pub path: String,
    pub kind: AliasKind,
    pub target: AliasTarget,
    pub template: Option<String>,
}

/// Everything the index holds, as loaded from the store.
#[derive(Debug, Default, Clone)]
pub struct IndexContents {
    pub entries: Vec<EntryRecord>,
    pub categories: Vec<CategoryRecord>,
    pub aliases: Vec<AliasRecord>,
    /// Display names of tags by key (spec section 4 item 17).
    pub tag_names: Vec<(String, String)>,
}

//! An entry file's index-relevant facts, read from its headers (spec A1-A19).

use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset};

use super::date::parse_date;
use super::entry_file::Format;
use super::headers::{Headers, Message};
use super::slug::slugify;
use super::status::PublishStatus;

/// A header the index cannot take, in the file at `path`.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {header}")]
pub struct EntryError {
    pub path: PathBuf,
    pub header: BadHeader,
}

/// What is wrong, without the file's path (for reports that name the file
/// themselves).
#[derive(Debug, thiserror::Error)]
pub enum BadHeader {
    #[error("Entry-ID {0:?} is not a number")]
    Id(String),
    #[error("unknown Status {0:?}")]
    Status(String),
}

/// One tag placement: the header text and whether it came from `Hidden-Tag`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagPlacement {
    pub key: String,
    pub name: String,
    pub hidden: bool,
}

/// What the index stores about an entry file; the body stays in the file.
#[derive(Debug, Clone)]
pub struct EntryFacts {
    pub file_path: PathBuf,
    pub format: Format,
    pub header_id: Option<i64>,
    pub category: String,
    pub status: PublishStatus,
    pub date: Option<DateTime<FixedOffset>>,
    pub last_modified: Option<DateTime<FixedOffset>>,
    /// True when `Last-Modified` is present but unparseable (spec A8).
    pub bad_last_modified: bool,
    pub uuid: Option<String>,
    pub title: String,
    pub sort_title: String,
    pub slug_text: String,
    pub entry_type: String,
    pub redirect_url: String,
    pub canonical_path: String,
    pub auth: String,
    pub aliases: Vec<String>,
    pub mounts: Vec<String>,
    pub tags: Vec<TagPlacement>,
    /// `Attach` targets as written: paths or entry IDs (spec A19d).
    pub attach: Vec<String>,
}

impl EntryFacts {
    /// `rel_path` is the file's path relative to the content folder; its
    /// folder is the default category (spec B1).
    pub fn from_message(
        file_path: &Path,
        rel_path: &Path,
        format: Format,
        msg: &Message,
    ) -> Result<EntryFacts, EntryError> {
        let h = &msg.headers;
        let header_id = match h.get("Entry-ID") {
            None => None,
            Some(v) => Some(v.trim().parse::<i64>().map_err(|_| EntryError {
                path: file_path.to_path_buf(),
                header: BadHeader::Id(v.to_string()),
            })?),
        };
        let status_text = h.get("Status").unwrap_or("SCHEDULED");
        let status: PublishStatus = status_text.trim().parse().map_err(|_| EntryError {
            path: file_path.to_path_buf(),
            header: BadHeader::Status(status_text.to_string()),
        })?;
        let default_category = super::category::folder_category(rel_path);
        let title = h.get("Title").unwrap_or("").to_string();
        let slug_source = match h.get("Slug-Text") {
            Some(s) => s.to_string(),
            None => crate::markup::title::plain_title(&title),
        };
        let last_modified_text = h.get("Last-Modified");
        let last_modified = last_modified_text.and_then(parse_date);
        Ok(EntryFacts {
            file_path: file_path.to_path_buf(),
            format,
            header_id,
            category: h
                .get("Category")
                .map(str::to_string)
                .unwrap_or(default_category),
            status,
            date: h.get("Date").and_then(parse_date),
            bad_last_modified: last_modified_text.is_some() && last_modified.is_none(),
            last_modified,
            uuid: h.get("UUID").map(str::to_string),
            sort_title: h.get("Sort-Title").unwrap_or(&title).to_string(),
            slug_text: slugify(&slug_source, None, false),
            title,
            entry_type: h.get("Entry-Type").unwrap_or("").to_string(),
            redirect_url: h.get("Redirect-To").unwrap_or("").to_string(),
            canonical_path: h.get("Path-Canonical").unwrap_or("").to_string(),
            auth: h.get("Auth").unwrap_or("").to_string(),
            aliases: all(h, "Path-Alias"),
            mounts: all(h, "Path-Mount")
                .into_iter()
                .chain(all(h, "Path-Canonical"))
                .collect(),
            tags: tags(h),
            attach: all(h, "Attach"),
        })
    }
}

fn all(h: &Headers, name: &str) -> Vec<String> {
    h.get_all(name).into_iter().map(str::to_string).collect()
}

/// Later spellings of the same tag key win, hidden ones first so a visible
/// `Tag` overrides a `Hidden-Tag` (as Publ's dict comprehension does).
fn tags(h: &Headers) -> Vec<TagPlacement> {
    let mut out: Vec<TagPlacement> = Vec::new();
    let placements = h
        .get_all("Hidden-Tag")
        .into_iter()
        .map(|t| (t, true))
        .chain(h.get_all("Tag").into_iter().map(|t| (t, false)));
    for (name, hidden) in placements {
        let key = slugify(name, None, true);
        let placement = TagPlacement {
            key: key.clone(),
            name: name.to_string(),
            hidden,
        };
        match out.iter_mut().find(|t| t.key == key) {
            Some(existing) => *existing = placement,
            None => out.push(placement),
        }
    }
    out
}

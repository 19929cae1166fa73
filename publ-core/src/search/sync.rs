//! Catalog -> search index: after every scan the index is brought in line
//! with the catalog. Each document keeps a stamp of what it was made from,
//! so only entries whose file or facts changed are read again (spec O2).

use std::collections::HashMap;
use std::sync::Arc;

use md5::{Digest, Md5};
use tantivy::schema::Value;
use tantivy::{DateTime, TantivyDocument, Term};

use super::folder::{commit, OpenIndex};
use crate::content::headers::parse_message;
use crate::content::status::PublishStatus;
use crate::index::catalog::Catalog;
use crate::index::records::EntryRecord;

/// What one sync did, for the log.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SyncReport {
    pub indexed: usize,
    pub unchanged: usize,
    pub removed: usize,
    pub failed: usize,
}

/// Only these are searchable; the rest are removed (spec O2).
fn searchable(status: PublishStatus) -> bool {
    matches!(status, PublishStatus::Published | PublishStatus::Scheduled)
}

/// Changes whenever the entry's document would: the file (by fingerprint)
/// or the catalog facts the document holds.
fn stamp(record: &EntryRecord) -> std::io::Result<String> {
    let fingerprint = crate::fsutil::fingerprint(&record.file_path)?;
    let mut digest = Md5::new();
    for part in [
        fingerprint.to_string(),
        record.file_path.to_string_lossy().into_owned(),
        record.status.as_i64().to_string(),
        record.utc_timestamp.to_string(),
        record.category.clone(),
        record.title.clone(),
    ] {
        digest.update((part.len() as u64).to_le_bytes());
        digest.update(part.as_bytes());
    }
    Ok(digest
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// Entry ID -> the stamps its documents carry (more than one only if a
/// write was cut short; such an entry is indexed again).
fn stored_stamps(open: &OpenIndex) -> tantivy::Result<HashMap<String, Vec<String>>> {
    let mut stored: HashMap<String, Vec<String>> = HashMap::new();
    let searcher = open.reader.searcher();
    for segment in searcher.segment_readers() {
        let store = segment.get_store_reader(1)?;
        for doc_id in segment.doc_ids_alive() {
            let doc: TantivyDocument = store.get(doc_id)?;
            let text = |field| {
                doc.get_first(field)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string()
            };
            stored
                .entry(text(open.fields.entry_id))
                .or_default()
                .push(text(open.fields.stamp));
        }
    }
    Ok(stored)
}

/// The document for one entry; reading its file is the only part that can
/// fail.
fn document(
    open: &OpenIndex,
    record: &EntryRecord,
    stamp: &str,
) -> std::io::Result<TantivyDocument> {
    let f = &open.fields;
    let text = std::fs::read_to_string(&record.file_path)?;
    let message = parse_message(&text);
    let mut doc = TantivyDocument::default();
    doc.add_text(f.entry_id, record.id.to_string());
    doc.add_text(f.stamp, stamp);
    doc.add_text(f.title, &record.title);
    doc.add_text(f.content, &message.payload);
    doc.add_date(
        f.published,
        DateTime::from_timestamp_secs(record.utc_timestamp),
    );
    doc.add_text(f.tag, message.headers.get_all("Tag").join(","));
    doc.add_text(f.category, &record.category);
    let mut path = record.category.as_str();
    while !path.is_empty() {
        doc.add_text(f.category_tree, path);
        path = path
            .rsplit_once('/')
            .map(|(parent, _)| parent)
            .unwrap_or("");
    }
    doc.add_i64(f.status, record.status.as_i64());
    Ok(doc)
}

/// Brings `open` in line with `catalog`. Blocking: file reads and index
/// writes.
pub fn sync(open: &OpenIndex, catalog: &Catalog) -> tantivy::Result<SyncReport> {
    let mut report = SyncReport::default();
    open.reader.reload()?;
    let stored = stored_stamps(open)?;
    let mut wanted: HashMap<String, (Arc<EntryRecord>, String)> = HashMap::new();
    for record in catalog.entries().iter().filter(|e| searchable(e.status)) {
        match stamp(record) {
            Ok(stamp) => {
                wanted.insert(record.id.to_string(), (record.clone(), stamp));
            }
            Err(err) => {
                tracing::error!(path = %record.file_path.display(), error = %err, "cannot stat entry file; left out of the search index");
                report.failed += 1;
            }
        }
    }
    let removed: Vec<&String> = stored
        .keys()
        .filter(|id| !wanted.contains_key(*id))
        .collect();
    let changed: Vec<(&String, &(Arc<EntryRecord>, String))> = wanted
        .iter()
        .filter(|(id, (_, stamp))| {
            stored.get(*id).map(Vec::as_slice) != Some(std::slice::from_ref(stamp))
        })
        .collect();
    report.unchanged = wanted.len() - changed.len();
    if removed.is_empty() && changed.is_empty() {
        return Ok(report);
    }
    let mut writer = open.writer()?;
    let key = |id: &str| Term::from_field_text(open.fields.entry_id, id);
    for id in removed {
        writer.delete_term(key(id));
        report.removed += 1;
    }
    for (id, (record, stamp)) in changed {
        writer.delete_term(key(id));
        match document(open, record, stamp) {
            Ok(doc) => {
                writer.add_document(doc)?;
                report.indexed += 1;
            }
            Err(err) => {
                // Not indexed, so the next sync tries again.
                tracing::error!(path = %record.file_path.display(), error = %err, "cannot read entry file; left out of the search index");
                report.failed += 1;
            }
        }
    }
    commit(&mut writer)?;
    writer.wait_merging_threads()?;
    open.reader.reload()?;
    Ok(report)
}

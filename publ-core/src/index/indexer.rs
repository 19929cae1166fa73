//! Content folder -> index: finds changed files by fingerprint, parses
//! them, assigns IDs and writes them back (spec A20-A22, Q3, section 4
//! item 3).

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use chrono::{DateTime, FixedOffset};
use md5::{Digest, Md5};

use super::owners::Owners;
use super::records::{AliasKind, AliasRecord, AliasTarget, CategoryRecord, EntryRecord, TagRecord};
use super::store::{path_text, Scan, Store, StoreError};
use crate::content::category::MetaFacts;
use crate::content::date::{format_date, local_now_in};
use crate::content::entry::{EntryError, EntryFacts};
use crate::content::headers::{parse_message, Message};
use crate::content::scan::{walk_with, SourceFile, SourceKind};
use crate::content::status::PublishStatus;
use crate::content::writeback::{write_back_all, Rewrite, SkipReason, WriteBack, WriteBackError};
use crate::fsutil::{fingerprint, same_file, Fingerprint};

#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("content folder {} cannot be read; the index keeps what it had: {source}", path.display())]
    Unreadable {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("indexer task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

/// What one scan did, for logs and `publ reindex`.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ScanReport {
    pub files: usize,
    pub unchanged: usize,
    pub indexed: usize,
    pub removed: usize,
    pub failed: usize,
    pub written_back: usize,
}

/// A changed entry file, parsed and waiting for its ID.
struct PendingEntry {
    file: SourceFile,
    fingerprint: Fingerprint,
    message: Message,
    facts: EntryFacts,
}

enum Parsed {
    Entry(Box<PendingEntry>),
    Meta(SourceFile, Fingerprint, MetaFacts),
    Failed(SourceFile),
    Unchanged,
}

/// Where a scan says how far it got: `(phase, done, total)`, now and then
/// (a progress bar on a terminal, say).
pub type Progress = Arc<dyn Fn(&'static str, usize, usize) + Send + Sync>;

/// Whether a scan may rewrite entry files with the headers it assigns
/// (spec A22); a look that must leave the disk alone turns it off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderWriteBack {
    On,
    Off,
}

/// How often (in files) progress is reported.
const PROGRESS_STEP: usize = 256;

/// Brings the index up to date with `content` in one transaction; returns
/// what it did and the entry files that are to get the headers it
/// assigned, for [`write_back`] once the index is committed.
pub async fn reindex(
    store: &Store,
    content: &Path,
    tz: chrono_tz::Tz,
    force: bool,
    header_writes: HeaderWriteBack,
    progress: Option<&Progress>,
) -> Result<(ScanReport, Vec<Rewrite>), IndexError> {
    let started = std::time::Instant::now();
    let mut scan = store.scan().await?;
    let known = scan.fingerprints().await?;
    let stored = scan.owners().await?;
    // A file whose write-back never happened (a crash right after the
    // commit) gets the UUID the index already gave it, as it gets its ID.
    let mut uuids: HashMap<PathBuf, String> = stored
        .iter()
        .map(|(_, path, _, uuid)| (path.clone(), uuid.clone()))
        .collect();
    let mut owners = Owners::new(
        stored
            .into_iter()
            .map(|(id, path, status, _)| (id, path, status))
            .collect(),
    );
    let mut report = ScanReport::default();
    let content = content.to_path_buf();
    // A forced rescan compares against nothing, so every file is parsed.
    let known_for_walk = if force { HashMap::new() } else { known.clone() };
    let parse_progress = progress.cloned();
    let (walked, unreadable, parsed) = tokio::task::spawn_blocking(move || {
        // A folder that cannot be read right now (permissions being fixed,
        // a mount coming back) keeps what the index knows of it.
        std::fs::read_dir(&content).map_err(|source| IndexError::Unreadable {
            path: content.clone(),
            source,
        })?;
        let mut unreadable = Vec::new();
        let files = walk_with(&content, |err| {
            tracing::error!(error = %err, "cannot read content folder entry; skipped");
            if let Some(dir) = err.path().filter(|p| p.is_dir()) {
                unreadable.push(dir.to_path_buf());
            }
        });
        let walked: HashSet<String> = files.iter().map(|f| path_text(&f.path)).collect();
        let parsed = parse_all(files, &known_for_walk, parse_progress.as_ref());
        Ok::<_, IndexError>((walked, unreadable, parsed))
    })
    .await??;
    report.files = parsed.len();
    let parsed_at = started.elapsed();

    let mut fingerprints = Vec::new();
    let mut pending = Vec::new();
    // A file that fails again, unknown to the index, changes nothing.
    let mut dropped_known = false;
    for item in parsed {
        match item {
            Parsed::Unchanged => report.unchanged += 1,
            Parsed::Failed(file) => {
                // A file that stopped parsing must not keep serving stale
                // facts; it is retried on the next scan.
                scan.remove_file(&file.path).await?;
                owners.remove_path(&file.path);
                report.failed += 1;
                dropped_known |= known.contains_key(&path_text(&file.path));
            }
            Parsed::Meta(file, fp, facts) => {
                put_category(&mut scan, &file, &facts).await?;
                fingerprints.push((path_text(&file.path), fp.to_string()));
                report.indexed += 1;
            }
            Parsed::Entry(entry) => pending.push(*entry),
        }
    }
    for path in known.keys() {
        let kept = walked.contains(path)
            || unreadable
                .iter()
                .any(|dir| Path::new(path).starts_with(dir));
        if !kept {
            scan.remove_file(Path::new(path)).await?;
            owners.remove_path(Path::new(path));
            report.removed += 1;
        }
    }

    // Pass 0 places entries whose own ID stands; pass 1 assigns the rest.
    let mut placed: Vec<Option<(PendingEntry, i64)>> = Vec::new();
    let mut placed_at: HashMap<i64, usize> = HashMap::new();
    let mut stale = Vec::new();
    for assign in [false, true] {
        let mut waiting = Vec::new();
        for entry in pending {
            match resolve_id(&owners, &entry, assign) {
                Some(id) => {
                    for old in owners.claim(id, &entry.file.path, entry.facts.status) {
                        // An entry placed earlier in this scan (a draft whose
                        // ID another file took) is dropped, as it would be if
                        // it had been stored already; its file stays known.
                        match placed_at.remove(&old).and_then(|i| placed[i].take()) {
                            Some((dropped, _)) => fingerprints.push((
                                path_text(&dropped.file.path),
                                dropped.fingerprint.to_string(),
                            )),
                            None => stale.push(old),
                        }
                    }
                    placed_at.insert(id, placed.len());
                    placed.push(Some((entry, id)));
                }
                None => waiting.push(entry),
            }
        }
        pending = waiting;
    }

    let mut records = Vec::new();
    let mut rewrites = Vec::new();
    for (entry, id) in placed.into_iter().flatten() {
        let uuid = uuids.remove(&entry.file.path);
        let built = build_entry(entry, id, uuid, tz, header_writes);
        match built.rewrite {
            Some(rewrite) => rewrites.push(rewrite),
            None => fingerprints.push((path_text(&built.record.file_path), built.fingerprint)),
        }
        records.push((built.record, built.aliases));
    }
    report.indexed += records.len();
    scan.remove_entries(&stale).await?;
    scan.insert_entries(&records).await?;
    let tag_names = tag_name_changes(scan.tag_names().await?, &records);
    scan.set_tag_names(&tag_names).await?;
    // Until their write-back, rewritten files keep no fingerprint.

    scan.set_fingerprints(&fingerprints).await?;
    if report.indexed + report.removed > 0 || dropped_known {
        scan.bump_generation().await?;
    }
    scan.commit().await?;
    tracing::debug!(
        ?parsed_at,
        committed_at = ?started.elapsed(),
        "scan phases"
    );
    Ok((report, rewrites))
}

/// Writes the headers a committed scan assigned into their files (spec
/// A22), then stores the rewritten files' fingerprints and moves the
/// generation, since pages show the files' headers; returns how many files
/// were rewritten. This comes after the commit because thousands of
/// durable rewrites take longer than the scan itself, and the index need
/// not wait for them: a file that is not rewritten (edited meanwhile, or
/// a crash first) keeps no fingerprint, and the next scan reads it again
/// and gives it the same ID and UUID from the index.
pub async fn write_back(
    store: &Store,
    rewrites: Vec<Rewrite>,
    progress: Option<&Progress>,
) -> Result<usize, IndexError> {
    if rewrites.is_empty() {
        return Ok(0);
    }
    let started = std::time::Instant::now();
    if let Some(progress) = progress {
        progress("writing", 0, rewrites.len());
    }
    let (rewrites, results) = tokio::task::spawn_blocking(move || {
        let results = write_back_all(&rewrites);
        (rewrites, results)
    })
    .await?;
    let mut fingerprints = Vec::new();
    let mut written = 0;
    for (rewrite, result) in rewrites.iter().zip(results) {
        let (fp, rewritten) = after_write_back(rewrite, result);
        if let Some(fp) = fp {
            fingerprints.push((path_text(&rewrite.path), fp));
        }
        written += usize::from(rewritten);
    }
    if let Some(progress) = progress {
        progress("writing", rewrites.len(), rewrites.len());
    }
    let mut scan = store.scan().await?;
    scan.set_fingerprints(&fingerprints).await?;
    if written > 0 {
        scan.bump_generation().await?;
    }
    scan.commit().await?;
    tracing::info!(
        files = written,
        took = ?started.elapsed(),
        "wrote assigned headers back into entry files"
    );
    Ok(written)
}

/// Parses files on every core (reading and parsing thousands of entries
/// is much of a cold start), keeping their walk order.
fn parse_all(
    files: Vec<SourceFile>,
    known: &HashMap<String, String>,
    progress: Option<&Progress>,
) -> Vec<Parsed> {
    let total = files.len();
    let done = AtomicUsize::new(0);
    let parsed = crate::parallel::map(files, 64, |file| {
        let parsed = parse_if_changed(file, known);
        let n = done.fetch_add(1, Ordering::Relaxed) + 1;
        if let Some(progress) = progress.filter(|_| n.is_multiple_of(PROGRESS_STEP)) {
            progress("parsing", n, total);
        }
        parsed
    })
    .into_iter()
    // A parser bug must not take the scan down: such a file keeps its
    // old index rows until the next scan.
    .flatten()
    .collect();
    if let Some(progress) = progress {
        progress("parsing", total, total);
    }
    parsed
}

fn parse_if_changed(file: SourceFile, known: &HashMap<String, String>) -> Parsed {
    let fp = match fingerprint(&file.path) {
        Ok(fp) => fp,
        Err(err) => {
            tracing::error!(path = %file.path.display(), error = %err, "cannot stat file; skipped");
            return Parsed::Failed(file);
        }
    };
    if known.get(file.path.to_string_lossy().as_ref()) == Some(&fp.to_string()) {
        return Parsed::Unchanged;
    }
    match parse_source(&file) {
        Ok(ParsedSource::Meta(facts)) => Parsed::Meta(file, fp, facts),
        Ok(ParsedSource::Entry(entry)) => {
            let (message, facts) = *entry;
            Parsed::Entry(Box::new(PendingEntry {
                file,
                fingerprint: fp,
                message,
                facts,
            }))
        }
        Err(err) => {
            match err {
                ParseError::NotUtf8 => {
                    tracing::error!(path = %file.path.display(), "file is not valid UTF-8; skipped")
                }
                ParseError::Read(err) => {
                    tracing::error!(path = %file.path.display(), error = %err, "cannot read file; skipped")
                }
                ParseError::Entry(err) => tracing::error!(error = %err, "entry skipped"),
            }
            Parsed::Failed(file)
        }
    }
}

/// A content file read and parsed, before it meets the index.
pub(crate) enum ParsedSource {
    /// Boxed: entry facts are several times the size of meta facts.
    Entry(Box<(Message, EntryFacts)>),
    Meta(MetaFacts),
}

/// Why a content file cannot be indexed. The messages leave out the path:
/// the indexer's logs and `publ check`'s report name the file themselves.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ParseError {
    #[error("cannot read file: {0}")]
    Read(std::io::Error),
    #[error("file is not valid UTF-8")]
    NotUtf8,
    #[error("{}", .0.header)]
    Entry(EntryError),
}

/// Reads and parses one content file exactly as the index takes it; `publ
/// check` runs the same step without an index.
pub(crate) fn parse_source(file: &SourceFile) -> Result<ParsedSource, ParseError> {
    let bytes = std::fs::read(&file.path).map_err(ParseError::Read)?;
    let text = String::from_utf8(bytes).map_err(|_| ParseError::NotUtf8)?;
    let message = parse_message(&text);
    match file.kind {
        SourceKind::Meta => Ok(ParsedSource::Meta(MetaFacts::from_message(
            &file.rel, text, &message,
        ))),
        SourceKind::Entry(format) => {
            let facts = EntryFacts::from_message(&file.path, &file.rel, format, &message)
                .map_err(ParseError::Entry)?;
            Ok(ParsedSource::Entry(Box::new((message, facts))))
        }
    }
}

async fn put_category(
    scan: &mut Scan<'_>,
    file: &SourceFile,
    facts: &MetaFacts,
) -> Result<(), IndexError> {
    let record = CategoryRecord {
        category: facts.category.clone(),
        file_path: file.path.clone(),
        sort_name: facts.sort_name.clone(),
        meta: facts.text.clone(),
    };
    let target = AliasTarget::Category(facts.category.clone());
    let aliases = alias_records(&facts.aliases, &facts.mounts, &target);
    scan.put_category(&record, &aliases).await?;
    Ok(())
}

/// Publ's `get_entry_id`: a header ID stands unless another existing,
/// non-draft file owns it; otherwise reuse this file's old ID or derive one
/// from the path.
fn resolve_id(owners: &Owners, entry: &PendingEntry, assign: bool) -> Option<i64> {
    let path = &entry.file.path;
    let mut id = entry.facts.header_id.filter(|id| *id != 0);
    if let Some(wanted) = id {
        if let Some((owner, status)) = owners.owner(wanted) {
            if owner.is_file() && !same_file(owner, path) && status != PublishStatus::Draft {
                tracing::warn!(
                    path = %path.display(),
                    owner = %owner.display(),
                    id = wanted,
                    "Entry-ID already belongs to another file; assigning a new one"
                );
                id = None;
            }
        }
    }
    if id.is_some() || !assign {
        return id;
    }
    if let Some(old) = owners.first_id_of(path) {
        return Some(old);
    }
    let limit = std::cmp::max(10, owners.len() as u128 * 5);
    (0u64..)
        .map(|attempt| {
            let digest = Md5::digest(format!("{} {attempt}", path.display()).as_bytes());
            (u128::from_be_bytes(digest.into()) % limit) as i64
        })
        .find(|candidate| *candidate != 0 && owners.owner(*candidate).is_none())
}

/// An entry ready for the index, with its file's rewrite if Publ assigned
/// any header.
struct BuiltEntry {
    record: EntryRecord,
    aliases: Vec<AliasRecord>,
    fingerprint: String,
    rewrite: Option<Rewrite>,
}

fn build_entry(
    entry: PendingEntry,
    id: i64,
    stored_uuid: Option<String>,
    tz: chrono_tz::Tz,
    header_writes: HeaderWriteBack,
) -> BuiltEntry {
    let PendingEntry {
        file,
        fingerprint: fp,
        mut message,
        facts,
    } = entry;
    let mut fixup = false;
    let ctime_date = || -> DateTime<FixedOffset> {
        use std::os::unix::fs::MetadataExt;
        let secs = std::fs::metadata(&file.path)
            .map(|m| m.ctime())
            .unwrap_or(0);
        let when = std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs.max(0) as u64);
        local_now_in(tz, when)
    };
    let date = match facts.date {
        Some(d) => d,
        None => {
            let d = ctime_date();
            message.headers.set_replacing("Date", &format_date(&d));
            fixup = true;
            d
        }
    };
    let mut last_modified = facts.last_modified;
    if facts.bad_last_modified {
        let d = ctime_date();
        message
            .headers
            .set_replacing("Last-Modified", &format_date(&d));
        last_modified = Some(d);
        fixup = true;
    }
    let uuid = match &facts.uuid {
        Some(u) => u.clone(),
        None => {
            let u = stored_uuid.unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
            message.headers.set_replacing("UUID", &u);
            fixup = true;
            u
        }
    };
    if message.headers.get("Entry-ID") != Some(id.to_string().as_str()) {
        message.headers.set_replacing("Entry-ID", &id.to_string());
        fixup = true;
    }
    let record = EntryRecord {
        id,
        file_path: file.path.clone(),
        format: facts.format,
        category: facts.category.clone(),
        status: facts.status,
        display_date: date,
        utc_timestamp: date.timestamp(),
        local_date: date.naive_local(),
        last_modified,
        uuid,
        title: facts.title.clone(),
        sort_title: facts.sort_title.clone(),
        slug_text: facts.slug_text.clone(),
        entry_type: facts.entry_type.clone(),
        redirect_url: facts.redirect_url.clone(),
        canonical_path: facts.canonical_path.clone(),
        auth: facts.auth.clone(),
        attach: facts.attach.clone(),
        tags: facts
            .tags
            .iter()
            .map(|t| TagRecord {
                key: t.key.clone(),
                name: t.name.clone(),
                hidden: t.hidden,
            })
            .collect(),
    };
    let aliases = if record.visible() {
        alias_records(&facts.aliases, &facts.mounts, &AliasTarget::Entry(id))
    } else {
        Vec::new()
    };
    // Drafts are never rewritten (spec A22), nor anything in a look-only
    // scan.
    let rewrite =
        (fixup && record.status != PublishStatus::Draft && header_writes == HeaderWriteBack::On)
            .then(|| Rewrite {
                path: file.path,
                headers: message.headers,
                payload: message.payload,
                expected: fp.clone(),
                drops_text: message.drops_text,
            });
    BuiltEntry {
        record,
        aliases,
        fingerprint: fp.to_string(),
        rewrite,
    }
}

/// The fingerprint to store for a rewritten file (none: the next scan
/// reads it again) and whether it was rewritten.
fn after_write_back(
    rewrite: &Rewrite,
    result: Result<WriteBack, WriteBackError>,
) -> (Option<String>, bool) {
    let path = &rewrite.path;
    match result {
        Ok(WriteBack::Written) => {
            tracing::debug!(path = %path.display(), "wrote assigned headers back to entry file");
            (fingerprint(path).ok().map(|fp| fp.to_string()), true)
        }
        Ok(WriteBack::Skipped(SkipReason::Changed)) => {
            // The author's edit is for the next scan to see.
            tracing::warn!(path = %path.display(), "entry file changed during the scan; not rewritten");
            (None, false)
        }
        Ok(WriteBack::Skipped(reason)) => {
            tracing::warn!(path = %path.display(), reason = %reason, "entry file not rewritten");
            (Some(rewrite.expected.to_string()), false)
        }
        Err(err) => {
            tracing::error!(error = %err, "cannot write headers back to entry file");
            (Some(rewrite.expected.to_string()), false)
        }
    }
}

/// The tag display names `records` change: the first spelling of a key
/// wins, and a later visible spelling that differs from the key replaces
/// it (spec section 4 item 17).
fn tag_name_changes(
    mut names: HashMap<String, String>,
    records: &[(EntryRecord, Vec<AliasRecord>)],
) -> Vec<(String, String)> {
    let mut changed: Vec<String> = Vec::new();
    for tag in records.iter().flat_map(|(e, _)| &e.tags) {
        let replace = match names.get(&tag.key) {
            None => true,
            Some(name) => tag.name != tag.key && !tag.hidden && *name != tag.name,
        };
        if replace {
            names.insert(tag.key.clone(), tag.name.clone());
            changed.push(tag.key.clone());
        }
    }
    changed.sort_unstable();
    changed.dedup();
    changed
        .into_iter()
        .filter_map(|key| names.remove_entry(&key))
        .collect()
}

/// `Path-Alias: /old/url template` -> alias rows (spec A14, A15).
fn alias_records(
    redirects: &[String],
    mounts: &[String],
    target: &AliasTarget,
) -> Vec<AliasRecord> {
    let make = |spec: &String, kind| {
        let mut parts = spec.split_whitespace();
        let raw = parts.next()?;
        let raw = if raw.starts_with('/') {
            raw.to_string()
        } else {
            format!("/{raw}")
        };
        let path = percent_encoding::percent_decode_str(&raw)
            .decode_utf8_lossy()
            .into_owned();
        Some(AliasRecord {
            path,
            kind,
            target: target.clone(),
            template: parts.next().map(str::to_string),
        })
    };
    redirects
        .iter()
        .filter_map(|s| make(s, AliasKind::Redirect))
        .chain(mounts.iter().filter_map(|s| make(s, AliasKind::Mount)))
        .collect()
}

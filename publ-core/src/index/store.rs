//! The only place with SQL: the index database through sqlx's `Any` driver,
//! so SQLite and PostgreSQL share one query layer.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDateTime};
use sqlx::any::{AnyArguments, AnyPoolOptions, AnyRow};
use sqlx::query::Query;
use sqlx::{Any, AnyConnection, AnyPool, Row, Transaction};
use tokio::sync::{Mutex, MutexGuard};

use super::records::{
    AliasKind, AliasRecord, AliasTarget, CategoryRecord, EntryRecord, IndexContents, TagRecord,
};
use super::schema::{CREATE, SCHEMA_VERSION, TABLES};
use crate::config::Database;
use crate::content::entry_file::Format;
use crate::content::status::PublishStatus;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("index database {url}: {source}")]
    Connect { url: String, source: sqlx::Error },
    #[error("index database: {0}")]
    Query(#[from] sqlx::Error),
    #[error("index database holds a bad value in {column}: {value:?}")]
    BadValue { column: &'static str, value: String },
}

type Result<T> = std::result::Result<T, StoreError>;

const LOCAL_DATE_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.f";

/// Most values one statement binds: enough that a cold scan of thousands
/// of entries takes hundreds of statements rather than one per row, and no
/// more, since sqlx's SQLite driver looks each `$n` up among all of a
/// statement's parameters (quadratic in their number). Under SQLite's old
/// limit of 999.
const MAX_BINDS: usize = 320;

/// The PostgreSQL advisory lock key that serializes scans ("publ" in ASCII).
const SCAN_LOCK: i64 = 0x7075_626c;

#[derive(Debug)]
pub struct Store {
    pool: AnyPool,
    /// One scan at a time.
    scanning: Mutex<()>,
    /// The SQLite file and its identity when opened: a file deleted or
    /// replaced under a running instance is noticed and rebuilt.
    file: Option<(PathBuf, Option<(u64, u64)>)>,
}

impl StoreError {
    /// Whether the database file itself is damaged: only rebuilding it
    /// helps.
    pub fn is_corruption(&self) -> bool {
        matches!(self, StoreError::Query(err) if is_corruption(err))
    }
}

/// Per-connection SQLite settings (nothing for other databases).
async fn sqlite_settings(conn: &mut AnyConnection) -> std::result::Result<(), sqlx::Error> {
    if conn.backend_name() != "SQLite" {
        return Ok(());
    }
    for pragma in [
        // With WAL, NORMAL syncs at checkpoints rather than on every commit.
        // A power cut may lose the latest commits, never consistency, and
        // the index is rebuilt from the content files anyway.
        "PRAGMA synchronous=NORMAL",
        // A scan's one transaction stays in memory rather than spilling
        // pages to the file as it grows (64 MiB).
        "PRAGMA cache_size=-65536",
        // Another process's scan holds the write lock for as long as it
        // takes; wait for it.
        "PRAGMA busy_timeout=120000",
    ] {
        sqlx::query(pragma).execute(&mut *conn).await?;
    }
    Ok(())
}

/// SQLite's CORRUPT and NOTADB, with their extended codes.
fn is_corruption(err: &sqlx::Error) -> bool {
    let sqlx::Error::Database(err) = err else {
        return false;
    };
    err.code()
        .and_then(|code| code.parse::<i64>().ok())
        .is_some_and(|code| matches!(code & 0xff, 11 | 26))
}

/// A scan under way. Its writes share one transaction, so thousands of
/// entries commit once and readers see the previous index until
/// [`Scan::commit`]; dropped without it, nothing changes.
pub struct Scan<'a> {
    tx: Transaction<'static, Any>,
    _one_at_a_time: MutexGuard<'a, ()>,
}

impl Store {
    /// Opens (or creates) the index. A damaged SQLite file is moved aside
    /// and the index starts afresh: it is rebuilt from the content.
    pub async fn open(db: &Database) -> Result<Store> {
        match Store::connect(db).await {
            Err(err) if err.is_corruption() => {
                tracing::error!(error = %err, "the index database is damaged; starting a new one");
                if let Database::Url(url) = db {
                    if let Some(path) = sqlite_file(url) {
                        remove_sqlite_files(&path);
                    }
                }
                Store::connect(db).await
            }
            opened => opened,
        }
    }

    async fn connect(db: &Database) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let (url, options) = match db {
            // One connection that never closes: each SQLite memory connection
            // is its own database.
            Database::Memory => (
                "sqlite::memory:".to_string(),
                AnyPoolOptions::new()
                    .max_connections(1)
                    .min_connections(1)
                    .idle_timeout(None)
                    .max_lifetime(None),
            ),
            Database::Url(url) => (url.clone(), AnyPoolOptions::new().max_connections(4)),
        };
        let options = options.after_connect(|conn, _| {
            Box::pin(async move {
                match sqlite_settings(conn).await {
                    // The pool would retry a failed connection until it
                    // times out; the first query reports the damage instead,
                    // as one that can be told apart and repaired.
                    Err(err) if is_corruption(&err) => Ok(()),
                    done => done,
                }
            })
        });
        let pool = options
            .connect(&url)
            .await
            .map_err(|source| StoreError::Connect {
                url: url.clone(),
                source,
            })?;
        if url.starts_with("sqlite:") && !matches!(db, Database::Memory) {
            // Readers must not wait for the indexer (one writer, many readers).
            sqlx::query("PRAGMA journal_mode=WAL")
                .execute(&pool)
                .await?;
        }
        let file = match db {
            Database::Url(url) => sqlite_file(url).map(|path| {
                let identity = file_identity(&path);
                (path, identity)
            }),
            Database::Memory => None,
        };
        let store = Store {
            pool,
            scanning: Mutex::new(()),
            file,
        };
        store.migrate().await?;
        Ok(store)
    }

    /// Whether the database file was deleted or replaced since it was
    /// opened.
    pub fn is_lost(&self) -> bool {
        self.file
            .as_ref()
            .is_some_and(|(path, identity)| file_identity(path) != *identity)
    }

    /// Closes a damaged index and deletes its SQLite file, so the next
    /// [`open`](Store::open) starts a new one.
    pub async fn discard(&self) -> Result<()> {
        self.pool.close().await;
        if let Some((path, _)) = &self.file {
            remove_sqlite_files(path);
        }
        Ok(())
    }

    async fn migrate(&self) -> Result<()> {
        let mut conn = self.pool.acquire().await?;
        for stmt in CREATE {
            sqlx::query(stmt).execute(&mut *conn).await?;
        }
        let version = read_meta(&mut conn, "schema_version").await?;
        if version.as_deref() != Some(&SCHEMA_VERSION.to_string()) {
            if version.is_some() {
                tracing::info!(
                    found = version.as_deref().unwrap_or(""),
                    want = SCHEMA_VERSION,
                    "index schema changed; rebuilding the index"
                );
            }
            recreate(&mut conn).await?;
        }
        Ok(())
    }

    /// Drops every row of the index (its generation goes on).
    pub async fn clear(&self) -> Result<()> {
        let _no_scan = self.scanning.lock().await;
        let mut tx = self.pool.begin().await?;
        recreate(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Starts a scan: waits for any other to finish, then opens the
    /// transaction its writes share.
    pub async fn scan(&self) -> Result<Scan<'_>> {
        let guard = self.scanning.lock().await;
        // Scans by other processes sharing the database wait for this one
        // rather than fail on each other's rows: SQLite takes its write
        // lock up front, PostgreSQL a lock held until the transaction ends.
        let tx = if self.pool.connect_options().database_url.scheme() == "sqlite" {
            self.pool.begin_with("BEGIN IMMEDIATE").await?
        } else {
            let mut tx = self.pool.begin().await?;
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(SCAN_LOCK)
                .execute(&mut *tx)
                .await?;
            tx
        };
        Ok(Scan {
            tx,
            _one_at_a_time: guard,
        })
    }

    /// A counter bumped by every scan, so other processes sharing the
    /// database can notice a change cheaply.
    pub async fn generation(&self) -> Result<i64> {
        let mut conn = self.pool.acquire().await?;
        read_generation(&mut conn).await
    }

    /// Everything, for building the in-memory catalog.
    pub async fn load(&self) -> Result<IndexContents> {
        let mut tags: HashMap<i64, Vec<TagRecord>> = HashMap::new();
        for r in sqlx::query(
            "SELECT entry_id, key, name, hidden FROM entry_tags ORDER BY entry_id, position",
        )
        .fetch_all(&self.pool)
        .await?
        {
            let hidden: i64 = r.try_get(3)?;
            tags.entry(r.try_get(0)?).or_default().push(TagRecord {
                key: r.try_get(1)?,
                name: r.try_get(2)?,
                hidden: hidden != 0,
            });
        }
        let mut attach: HashMap<i64, Vec<String>> = HashMap::new();
        for r in
            sqlx::query("SELECT entry_id, target FROM entry_attach ORDER BY entry_id, position")
                .fetch_all(&self.pool)
                .await?
        {
            attach.entry(r.try_get(0)?).or_default().push(r.try_get(1)?);
        }
        let mut entries = Vec::new();
        for r in sqlx::query(
            "SELECT id, file_path, format, category, status, display_date, utc_timestamp,
                local_date, last_modified, uuid, title, sort_title, slug_text, entry_type,
                redirect_url, canonical_path, auth FROM entries",
        )
        .fetch_all(&self.pool)
        .await?
        {
            let id: i64 = r.try_get(0)?;
            let mut entry = entry_row(&r, tags.remove(&id).unwrap_or_default())?;
            entry.attach = attach.remove(&id).unwrap_or_default();
            entries.push(entry);
        }
        let categories = sqlx::query("SELECT category, file_path, sort_name, meta FROM categories")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                let file: String = r.try_get(1)?;
                Ok(CategoryRecord {
                    category: r.try_get(0)?,
                    file_path: file.into(),
                    sort_name: r.try_get(2)?,
                    meta: r.try_get(3)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let aliases =
            sqlx::query("SELECT path, kind, entry_id, category, template FROM path_aliases")
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(|r| {
                    let kind: i64 = r.try_get(1)?;
                    let entry: Option<i64> = r.try_get(2)?;
                    let category: Option<String> = r.try_get(3)?;
                    Ok(AliasRecord {
                        path: r.try_get(0)?,
                        kind: if kind == AliasKind::Mount as i64 {
                            AliasKind::Mount
                        } else {
                            AliasKind::Redirect
                        },
                        target: match entry {
                            Some(id) => AliasTarget::Entry(id),
                            None => AliasTarget::Category(category.unwrap_or_default()),
                        },
                        template: r.try_get(4)?,
                    })
                })
                .collect::<Result<Vec<_>>>()?;
        let tag_names = sqlx::query("SELECT key, name FROM tag_names")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect::<Result<Vec<_>>>()?;
        Ok(IndexContents {
            entries,
            categories,
            aliases,
            tag_names,
        })
    }
}

impl Scan<'_> {
    pub async fn commit(self) -> Result<()> {
        self.tx.commit().await?;
        Ok(())
    }

    /// Moves the generation on. It never goes back, even across a rebuilt
    /// database: it starts from the clock, so a running instance cannot
    /// take a new index for the one it already serves.
    pub async fn bump_generation(&mut self) -> Result<i64> {
        let now = chrono::Utc::now().timestamp_millis();
        let next = (read_generation(&mut self.tx).await? + 1).max(now);
        write_meta(&mut self.tx, "generation", &next.to_string()).await?;
        Ok(next)
    }

    /// Stored fingerprints by file path.
    pub async fn fingerprints(&mut self) -> Result<HashMap<String, String>> {
        let rows = sqlx::query("SELECT path, fingerprint FROM files")
            .fetch_all(&mut *self.tx)
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect()
    }

    /// Every stored entry's ID, file and status: what ID assignment needs.
    /// Every stored entry: ID, file, status and UUID.
    pub async fn owners(&mut self) -> Result<Vec<(i64, PathBuf, PublishStatus, String)>> {
        let rows = sqlx::query("SELECT id, file_path, status, uuid FROM entries")
            .fetch_all(&mut *self.tx)
            .await?;
        rows.iter()
            .map(|r| {
                let path: String = r.try_get(1)?;
                Ok((
                    r.try_get(0)?,
                    PathBuf::from(path),
                    status(r.try_get(2)?)?,
                    r.try_get(3)?,
                ))
            })
            .collect()
    }

    /// Display names of tags by key.
    pub async fn tag_names(&mut self) -> Result<HashMap<String, String>> {
        let rows = sqlx::query("SELECT key, name FROM tag_names")
            .fetch_all(&mut *self.tx)
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect()
    }

    pub async fn set_fingerprints(&mut self, files: &[(String, String)]) -> Result<()> {
        insert_rows(
            &mut self.tx,
            "INSERT INTO files (path, fingerprint)",
            "ON CONFLICT (path) DO UPDATE SET fingerprint = excluded.fingerprint",
            files,
            2,
            |q, (path, fingerprint)| q.bind(path).bind(fingerprint),
        )
        .await
    }

    pub async fn set_tag_names(&mut self, names: &[(String, String)]) -> Result<()> {
        insert_rows(
            &mut self.tx,
            "INSERT INTO tag_names (key, name)",
            "ON CONFLICT (key) DO UPDATE SET name = excluded.name",
            names,
            2,
            |q, (key, name)| q.bind(key).bind(name),
        )
        .await
    }

    /// Forgets a file that is gone (or no longer parses): its entries,
    /// their tags and aliases, and the category rows it described.
    pub async fn remove_file(&mut self, path: &Path) -> Result<()> {
        let path = path_text(path);
        for stmt in [
            "DELETE FROM entry_tags WHERE entry_id IN (SELECT id FROM entries WHERE file_path = $1)",
            "DELETE FROM entry_attach WHERE entry_id IN (SELECT id FROM entries WHERE file_path = $1)",
            "DELETE FROM path_aliases WHERE entry_id IN (SELECT id FROM entries WHERE file_path = $1)",
            "DELETE FROM path_aliases WHERE category IN (SELECT category FROM categories WHERE file_path = $1)",
            "DELETE FROM entries WHERE file_path = $1",
            "DELETE FROM categories WHERE file_path = $1",
            "DELETE FROM files WHERE path = $1",
        ] {
            sqlx::query(stmt).bind(&path).execute(&mut *self.tx).await?;
        }
        Ok(())
    }

    /// Deletes these entries and everything hanging off them.
    pub async fn remove_entries(&mut self, ids: &[i64]) -> Result<()> {
        for chunk in ids.chunks(MAX_BINDS) {
            let list = placeholders(1, chunk.len());
            for table in ["entry_tags", "entry_attach", "path_aliases"] {
                let sql = format!("DELETE FROM {table} WHERE entry_id IN ({list})");
                bind_all(sqlx::query(&sql), chunk)
                    .execute(&mut *self.tx)
                    .await?;
            }
            let sql = format!("DELETE FROM entries WHERE id IN ({list})");
            bind_all(sqlx::query(&sql), chunk)
                .execute(&mut *self.tx)
                .await?;
        }
        Ok(())
    }

    /// Stores new entries (their IDs free: see [`remove_entries`]) with
    /// their tags, attachments and path aliases.
    ///
    /// [`remove_entries`]: Scan::remove_entries
    pub async fn insert_entries(
        &mut self,
        entries: &[(EntryRecord, Vec<AliasRecord>)],
    ) -> Result<()> {
        let rows: Vec<EntryRow> = entries.iter().map(|(e, _)| EntryRow::new(e)).collect();
        insert_rows(
            &mut self.tx,
            "INSERT INTO entries (id, file_path, format, category, status, display_date,
                utc_timestamp, local_date, last_modified, uuid, title, sort_title, slug_text,
                entry_type, redirect_url, canonical_path, auth)",
            "",
            &rows,
            17,
            |q, r| {
                let e = r.entry;
                q.bind(e.id)
                    .bind(&r.file)
                    .bind(r.format)
                    .bind(&e.category)
                    .bind(e.status.as_i64())
                    .bind(&r.display_date)
                    .bind(e.utc_timestamp)
                    .bind(&r.local_date)
                    .bind(&r.last_modified)
                    .bind(&e.uuid)
                    .bind(&e.title)
                    .bind(&e.sort_title)
                    .bind(&e.slug_text)
                    .bind(&e.entry_type)
                    .bind(&e.redirect_url)
                    .bind(&e.canonical_path)
                    .bind(&e.auth)
            },
        )
        .await?;
        let tags = positioned(entries, |e| &e.tags);
        insert_rows(
            &mut self.tx,
            "INSERT INTO entry_tags (entry_id, position, key, name, hidden)",
            "",
            &tags,
            5,
            |q, (id, position, tag)| {
                q.bind(*id)
                    .bind(*position)
                    .bind(&tag.key)
                    .bind(&tag.name)
                    .bind(i64::from(tag.hidden))
            },
        )
        .await?;
        let attach = positioned(entries, |e| &e.attach);
        insert_rows(
            &mut self.tx,
            "INSERT INTO entry_attach (entry_id, position, target)",
            "",
            &attach,
            3,
            |q, (id, position, target)| q.bind(*id).bind(*position).bind(*target),
        )
        .await?;
        for alias in entries.iter().flat_map(|(_, aliases)| aliases) {
            self.put_alias(alias).await?;
        }
        Ok(())
    }

    pub async fn put_category(
        &mut self,
        c: &CategoryRecord,
        aliases: &[AliasRecord],
    ) -> Result<()> {
        sqlx::query("DELETE FROM path_aliases WHERE category = $1")
            .bind(&c.category)
            .execute(&mut *self.tx)
            .await?;
        sqlx::query("DELETE FROM categories WHERE category = $1 OR file_path = $2")
            .bind(&c.category)
            .bind(path_text(&c.file_path))
            .execute(&mut *self.tx)
            .await?;
        sqlx::query(
            "INSERT INTO categories (category, file_path, sort_name, meta) VALUES ($1, $2, $3, $4)",
        )
        .bind(&c.category)
        .bind(path_text(&c.file_path))
        .bind(&c.sort_name)
        .bind(&c.meta)
        .execute(&mut *self.tx)
        .await?;
        for alias in aliases {
            self.put_alias(alias).await?;
        }
        Ok(())
    }

    /// A path has one alias: the latest one stored wins.
    async fn put_alias(&mut self, a: &AliasRecord) -> Result<()> {
        let (entry, category) = match &a.target {
            AliasTarget::Entry(id) => (Some(*id), None),
            AliasTarget::Category(c) => (None, Some(c.as_str())),
        };
        sqlx::query(
            "INSERT INTO path_aliases (path, kind, entry_id, category, template)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (path) DO UPDATE SET kind = excluded.kind, entry_id = excluded.entry_id,
                category = excluded.category, template = excluded.template",
        )
        .bind(&a.path)
        .bind(a.kind as i64)
        .bind(entry)
        .bind(category)
        .bind(a.template.as_deref())
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }
}

/// An entry's columns that are not stored as they are held.
struct EntryRow<'a> {
    entry: &'a EntryRecord,
    file: String,
    format: &'static str,
    display_date: String,
    local_date: String,
    last_modified: Option<String>,
}

impl<'a> EntryRow<'a> {
    fn new(entry: &'a EntryRecord) -> EntryRow<'a> {
        EntryRow {
            entry,
            file: path_text(&entry.file_path),
            format: match entry.format {
                Format::Markdown => "md",
                Format::Html => "html",
            },
            display_date: entry.display_date.to_rfc3339(),
            local_date: entry.local_date.format(LOCAL_DATE_FORMAT).to_string(),
            last_modified: entry.last_modified.map(|d| d.to_rfc3339()),
        }
    }
}

/// `(entry ID, position, item)` for the items `of` each entry, as the
/// tag and attachment tables hold them.
fn positioned<'a, T>(
    entries: &'a [(EntryRecord, Vec<AliasRecord>)],
    of: impl Fn(&'a EntryRecord) -> &'a [T],
) -> Vec<(i64, i64, &'a T)> {
    entries
        .iter()
        .flat_map(|(e, _)| {
            (0..)
                .zip(of(e))
                .map(move |(position, item)| (e.id, position, item))
        })
        .collect()
}

type AnyQuery<'q> = Query<'q, Any, AnyArguments<'q>>;

/// `{head} VALUES (...), (...) {tail}` for `rows`, `width` values a row,
/// as few statements as the bind limit allows.
async fn insert_rows<'r, T>(
    conn: &mut AnyConnection,
    head: &str,
    tail: &str,
    rows: &'r [T],
    width: usize,
    bind: impl for<'q> Fn(AnyQuery<'q>, &'q T) -> AnyQuery<'q>,
) -> Result<()> {
    for chunk in rows.chunks((MAX_BINDS / width).max(1)) {
        let values: Vec<String> = (0..chunk.len())
            .map(|row| format!("({})", placeholders(row * width + 1, width)))
            .collect();
        let sql = format!("{head} VALUES {} {tail}", values.join(", "));
        let mut query = sqlx::query(&sql);
        for row in chunk {
            query = bind(query, row);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// `$first, $first+1, ...`: `count` placeholders.
fn placeholders(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn bind_all<'q>(mut query: AnyQuery<'q>, values: &'q [i64]) -> AnyQuery<'q> {
    for value in values {
        query = query.bind(*value);
    }
    query
}

/// Drops the index tables and creates them empty at this schema version.
async fn recreate(conn: &mut AnyConnection) -> Result<()> {
    for table in TABLES {
        sqlx::query(&format!("DROP TABLE IF EXISTS {table}"))
            .execute(&mut *conn)
            .await?;
    }
    for stmt in CREATE {
        sqlx::query(stmt).execute(&mut *conn).await?;
    }
    write_meta(conn, "schema_version", &SCHEMA_VERSION.to_string()).await
}

async fn read_meta(conn: &mut AnyConnection, key: &str) -> Result<Option<String>> {
    let row = sqlx::query("SELECT value FROM publ_meta WHERE key = $1")
        .bind(key)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(row.map(|r| r.try_get::<String, _>(0)).transpose()?)
}

async fn write_meta(conn: &mut AnyConnection, key: &str, value: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO publ_meta (key, value) VALUES ($1, $2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(key)
    .bind(value)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The file of a `sqlite:` URL, if it names one.
fn sqlite_file(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite:")?;
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
}

fn file_identity(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

/// Deletes a SQLite database with its WAL and shared-memory files.
fn remove_sqlite_files(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        match std::fs::remove_file(&name) {
            Ok(()) => {}
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
            Err(err) => {
                tracing::error!(path = ?name, error = %err, "cannot remove damaged index file")
            }
        }
    }
}

async fn read_generation(conn: &mut AnyConnection) -> Result<i64> {
    Ok(read_meta(conn, "generation")
        .await?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0))
}

fn entry_row(r: &AnyRow, tags: Vec<TagRecord>) -> Result<EntryRecord> {
    let file: String = r.try_get(1)?;
    let format: String = r.try_get(2)?;
    let display: String = r.try_get(5)?;
    let local: String = r.try_get(7)?;
    let modified: Option<String> = r.try_get(8)?;
    let bad = |column, value: &str| StoreError::BadValue {
        column,
        value: value.to_string(),
    };
    Ok(EntryRecord {
        id: r.try_get(0)?,
        file_path: file.into(),
        format: if format == "md" {
            Format::Markdown
        } else {
            Format::Html
        },
        category: r.try_get(3)?,
        status: status(r.try_get(4)?)?,
        display_date: DateTime::parse_from_rfc3339(&display)
            .map_err(|_| bad("display_date", &display))?,
        utc_timestamp: r.try_get(6)?,
        local_date: NaiveDateTime::parse_from_str(&local, LOCAL_DATE_FORMAT)
            .map_err(|_| bad("local_date", &local))?,
        last_modified: match modified {
            None => None,
            Some(m) => {
                Some(DateTime::parse_from_rfc3339(&m).map_err(|_| bad("last_modified", &m))?)
            }
        },
        uuid: r.try_get(9)?,
        title: r.try_get(10)?,
        sort_title: r.try_get(11)?,
        slug_text: r.try_get(12)?,
        entry_type: r.try_get(13)?,
        redirect_url: r.try_get(14)?,
        canonical_path: r.try_get(15)?,
        auth: r.try_get(16)?,
        tags,
        attach: Vec::new(),
    })
}

fn status(value: i64) -> Result<PublishStatus> {
    PublishStatus::from_i64(value).ok_or(StoreError::BadValue {
        column: "status",
        value: value.to_string(),
    })
}

pub(crate) fn path_text(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file_db(dir: &Path) -> Database {
        Database::Url(format!(
            "sqlite://{}?mode=rwc",
            dir.join("index.db").display()
        ))
    }

    async fn one_fingerprint(store: &Store) {
        let mut scan = store.scan().await.unwrap();
        scan.set_fingerprints(&[("a.md".into(), "1,2,3".into())])
            .await
            .unwrap();
        scan.bump_generation().await.unwrap();
        scan.commit().await.unwrap();
    }

    async fn fingerprint_count(store: &Store) -> usize {
        store
            .scan()
            .await
            .unwrap()
            .fingerprints()
            .await
            .unwrap()
            .len()
    }

    // spec Q2: another schema version drops the index (it is rebuilt from
    // the content) and keeps the generation moving forward
    #[tokio::test]
    async fn schema_change_empties_the_index() {
        let dir = tempfile::tempdir().unwrap();
        let db = file_db(dir.path());
        let store = Store::open(&db).await.unwrap();
        one_fingerprint(&store).await;
        let generation = store.generation().await.unwrap();
        assert!(generation > 0);
        let mut conn = store.pool.acquire().await.unwrap();
        write_meta(&mut conn, "schema_version", "1").await.unwrap();
        drop(conn);
        drop(store);

        let store = Store::open(&db).await.unwrap();
        assert_eq!(fingerprint_count(&store).await, 0);
        let mut conn = store.pool.acquire().await.unwrap();
        let version = read_meta(&mut conn, "schema_version").await.unwrap();
        assert_eq!(version, Some(SCHEMA_VERSION.to_string()));
        drop(conn);
        assert_eq!(store.generation().await.unwrap(), generation);
    }

    // A scan dropped without commit changes nothing.
    #[tokio::test]
    async fn unfinished_scans_roll_back() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&file_db(dir.path())).await.unwrap();
        let mut scan = store.scan().await.unwrap();
        scan.set_fingerprints(&[("a.md".into(), "1,2,3".into())])
            .await
            .unwrap();
        drop(scan);
        assert_eq!(fingerprint_count(&store).await, 0);
    }

    // Issue 8 item 6: a file that is not a database is replaced on open.
    #[tokio::test]
    async fn damaged_file_starts_afresh() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("index.db"), vec![0x5a; 8192]).unwrap();
        let store = Store::open(&file_db(dir.path())).await.unwrap();
        one_fingerprint(&store).await;
        assert_eq!(fingerprint_count(&store).await, 1);
        assert!(!store.is_lost());
        std::fs::remove_file(dir.path().join("index.db")).unwrap();
        assert!(store.is_lost());
    }
}

//! The only place with SQL: the index database through sqlx's `Any` driver,
//! so SQLite and PostgreSQL share one query layer.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDateTime};
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, AnyPool, Connection, Row, Transaction};
use tokio::sync::{MappedMutexGuard, Mutex, MutexGuard};

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

#[derive(Debug)]
pub struct Store {
    pool: AnyPool,
    /// While a scan runs, every write goes through its one transaction:
    /// thousands of entries commit once instead of once each.
    batch: Mutex<Option<Transaction<'static, Any>>>,
    /// One scan at a time.
    scanning: Mutex<()>,
}

/// A connection for one store call: the scan's transaction, or one from
/// the pool.
enum Conn<'a> {
    Batch(MappedMutexGuard<'a, Transaction<'static, Any>>),
    Pooled(PoolConnection<Any>),
}

impl std::ops::Deref for Conn<'_> {
    type Target = AnyConnection;

    fn deref(&self) -> &AnyConnection {
        match self {
            Conn::Batch(tx) => tx,
            Conn::Pooled(conn) => conn,
        }
    }
}

impl std::ops::DerefMut for Conn<'_> {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        match self {
            Conn::Batch(tx) => tx,
            Conn::Pooled(conn) => conn,
        }
    }
}

/// A scan under way: its writes are one transaction, committed by
/// [`Scan::commit`] (dropped without it, they are rolled back).
pub struct Scan<'a> {
    store: &'a Store,
    _one_at_a_time: MutexGuard<'a, ()>,
}

impl Scan<'_> {
    pub async fn commit(self) -> Result<()> {
        if let Some(tx) = self.store.batch.lock().await.take() {
            tx.commit().await?;
        }
        Ok(())
    }
}

impl Drop for Scan<'_> {
    fn drop(&mut self) {
        // An unfinished scan's writes are dropped (rolled back) with its
        // transaction.
        if let Ok(mut batch) = self.store.batch.try_lock() {
            batch.take();
        }
    }
}

impl Store {
    pub async fn open(db: &Database) -> Result<Store> {
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
                if conn.backend_name() == "SQLite" {
                    // With WAL, NORMAL syncs at checkpoints rather than on
                    // every commit: a scan's thousands of small commits stop
                    // waiting on the disk. A power cut may lose the latest
                    // commits, never consistency, and the index is rebuilt
                    // from the content files anyway.
                    sqlx::query("PRAGMA synchronous=NORMAL")
                        .execute(&mut *conn)
                        .await?;
                    // A scan's one transaction then stays in memory rather
                    // than spilling pages to the file as it grows (64 MiB).
                    sqlx::query("PRAGMA cache_size=-65536")
                        .execute(&mut *conn)
                        .await?;
                }
                Ok(())
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
        let store = Store {
            pool,
            batch: Mutex::new(None),
            scanning: Mutex::new(()),
        };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> Result<()> {
        for stmt in CREATE {
            sqlx::query(stmt).execute(&self.pool).await?;
        }
        let version: Option<String> = self.meta("schema_version").await?;
        if version.as_deref() != Some(&SCHEMA_VERSION.to_string()) {
            if version.is_some() {
                tracing::info!(
                    found = version.as_deref().unwrap_or(""),
                    want = SCHEMA_VERSION,
                    "index schema changed; rebuilding the index"
                );
            }
            for table in TABLES {
                sqlx::query(&format!("DROP TABLE IF EXISTS {table}"))
                    .execute(&self.pool)
                    .await?;
            }
            for stmt in CREATE {
                sqlx::query(stmt).execute(&self.pool).await?;
            }
            self.set_meta("schema_version", &SCHEMA_VERSION.to_string())
                .await?;
        }
        Ok(())
    }

    /// Starts a scan: waits for any other to finish, then opens the
    /// transaction its writes share.
    pub async fn scan(&self) -> Result<Scan<'_>> {
        let guard = self.scanning.lock().await;
        *self.batch.lock().await = Some(self.pool.begin().await?);
        Ok(Scan {
            store: self,
            _one_at_a_time: guard,
        })
    }

    async fn conn(&self) -> Result<Conn<'_>> {
        let batch = self.batch.lock().await;
        match MutexGuard::try_map(batch, Option::as_mut) {
            Ok(tx) => Ok(Conn::Batch(tx)),
            Err(_) => Ok(Conn::Pooled(self.pool.acquire().await?)),
        }
    }

    async fn meta(&self, key: &str) -> Result<Option<String>> {
        let mut conn = self.conn().await?;
        let row = sqlx::query("SELECT value FROM publ_meta WHERE key = $1")
            .bind(key)
            .fetch_optional(&mut *conn)
            .await?;
        Ok(row.map(|r| r.try_get::<String, _>(0)).transpose()?)
    }

    async fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        let mut conn = self.conn().await?;
        sqlx::query("DELETE FROM publ_meta WHERE key = $1")
            .bind(key)
            .execute(&mut *conn)
            .await?;
        sqlx::query("INSERT INTO publ_meta (key, value) VALUES ($1, $2)")
            .bind(key)
            .bind(value)
            .execute(&mut *conn)
            .await?;
        Ok(())
    }

    /// A counter bumped after every reindex, so other processes sharing the
    /// database can notice a change cheaply.
    pub async fn generation(&self) -> Result<i64> {
        Ok(self
            .meta("generation")
            .await?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0))
    }

    pub async fn bump_generation(&self) -> Result<i64> {
        let next = self.generation().await? + 1;
        self.set_meta("generation", &next.to_string()).await?;
        Ok(next)
    }

    /// Stored fingerprints by file path.
    pub async fn fingerprints(&self) -> Result<HashMap<String, String>> {
        let mut conn = self.conn().await?;
        let rows = sqlx::query("SELECT path, fingerprint FROM files")
            .fetch_all(&mut *conn)
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect()
    }

    pub async fn set_fingerprint(&self, path: &Path, fingerprint: &str) -> Result<()> {
        let mut conn = self.conn().await?;
        sqlx::query(
            "INSERT INTO files (path, fingerprint) VALUES ($1, $2)
             ON CONFLICT (path) DO UPDATE SET fingerprint = excluded.fingerprint",
        )
        .bind(path_text(path))
        .bind(fingerprint)
        .execute(&mut *conn)
        .await?;
        Ok(())
    }

    /// Forgets a file that is gone (or no longer parses): its entries,
    /// their tags and aliases, and the category rows it described.
    pub async fn remove_file(&self, path: &Path) -> Result<()> {
        let mut conn = self.conn().await?;
        let path = path_text(path);
        let mut tx = conn.begin().await?;
        for stmt in [
            "DELETE FROM entry_tags WHERE entry_id IN (SELECT id FROM entries WHERE file_path = $1)",
            "DELETE FROM entry_attach WHERE entry_id IN (SELECT id FROM entries WHERE file_path = $1)",
            "DELETE FROM path_aliases WHERE entry_id IN (SELECT id FROM entries WHERE file_path = $1)",
            "DELETE FROM path_aliases WHERE category IN (SELECT category FROM categories WHERE file_path = $1)",
            "DELETE FROM entries WHERE file_path = $1",
            "DELETE FROM categories WHERE file_path = $1",
            "DELETE FROM files WHERE path = $1",
        ] {
            sqlx::query(stmt).bind(&path).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The file and status of the entry that holds `id`, if any.
    pub async fn entry_owner(&self, id: i64) -> Result<Option<(PathBuf, PublishStatus)>> {
        let mut conn = self.conn().await?;
        let row = sqlx::query("SELECT file_path, status FROM entries WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
        row.map(|r| {
            let path: String = r.try_get(0)?;
            Ok((PathBuf::from(path), status(r.try_get(1)?)?))
        })
        .transpose()
    }

    pub async fn entry_id_for_path(&self, path: &Path) -> Result<Option<i64>> {
        let mut conn = self.conn().await?;
        let row = sqlx::query("SELECT id FROM entries WHERE file_path = $1 ORDER BY id LIMIT 1")
            .bind(path_text(path))
            .fetch_optional(&mut *conn)
            .await?;
        Ok(row.map(|r| r.try_get(0)).transpose()?)
    }

    pub async fn entry_count(&self) -> Result<i64> {
        let mut conn = self.conn().await?;
        let row = sqlx::query("SELECT COUNT(*) FROM entries")
            .fetch_one(&mut *conn)
            .await?;
        Ok(row.try_get(0)?)
    }

    /// Stores an entry and everything hanging off it, replacing any older
    /// row for the same file under another ID.
    pub async fn put_entry(&self, e: &EntryRecord, aliases: &[AliasRecord]) -> Result<()> {
        let mut conn = self.conn().await?;
        let file = path_text(&e.file_path);
        let mut tx = conn.begin().await?;
        for stmt in [
            "DELETE FROM entry_tags WHERE entry_id IN (SELECT id FROM entries WHERE file_path = $1 OR id = $2)",
            "DELETE FROM entry_attach WHERE entry_id IN (SELECT id FROM entries WHERE file_path = $1 OR id = $2)",
            "DELETE FROM path_aliases WHERE entry_id IN (SELECT id FROM entries WHERE file_path = $1 OR id = $2)",
            "DELETE FROM entries WHERE file_path = $1 OR id = $2",
        ] {
            sqlx::query(stmt)
                .bind(&file)
                .bind(e.id)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "INSERT INTO entries (id, file_path, format, category, status, display_date,
                utc_timestamp, local_date, last_modified, uuid, title, sort_title, slug_text,
                entry_type, redirect_url, canonical_path, auth)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
        )
        .bind(e.id)
        .bind(&file)
        .bind(match e.format {
            Format::Markdown => "md",
            Format::Html => "html",
        })
        .bind(&e.category)
        .bind(e.status.as_i64())
        .bind(e.display_date.to_rfc3339())
        .bind(e.utc_timestamp)
        .bind(e.local_date.format(LOCAL_DATE_FORMAT).to_string())
        .bind(e.last_modified.map(|d| d.to_rfc3339()))
        .bind(&e.uuid)
        .bind(&e.title)
        .bind(&e.sort_title)
        .bind(&e.slug_text)
        .bind(&e.entry_type)
        .bind(&e.redirect_url)
        .bind(&e.canonical_path)
        .bind(&e.auth)
        .execute(&mut *tx)
        .await?;
        for (position, tag) in e.tags.iter().enumerate() {
            sqlx::query(
                "INSERT INTO entry_tags (entry_id, position, key, name, hidden) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(e.id)
            .bind(position as i64)
            .bind(&tag.key)
            .bind(&tag.name)
            .bind(tag.hidden as i64)
            .execute(&mut *tx)
            .await?;
            // First spelling wins, later visible spellings that differ from
            // the key replace it (spec section 4 item 17).
            sqlx::query(
                "INSERT INTO tag_names (key, name) VALUES ($1, $2)
                 ON CONFLICT (key) DO UPDATE SET name = excluded.name WHERE $3",
            )
            .bind(&tag.key)
            .bind(&tag.name)
            .bind(tag.name != tag.key && !tag.hidden)
            .execute(&mut *tx)
            .await?;
        }
        for (position, target) in e.attach.iter().enumerate() {
            sqlx::query(
                "INSERT INTO entry_attach (entry_id, position, target) VALUES ($1, $2, $3)",
            )
            .bind(e.id)
            .bind(position as i64)
            .bind(target)
            .execute(&mut *tx)
            .await?;
        }
        for alias in aliases {
            insert_alias(&mut tx, alias).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn put_category(&self, c: &CategoryRecord, aliases: &[AliasRecord]) -> Result<()> {
        let mut conn = self.conn().await?;
        let mut tx = conn.begin().await?;
        sqlx::query("DELETE FROM path_aliases WHERE category = $1")
            .bind(&c.category)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM categories WHERE category = $1 OR file_path = $2")
            .bind(&c.category)
            .bind(path_text(&c.file_path))
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO categories (category, file_path, sort_name, meta) VALUES ($1, $2, $3, $4)",
        )
        .bind(&c.category)
        .bind(path_text(&c.file_path))
        .bind(&c.sort_name)
        .bind(&c.meta)
        .execute(&mut *tx)
        .await?;
        for alias in aliases {
            insert_alias(&mut tx, alias).await?;
        }
        tx.commit().await?;
        Ok(())
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

async fn insert_alias(tx: &mut sqlx::Transaction<'_, sqlx::Any>, a: &AliasRecord) -> Result<()> {
    let (entry, category) = match &a.target {
        AliasTarget::Entry(id) => (Some(*id), None),
        AliasTarget::Category(c) => (None, Some(c.clone())),
    };
    sqlx::query("DELETE FROM path_aliases WHERE path = $1")
        .bind(&a.path)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO path_aliases (path, kind, entry_id, category, template) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&a.path)
    .bind(a.kind as i64)
    .bind(entry)
    .bind(category)
    .bind(a.template.clone())
    .execute(&mut **tx)
    .await?;
    Ok(())
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

fn path_text(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

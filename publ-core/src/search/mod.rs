//! Full-text search (spec O1-O4, E10): a tantivy index in the
//! `search_index` folder, brought in line with the catalog after every scan
//! and queried in Whoosh's query language.
//!
//! catalog -> [`sync`] -> index folder ([`folder`], [`schema`],
//! [`analysis`]) -> [`query`] (in [`syntax`]) -> [`results`] -> the
//! template's `search()`.

pub mod analysis;
pub mod folder;
pub mod query;
pub mod results;
pub mod schema;
pub mod sync;
pub mod syntax;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use folder::OpenIndex;
pub use query::SearchQuery;
pub use results::SearchResults;
pub use sync::SyncReport;

use crate::index::catalog::Catalog;

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index folder {path}: {source}")]
    Folder {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("search index {path}: {source}")]
    Index {
        path: PathBuf,
        source: tantivy::TantivyError,
    },
    #[error("search index task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

/// The search index of one `search_index` folder. Opened by the first sync
/// and reopened by a later one if that failed or the folder went away;
/// until then searches find nothing.
pub struct SearchIndex {
    dir: PathBuf,
    open: RwLock<Option<Arc<OpenIndex>>>,
    /// One sync at a time.
    syncing: Mutex<()>,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "<search index {}>", self.dir.display())
    }
}

impl SearchIndex {
    /// No I/O until the first [`sync`](SearchIndex::sync).
    pub fn new(dir: PathBuf) -> SearchIndex {
        SearchIndex {
            dir,
            open: RwLock::new(None),
            syncing: Mutex::new(()),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn current(&self) -> Option<Arc<OpenIndex>> {
        match self.open.read() {
            Ok(open) => open.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn set_current(&self, open: Option<Arc<OpenIndex>>) {
        match self.open.write() {
            Ok(mut slot) => *slot = open,
            Err(poisoned) => *poisoned.into_inner() = open,
        }
    }

    /// [`sync_blocking`](SearchIndex::sync_blocking) on a blocking thread.
    pub async fn sync(self: &Arc<Self>, catalog: Arc<Catalog>) -> Result<SyncReport, SearchError> {
        let this = self.clone();
        tokio::task::spawn_blocking(move || this.sync_blocking(&catalog)).await?
    }

    /// Opens (creating or rebuilding) the index if need be and brings it in
    /// line with `catalog`.
    pub fn sync_blocking(&self, catalog: &Catalog) -> Result<SyncReport, SearchError> {
        let _one_at_a_time = self.syncing.lock().unwrap_or_else(|p| p.into_inner());
        let open = match self.current().filter(|open| open.still_on_disk()) {
            Some(open) => open,
            None => {
                self.set_current(None);
                let open = Arc::new(OpenIndex::open_or_create(&self.dir)?);
                self.set_current(Some(open.clone()));
                open
            }
        };
        sync::sync(&open, catalog).map_err(|source| SearchError::Index {
            path: self.dir.clone(),
            source,
        })
    }

    /// What `q` finds at `now` (UTC seconds) among the catalog's visible
    /// entries. Never fails: problems are logged and find nothing.
    pub fn search(&self, catalog: &Catalog, q: &SearchQuery, now: i64) -> SearchResults {
        tracing::debug!(?q, "search");
        let Some(open) = self.current() else {
            tracing::warn!(path = %self.dir.display(), "search index not open; no results");
            return SearchResults::default();
        };
        match query::run(&open, q, now) {
            Ok(ids) => SearchResults::from_hits(catalog, &ids),
            Err(err) => {
                tracing::error!(path = %self.dir.display(), query = %q.text, error = %err, "search failed");
                SearchResults::default()
            }
        }
    }
}

#[cfg(test)]
mod tests;

//! A running site: its configuration, index and templates, answering
//! requests from an in-memory snapshot that rescans replace whole.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use crate::auth::{Auth, Identity, User};
use crate::cache::{KeyParts, RenderCache};
use crate::config::{Config, ConfigError, RegexAlias};
use crate::content::status::PublishStatus;
use crate::content::writeback::Rewrite;
use crate::exchange::{Request, Response};
use crate::fsutil::remove_stale_temp_files;
use crate::image::Images;
use crate::index::catalog::Catalog;
use crate::index::indexer::{
    reindex, write_back, HeaderWriteBack, IndexError, Progress, ScanReport,
};
use crate::index::store::{Store, StoreError};
use crate::search::SearchIndex;
use crate::template::resolve::TemplateIndex;

#[derive(Debug, thiserror::Error)]
pub enum SiteError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error("content folder {0} is not a readable folder")]
    NoContent(PathBuf),
}

/// Everything one request reads, consistent with itself.
pub struct Snapshot {
    pub config: Arc<Config>,
    pub tz: chrono_tz::Tz,
    pub catalog: Arc<Catalog>,
    pub templates: Arc<TemplateIndex>,
    /// Kept in line with `catalog` (spec O1).
    pub search: Option<Arc<SearchIndex>>,
    pub env: minijinja::Environment<'static>,
    pub alias_rules: Vec<(regex::Regex, RegexAlias)>,
    /// Kept across rescans: known image files and renders under way.
    pub images: Arc<Images>,
    /// Pages rendered from this snapshot; a new snapshot starts empty.
    pub cache: Option<Arc<dyn RenderCache>>,
    /// When each scheduled entry comes due, in order (spec A11).
    schedule: Vec<i64>,
    /// Logins, when the site has them (spec N1).
    pub auth: Option<Arc<Auth>>,
}

/// The parts of a configuration that can be wrong, checked before the
/// configuration touches the index or replaces a running one.
#[derive(Clone)]
pub(crate) struct Checked {
    pub tz: chrono_tz::Tz,
    pub alias_rules: Vec<(regex::Regex, RegexAlias)>,
}

pub(crate) fn check_config(config: &Config) -> Result<Checked, SiteError> {
    let invalid = |message: String| ConfigError::Invalid {
        path: config.root.clone(),
        message,
    };
    let tz = config.timezone()?;
    let mut alias_rules = Vec::new();
    for rule in &config.path_alias_regex {
        let re = rule.regex().map_err(|e| invalid(e.to_string()))?;
        alias_rules.push((re, rule.clone()));
    }
    let content = config.content_dir();
    if !content.is_dir() {
        return Err(SiteError::NoContent(content));
    }
    Ok(Checked { tz, alias_rules })
}

impl SiteError {
    /// Whether the index database file is damaged.
    pub fn is_corruption(&self) -> bool {
        match self {
            SiteError::Store(err) | SiteError::Index(IndexError::Store(err)) => err.is_corruption(),
            _ => false,
        }
    }
}

impl Snapshot {
    fn checked(&self) -> Checked {
        Checked {
            tz: self.tz,
            alias_rules: self.alias_rules.clone(),
        }
    }

    /// How many scheduled entries have come due by `now`: listings change
    /// exactly when this does.
    pub fn due(&self, now: i64) -> usize {
        self.schedule.partition_point(|t| *t <= now)
    }

    fn build(
        config: Arc<Config>,
        checked: Checked,
        catalog: Arc<Catalog>,
        images: Arc<Images>,
        search: Option<Arc<SearchIndex>>,
    ) -> Snapshot {
        let template_dir = config.template_dir();
        let mut schedule: Vec<i64> = catalog
            .entries()
            .iter()
            .filter(|e| e.status == PublishStatus::Scheduled)
            .map(|e| e.utc_timestamp)
            .collect();
        schedule.sort_unstable();
        Snapshot {
            cache: crate::cache::for_config(&config),
            auth: Auth::from_config(&config, &config.root).map(Arc::new),
            schedule,
            tz: checked.tz,
            catalog,
            search,
            templates: Arc::new(TemplateIndex::scan(
                &template_dir,
                &config.template_mimetypes,
            )),
            env: crate::template::env::build(&template_dir),
            alias_rules: checked.alias_rules,
            config,
            images,
        }
    }
}

/// Temp files of a write-back at least this old were left by a writer
/// that was killed; an instance starting up removes them.
const STALE_TEMP_AGE: std::time::Duration = std::time::Duration::from_secs(600);

pub struct Site {
    /// Replaced when the database file is lost or corrupted under us.
    store: Mutex<Arc<Store>>,
    state: RwLock<Arc<Snapshot>>,
    /// Scans, reloads and refreshes, one at a time.
    maintenance: tokio::sync::Mutex<()>,
    /// Scans under way (spec C16).
    reindexing: AtomicUsize,
    progress: Option<Progress>,
    header_writes: HeaderWriteBack,
    /// What the first scan assigned, for [`Site::write_back_pending`].
    pending: Mutex<Vec<Rewrite>>,
}

/// What a rescan looks at, and what it reloads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ScanKind {
    /// Changed files; templates are read afresh.
    Changed,
    /// Every file; templates are read afresh.
    Force,
    /// Changed content files; the rest is reloaded only if the index
    /// changed.
    ContentOnly,
}

/// Counts a scan as under way for as long as it lives.
struct Scanning<'a>(&'a AtomicUsize);

impl<'a> Scanning<'a> {
    fn start(counter: &'a AtomicUsize) -> Scanning<'a> {
        counter.fetch_add(1, Ordering::SeqCst);
        Scanning(counter)
    }
}

impl Drop for Scanning<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Site {
    /// Opens the index, brings it up to date with the content folder and
    /// loads the templates.
    pub async fn open(config: Config) -> Result<Site, SiteError> {
        let site = Site::open_with_progress(config, None).await?;
        site.write_back_pending().await?;
        Ok(site)
    }

    /// [`open`](Site::open), telling `progress` how every scan goes, that
    /// returns as soon as the index is ready: the headers the first scan
    /// assigned are left for [`write_back_pending`](Site::write_back_pending).
    pub async fn open_with_progress(
        config: Config,
        progress: Option<Progress>,
    ) -> Result<Site, SiteError> {
        Site::open_with(config, progress, HeaderWriteBack::On).await
    }

    /// [`open`](Site::open) for a look that leaves the disk exactly as it
    /// is (`publ normalize --dry-run`): the index is kept in memory, no
    /// search index is kept, and the IDs, UUIDs and dates the scan assigns
    /// stay in the index instead of being written back into entry files.
    pub async fn open_read_only(mut config: Config) -> Result<Site, SiteError> {
        config.database = Some(":memory:".to_string());
        config.search_index = None;
        Site::open_with(config, None, HeaderWriteBack::Off).await
    }

    async fn open_with(
        config: Config,
        progress: Option<Progress>,
        header_writes: HeaderWriteBack,
    ) -> Result<Site, SiteError> {
        let checked = check_config(&config)?;
        let content = config.content_dir();
        if header_writes == HeaderWriteBack::On {
            let leftovers = content.clone();
            let removed = tokio::task::spawn_blocking(move || {
                remove_stale_temp_files(&leftovers, STALE_TEMP_AGE)
            })
            .await
            .unwrap_or(0);
            if removed > 0 {
                tracing::info!(removed, "removed temp files an interrupted write-back left");
            }
        }
        let store = Arc::new(Store::open(&config.database()).await?);
        let tz = checked.tz;
        let (store, report, rewrites) =
            scan(store, &config, tz, false, header_writes, progress.as_ref()).await?;
        tracing::info!(
            ?report,
            pending_write_backs = rewrites.len(),
            "index up to date"
        );
        let catalog = Arc::new(Catalog::new(
            store.load().await?,
            store.generation().await?,
            &content,
        ));
        let images = Arc::new(Images::new(&config));
        let search = config
            .search_index_dir()
            .map(|dir| Arc::new(SearchIndex::new(dir)));
        sync_search(search.as_ref(), &catalog).await;
        let snapshot = Snapshot::build(Arc::new(config), checked, catalog, images, search);
        Ok(Site {
            store: Mutex::new(store),
            state: RwLock::new(Arc::new(snapshot)),
            maintenance: tokio::sync::Mutex::new(()),
            reindexing: AtomicUsize::new(0),
            progress,
            header_writes,
            pending: Mutex::new(rewrites),
        })
    }

    /// Writes the headers the first scan assigned (IDs, UUIDs, dates) into
    /// their entry files, which [`open`](Site::open) leaves for later so
    /// the site serves as soon as its index is ready; returns how many
    /// files were rewritten. The live loop does this first thing; a rescan
    /// would too. Until then the pages show those files without the
    /// headers, and a restart reads them again.
    pub async fn write_back_pending(&self) -> Result<usize, SiteError> {
        let _one = self.maintenance.lock().await;
        self.finish_write_backs().await
    }

    async fn finish_write_backs(&self) -> Result<usize, SiteError> {
        let rewrites = std::mem::take(&mut *self.pending.lock().unwrap_or_else(|p| p.into_inner()));
        if rewrites.is_empty() {
            return Ok(0);
        }
        let written = write_back(&self.store(), rewrites, self.progress.as_ref()).await?;
        if written > 0 {
            let current = self.snapshot();
            let generation = self.store().generation().await?;
            self.reload_with(
                current.config.clone(),
                current.checked(),
                current.images.clone(),
                generation,
            )
            .await?;
        }
        Ok(written)
    }

    pub fn snapshot(&self) -> Arc<Snapshot> {
        match self.state.read() {
            Ok(s) => s.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    pub fn config(&self) -> Arc<Config> {
        self.snapshot().config.clone()
    }

    fn store(&self) -> Arc<Store> {
        match self.store.lock() {
            Ok(s) => s.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn swap(&self, snapshot: Snapshot) {
        let mut state = match self.state.write() {
            Ok(s) => s,
            Err(poisoned) => poisoned.into_inner(),
        };
        *state = Arc::new(snapshot);
    }

    /// Rescans the content folder (all files when `force`) and serves the
    /// result from the next request on; templates are read afresh.
    pub async fn reindex(&self, force: bool) -> Result<ScanReport, SiteError> {
        let _one = self.maintenance.lock().await;
        let current = self.snapshot();
        let kind = if force {
            ScanKind::Force
        } else {
            ScanKind::Changed
        };
        self.update(
            current.config.clone(),
            current.checked(),
            current.images.clone(),
            kind,
        )
        .await
    }

    /// Rescans for content changes only, right after a complete scan: the
    /// site keeps its snapshot (and its cached pages) when the index did
    /// not change, and missing pages stay 404 meanwhile.
    pub async fn catch_up(&self) -> Result<ScanReport, SiteError> {
        let _one = self.maintenance.lock().await;
        let current = self.snapshot();
        self.update(
            current.config.clone(),
            current.checked(),
            current.images.clone(),
            ScanKind::ContentOnly,
        )
        .await
    }

    /// Takes a new configuration (templates are read afresh) and rescans.
    /// A configuration that cannot work is refused before the index is
    /// touched, and the site goes on as it was.
    pub async fn reload(&self, config: Config) -> Result<ScanReport, SiteError> {
        let checked = check_config(&config)?;
        let _one = self.maintenance.lock().await;
        let config = Arc::new(config);
        let images = Arc::new(Images::new(&config));
        self.update(config, checked, images, ScanKind::Changed)
            .await
    }

    /// Serves what the index holds now if another process (`publ reindex`,
    /// an instance sharing the database) changed it since this one last
    /// looked; returns whether it had. One small query when nothing changed.
    pub async fn refresh(&self) -> Result<bool, SiteError> {
        let _one = self.maintenance.lock().await;
        let current = self.snapshot();
        let changed = match self.store().generation().await {
            Ok(generation) => generation != current.catalog.generation,
            // Rebuilt by the scan below.
            Err(err) if err.is_corruption() => true,
            Err(err) => return Err(err.into()),
        };
        if changed {
            self.update(
                current.config.clone(),
                current.checked(),
                current.images.clone(),
                ScanKind::Changed,
            )
            .await?;
        }
        Ok(changed)
    }

    /// Scans with `config` and serves the result. A database found damaged
    /// on the way (SQLite's CORRUPT or NOTADB) is replaced by a new one,
    /// rebuilt from the content, whose files carry every entry's ID.
    async fn update(
        &self,
        config: Arc<Config>,
        checked: Checked,
        images: Arc<Images>,
        scan: ScanKind,
    ) -> Result<ScanReport, SiteError> {
        self.finish_write_backs().await?;
        let first = self
            .scan_and_load(config.clone(), checked.clone(), images.clone(), scan)
            .await;
        match first {
            Err(err) if err.is_corruption() => {
                tracing::error!(error = %err, "the index database is damaged; rebuilding it from the content");
                self.store().discard().await?;
                let store = Arc::new(Store::open(&config.database()).await?);
                *self.store.lock().unwrap_or_else(|p| p.into_inner()) = store;
                self.scan_and_load(config, checked, images, scan).await
            }
            done => done,
        }
    }

    async fn scan_and_load(
        &self,
        config: Arc<Config>,
        checked: Checked,
        images: Arc<Images>,
        kind: ScanKind,
    ) -> Result<ScanReport, SiteError> {
        // Until the new snapshot serves (spec C16). A catch-up rescan
        // follows a complete scan: what is missing now is missing.
        let _scanning = (kind != ScanKind::ContentOnly).then(|| Scanning::start(&self.reindexing));
        let (store, mut report, rewrites) = scan(
            self.store(),
            &config,
            checked.tz,
            kind == ScanKind::Force,
            self.header_writes,
            self.progress.as_ref(),
        )
        .await?;
        // A rescan serves nothing before its files are rewritten.
        report.written_back = write_back(&store, rewrites, self.progress.as_ref()).await?;
        let generation = store.generation().await?;
        *self.store.lock().unwrap_or_else(|p| p.into_inner()) = store;
        if kind == ScanKind::ContentOnly && generation == self.snapshot().catalog.generation {
            return Ok(report);
        }
        self.reload_with(config, checked, images, generation)
            .await?;
        Ok(report)
    }

    /// Whether a scan is under way.
    pub fn is_reindexing(&self) -> bool {
        self.reindexing.load(Ordering::SeqCst) > 0
    }

    /// Serves the index at `generation` (loaded again only if it moved)
    /// with `config`'s templates.
    async fn reload_with(
        &self,
        config: Arc<Config>,
        checked: Checked,
        images: Arc<Images>,
        generation: i64,
    ) -> Result<(), SiteError> {
        let store = self.store();
        let current = self.snapshot();
        // An unchanged index keeps its catalog (and search index as it is).
        let unchanged = generation == current.catalog.generation
            && config.content_dir() == current.config.content_dir();
        let catalog = if unchanged {
            current.catalog.clone()
        } else {
            Arc::new(Catalog::new(
                store.load().await?,
                generation,
                &config.content_dir(),
            ))
        };
        // The same folder keeps its index; another one gets its own.
        let search = match (config.search_index_dir(), &current.search) {
            (Some(dir), Some(current)) if current.dir() == dir => Some(current.clone()),
            (dir, _) => dir.map(|dir| Arc::new(SearchIndex::new(dir))),
        };
        if !unchanged
            || search.as_ref().map(Arc::as_ptr) != current.search.as_ref().map(Arc::as_ptr)
        {
            sync_search(search.as_ref(), &catalog).await;
        }
        self.swap(Snapshot::build(config, checked, catalog, images, search));
        Ok(())
    }

    /// Deletes renditions not used for `image_cache_age` seconds (and the
    /// cached pages, which may point at them).
    pub fn expire_renditions(&self) -> usize {
        let snapshot = self.snapshot();
        let age = std::time::Duration::from_secs(snapshot.config.image_cache_age);
        let removed = snapshot.images.expire(age);
        if let (true, Some(cache)) = (removed > 0, &snapshot.cache) {
            cache.clear();
        }
        removed
    }

    /// The cache key of `req` by `user` in `snapshot` at `now`, with the
    /// cache it belongs in; `None` when the request is not cacheable.
    fn cache_slot<'s>(
        snapshot: &'s Snapshot,
        req: &Request,
        now: i64,
        user: Option<&User>,
    ) -> Option<(&'s Arc<dyn RenderCache>, String)> {
        let cache = snapshot.cache.as_ref()?;
        let user_key = user.map(User::cache_key);
        let parts = KeyParts {
            state: snapshot.catalog.generation as u64,
            due: snapshot.due(now),
            user: user_key.as_deref(),
        };
        crate::cache::key(&parts, req).map(|key| (cache, key))
    }

    /// The answer to `req` when the render cache has it: cheap enough for
    /// an event loop, unlike [`render`](Site::render).
    pub fn cached(&self, req: &Request) -> Option<Response> {
        let snapshot = self.snapshot();
        let now = chrono::Utc::now().timestamp();
        // Refused credentials are answered afresh each time.
        let user = identify(&snapshot, req, now).ok()?;
        let (cache, key) = Site::cache_slot(&snapshot, req, now, user.as_deref())?;
        let hit = cache.get(&key)?;
        Some(Site::deliver(&snapshot, req, user.is_some(), hit))
    }

    /// Answers one request, from the render cache when it can. Never
    /// panics: a bug in rendering is a logged 500.
    pub fn render(&self, req: &Request) -> Response {
        let snapshot = self.snapshot();
        let now = chrono::Utc::now().timestamp();
        let reindexing = self.is_reindexing();
        let identity = identify(&snapshot, req, now);
        let user = identity.as_ref().ok().cloned().flatten();
        let cached = identity
            .as_ref()
            .ok()
            .and_then(|user| Site::cache_slot(&snapshot, req, now, user.as_deref()));
        if let Some((cache, key)) = &cached {
            if let Some(hit) = cache.get(key) {
                return Site::deliver(&snapshot, req, user.is_some(), hit);
            }
        }
        let pending_before = snapshot.images.pending_issued();
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            crate::respond::respond(&snapshot, req, now, reindexing, identity)
        }));
        // A page pointing at renditions still to be made changes once they
        // are (another request's pending URL only costs a cache miss).
        let pending = snapshot.images.pending_issued() != pending_before;
        let response = result.unwrap_or_else(|_| {
            tracing::error!(path = %req.path, "request handler panicked");
            Response::new(
                500,
                "text/plain; charset=utf-8",
                "500 Internal Server Error",
            )
        });
        // A page rendered mid-scan may be missing what the scan brings
        // (spec P3).
        if let Some((cache, key)) = cached {
            if !reindexing && !pending && crate::cache::storable(&response) {
                cache.put(key, response.clone());
            }
        }
        Site::deliver(&snapshot, req, user.is_some(), response)
    }

    /// A page on its way out: marked for whom it is, then answered with a
    /// 304 if the client has it.
    fn deliver(
        snapshot: &Snapshot,
        req: &Request,
        logged_in: bool,
        response: Response,
    ) -> Response {
        let response = crate::respond::for_whom(snapshot.auth.is_some(), logged_in, response);
        crate::respond::conditional(req, response)
    }
}

/// Who sends `req`: nobody when the site has no logins.
fn identify(snapshot: &Snapshot, req: &Request, now: i64) -> Identity {
    match &snapshot.auth {
        Some(auth) => auth.identify(req, now),
        None => Ok(None),
    }
}

/// Empties the index of `config`'s site (`publ reindex --fresh`): the next
/// scan parses every file as if for the first time.
pub async fn clear_index(config: &Config) -> Result<(), SiteError> {
    Store::open(&config.database()).await?.clear().await?;
    Ok(())
}

/// Brings the index up to date with the content folder. A database file
/// that is gone is created afresh and rebuilt from the content (the files
/// hold every ID); the store that did the scan is returned.
async fn scan(
    store: Arc<Store>,
    config: &Config,
    tz: chrono_tz::Tz,
    force: bool,
    header_writes: HeaderWriteBack,
    progress: Option<&Progress>,
) -> Result<(Arc<Store>, ScanReport, Vec<Rewrite>), SiteError> {
    let content = config.content_dir();
    let store = if store.is_lost() {
        tracing::error!("the index database file is gone; rebuilding it from the content");
        Arc::new(Store::open(&config.database()).await?)
    } else {
        store
    };
    let (report, rewrites) = reindex(&store, &content, tz, force, header_writes, progress).await?;
    Ok((store, report, rewrites))
}

/// Brings the search index in line with a new catalog. A failure is logged
/// and leaves the site serving (searches find what the index still has, or
/// nothing); the next scan tries again.
async fn sync_search(search: Option<&Arc<SearchIndex>>, catalog: &Arc<Catalog>) {
    let Some(search) = search else {
        return;
    };
    match search.sync(catalog.clone()).await {
        Ok(report) => {
            tracing::info!(?report, path = %search.dir().display(), "search index up to date")
        }
        Err(err) => tracing::error!(error = %err, "search index not updated"),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn tiny_site() -> (tempfile::TempDir, Site) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("content")).unwrap();
        std::fs::create_dir_all(dir.path().join("templates")).unwrap();
        std::fs::write(
            dir.path().join("content/a.md"),
            "Title: A\nEntry-ID: 1\nDate: 2024-01-01\n\nx\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("templates/index.html"), "ok").unwrap();
        let mut config = Config::parse(
            "database = \":memory:\"\ntimezone = \"UTC\"",
            Path::new("publ.toml"),
        )
        .unwrap();
        config.root = dir.path().to_path_buf();
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let site = runtime.block_on(Site::open(config)).unwrap();
        (dir, site)
    }

    #[test]
    fn missing_pages_are_503_while_reindexing() {
        // spec C16
        let (_dir, site) = tiny_site();
        assert_eq!(site.render(&Request::get("/nope")).status, 404);
        let scanning = Scanning::start(&site.reindexing);
        let r = site.render(&Request::get("/nope"));
        assert_eq!(r.status, 503);
        assert_eq!(r.header("Retry-After"), Some("5"));
        assert!(r
            .header("Cache-Control")
            .is_some_and(|c| c.contains("no-store")));
        // Pages that exist still answer.
        assert_eq!(site.render(&Request::get("/")).status, 200);
        drop(scanning);
        assert_eq!(site.render(&Request::get("/nope")).status, 404);
    }
}

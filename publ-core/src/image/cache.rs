//! The rendition cache under `static/_img` (spec M23-M25): URLs for what
//! is rendered, signed `/_img/` URLs for what is not, rendering on first
//! fetch (once per file, on a bounded number of threads) and expiry.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, SystemTime};

use super::args::Args;
use super::lookup::Probe;
use super::rendition::{render_to, Plan, SourceInfo};
use super::signed::Signer;
use super::ImageError;
use crate::config::Config;
use crate::fsutil::{fingerprint, Fingerprint};

/// Site-wide image state: shared by every snapshot of a running site.
pub struct Images {
    roots: Vec<PathBuf>,
    /// The site folder: asset names hash paths relative to it, as Publ's
    /// (relative) configured folders make them.
    site_root: PathBuf,
    content_dir: PathBuf,
    cache_dir: PathBuf,
    cache_url: String,
    static_url_path: String,
    signer: Signer,
    probes: Mutex<HashMap<PathBuf, (Fingerprint, Probe)>>,
    assets: Mutex<HashMap<String, PathBuf>>,
    slots: Slots,
    rendering: Mutex<HashMap<PathBuf, Arc<Mutex<()>>>>,
    /// `/_img/` URLs handed out so far: a page that got one changes once
    /// the rendition exists, so the render cache must not keep it.
    pending_issued: std::sync::atomic::AtomicU64,
}

impl Images {
    pub fn new(config: &Config) -> Images {
        let static_dir = config.static_dir();
        let subdir = config.image_output_subdir.trim_matches('/').to_string();
        let threads = config
            .image_render_threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, usize::from));
        Images {
            site_root: config
                .root
                .canonicalize()
                .unwrap_or_else(|_| config.root.clone()),
            roots: [config.content_dir(), config.template_dir()]
                .into_iter()
                .filter_map(|p| p.canonicalize().ok())
                .collect(),
            content_dir: config
                .content_dir()
                .canonicalize()
                .unwrap_or_else(|_| config.content_dir()),
            cache_dir: static_dir.join(&subdir),
            cache_url: subdir,
            static_url_path: config.static_url_path.clone(),
            signer: Signer::new(config.secret_key.as_deref()),
            probes: Mutex::new(HashMap::new()),
            assets: Mutex::new(HashMap::new()),
            slots: Slots::new(threads.max(1)),
            rendering: Mutex::new(HashMap::new()),
            pending_issued: Default::default(),
        }
    }

    pub fn static_url_path(&self) -> &str {
        &self.static_url_path
    }

    pub fn content_dir(&self) -> &Path {
        &self.content_dir
    }

    /// Image files may come from the content and template folders only.
    pub fn allowed(&self, path: &Path) -> Option<PathBuf> {
        let real = path.canonicalize().ok()?;
        self.roots
            .iter()
            .any(|root| real.starts_with(root))
            .then_some(real)
    }

    /// What a file is (image facts or asset name), read once per version.
    pub fn probe(&self, path: &Path) -> Option<Probe> {
        let fp = fingerprint(path).ok()?;
        if let Some((known, probe)) = lock(&self.probes).get(path) {
            if *known == fp {
                return Some(probe.clone());
            }
        }
        let content = std::fs::read(path).ok()?;
        let name = path.file_name()?.to_string_lossy().into_owned();
        let probe = match SourceInfo::from_bytes(&name, &content) {
            Ok(info) => Probe::Image(Arc::new(info)),
            // An image we would decode but cannot read (damaged, or over the
            // decoder's size limits) is an error, not a download.
            Err(err) if super::rendition::is_decodable_format(&content) => {
                tracing::error!(path = %path.display(), error = %err, "unreadable image");
                Probe::Broken(err.to_string())
            }
            Err(_) => Probe::Asset(self.asset_name(path)?),
        };
        lock(&self.probes).insert(path.to_path_buf(), (fp, probe.clone()));
        Some(probe)
    }

    /// `/_file/` name of a non-image file (spec M27):
    /// `md5(path)[:5]/<shortest unique prefix of the content md5>/<name>`.
    fn asset_name(&self, path: &Path) -> Option<String> {
        use md5::{Digest, Md5};
        let checksum = super::rendition::source_checksum(path).ok()?;
        let rel = path.strip_prefix(&self.site_root).unwrap_or(path);
        let folder: String = format!("{:x}", Md5::digest(rel.to_string_lossy().as_bytes()))
            .chars()
            .take(5)
            .collect();
        let basename = path.file_name()?.to_string_lossy().into_owned();
        let mut assets = lock(&self.assets);
        let mut prefix = String::new();
        for digit in checksum.chars().cycle().take(checksum.len() * 2) {
            prefix.push(digit);
            let name = format!("{folder}/{prefix}/{basename}");
            match assets.get(&name) {
                Some(other) if other != path => continue,
                _ => {
                    assets.insert(name.clone(), path.to_path_buf());
                    return Some(name);
                }
            }
        }
        None
    }

    /// The file behind a `/_file/` name. Names are handed out as pages
    /// mention files; after a restart a bookmarked name is found again by
    /// probing the content files with its basename.
    pub fn asset(&self, name: &str) -> Option<PathBuf> {
        if let Some(path) = lock(&self.assets).get(name) {
            return Some(path.clone());
        }
        let basename = name.rsplit('/').next()?;
        for entry in walkdir::WalkDir::new(&self.content_dir)
            .into_iter()
            .flatten()
            .filter(|e| e.file_type().is_file() && e.file_name().to_string_lossy() == basename)
        {
            if let Some(real) = self.allowed(entry.path()) {
                self.probe(&real);
            }
        }
        lock(&self.assets).get(name).cloned()
    }

    /// The cached file for a plan.
    fn cached(&self, plan: &Plan) -> PathBuf {
        self.cache_dir.join(&plan.rel_path)
    }

    /// The static-folder path of a rendered file, for its URL.
    pub fn static_file(&self, plan: &Plan) -> String {
        format!("{}/{}", self.cache_url, plan.rel_path)
    }

    /// Whether the rendition exists; a hit is touched so expiry keeps it.
    pub fn is_rendered(&self, plan: &Plan) -> bool {
        let path = self.cached(plan);
        if !path.is_file() {
            return false;
        }
        if let Ok(file) = std::fs::File::options().append(true).open(&path) {
            let _ = file.set_modified(SystemTime::now());
        }
        true
    }

    /// How many `/_img/` URLs have been handed out (see `pending_issued`).
    pub fn pending_issued(&self) -> u64 {
        self.pending_issued
            .load(std::sync::atomic::Ordering::SeqCst)
    }

    /// `/_img/<token>` for a rendition still to be made.
    pub fn pending_path(&self, source: &Path, output_scale: f64, args: &Args) -> String {
        self.pending_issued
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let rel = source.strip_prefix(&self.content_dir).unwrap_or(source);
        format!(
            "/_img/{}",
            self.signer
                .sign(&rel.to_string_lossy(), output_scale, &args.rendition_only())
        )
    }

    /// Reads a `/_img/` token back: the source file, scale and arguments.
    pub fn open_token(&self, token: &str) -> Result<(PathBuf, f64, Args), TokenError> {
        let (rel, scale, args) = self.signer.open(token).ok_or(TokenError::BadSignature)?;
        let source = self
            .allowed(&self.content_dir.join(rel))
            .ok_or(TokenError::Missing)?;
        Ok((source, scale, args))
    }

    /// Renders `plan` from `source` unless it exists; concurrent requests
    /// for one file wait for a single render.
    pub fn render(&self, source: &Path, plan: &Plan) -> Result<(), ImageError> {
        let dest = self.cached(plan);
        let gate = lock(&self.rendering)
            .entry(dest.clone())
            .or_insert_with(|| Arc::new(Mutex::new(())))
            .clone();
        let result = {
            let _one = lock(&gate);
            if dest.is_file() {
                Ok(())
            } else {
                let _slot = self.slots.take();
                tracing::info!(source = %source.display(), rendition = %dest.display(), "rendering");
                render_to(source, plan, &dest).map_err(ImageError::from)
            }
        };
        lock(&self.rendering).remove(&dest);
        result
    }

    /// Deletes renditions unused for `max_age` and empty folders (M25).
    pub fn expire(&self, max_age: Duration) -> usize {
        let threshold = SystemTime::now() - max_age;
        let mut removed = 0;
        for entry in walkdir::WalkDir::new(&self.cache_dir)
            .contents_first(true)
            .into_iter()
            .flatten()
        {
            let path = entry.path();
            if entry.file_type().is_dir() {
                // Only succeeds when empty.
                let _ = std::fs::remove_dir(path);
                continue;
            }
            let stale = entry
                .metadata()
                .ok()
                .and_then(|m| m.modified().ok())
                .is_some_and(|t| t < threshold);
            if stale && std::fs::remove_file(path).is_ok() {
                tracing::info!(path = %path.display(), "expired stale rendition");
                removed += 1;
            }
        }
        removed
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("invalid image request")]
    BadSignature,
    #[error("source image not found")]
    Missing,
}

/// A counting semaphore: at most `image_render_threads` renders at once.
struct Slots {
    free: Mutex<usize>,
    freed: Condvar,
}

struct Slot<'a>(&'a Slots);

impl Slots {
    fn new(n: usize) -> Slots {
        Slots {
            free: Mutex::new(n),
            freed: Condvar::new(),
        }
    }

    fn take(&self) -> Slot<'_> {
        let mut free = lock(&self.free);
        while *free == 0 {
            free = match self.freed.wait(free) {
                Ok(f) => f,
                Err(poisoned) => poisoned.into_inner(),
            };
        }
        *free -= 1;
        Slot(self)
    }
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        *lock(&self.0.free) += 1;
        self.0.freed.notify_one();
    }
}

/// A poisoned lock only means another render panicked; the data is plain.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    }
}

impl std::fmt::Debug for Images {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Images")
            .field("cache_dir", &self.cache_dir)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_drops_old_renditions_and_empty_folders() {
        // spec M25
        let dir = tempfile::tempdir().expect("tempdir");
        let config = Config {
            root: dir.path().to_path_buf(),
            ..Config::default()
        };
        let images = Images::new(&config);
        let cache = dir.path().join("static/_img");
        let old = cache.join("ab/cdef/old_1234.jpg");
        let fresh = cache.join("12/3456/fresh_5678.jpg");
        for file in [&old, &fresh] {
            std::fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
            std::fs::write(file, b"x").expect("write");
        }
        let long_ago = SystemTime::now() - Duration::from_secs(7200);
        std::fs::File::options()
            .append(true)
            .open(&old)
            .and_then(|f| f.set_modified(long_ago))
            .expect("set mtime");
        assert_eq!(images.expire(Duration::from_secs(3600)), 1);
        assert!(!old.exists() && !cache.join("ab").exists());
        assert!(fresh.exists());
    }
}

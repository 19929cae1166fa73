//! The render cache (spec P1-P3): finished responses kept in memory, keyed
//! as Publ keys its memoized renders, so a page is rendered once per site
//! state rather than once per request.
//!
//! A key names everything a page can depend on: the site state it was
//! rendered from (every reload or rescan starts a new one), how many
//! scheduled entries had come due (so they appear on time), the user, and
//! the request (method, scheme, host, prefix, path, query, `Accept`).
//! Nothing else needs invalidating: a changed site is a new state.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::config::Config;
use crate::exchange::{Request, Response};

/// Where rendered responses are kept. In memory for one instance; a shared
/// store (Redis, say) for several can implement the same.
pub trait RenderCache: Send + Sync {
    fn get(&self, key: &str) -> Option<Response>;
    fn put(&self, key: String, response: Response);
    /// Drops everything (the site changed).
    fn clear(&self);
}

/// Flask-Caching's settings in the `cache` table, as far as they apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheSettings {
    /// `CACHE_TYPE = "NullCache"` (or `"null"`) turns caching off.
    pub enabled: bool,
    /// `CACHE_DEFAULT_TIMEOUT` (Flask-Caching's default 300 s; 0 keeps
    /// entries until they are evicted or the site changes).
    pub timeout: Option<Duration>,
    /// `CACHE_THRESHOLD`: most responses kept (default 500, as SimpleCache).
    pub threshold: usize,
    /// `CACHE_MAX_BYTES` (ours): most body bytes kept, 64 MiB by default.
    pub max_bytes: u64,
}

impl CacheSettings {
    pub fn from_config(config: &Config) -> CacheSettings {
        let table = &config.cache;
        let int = |key: &str| table.get(key).and_then(|v| v.as_integer());
        let kind = table
            .get("CACHE_TYPE")
            .and_then(|v| v.as_str())
            .unwrap_or("SimpleCache");
        CacheSettings {
            enabled: !matches!(kind.to_ascii_lowercase().as_str(), "null" | "nullcache"),
            timeout: match int("CACHE_DEFAULT_TIMEOUT") {
                Some(t) if t <= 0 => None,
                Some(t) => Some(Duration::from_secs(t as u64)),
                None => Some(Duration::from_secs(300)),
            },
            threshold: int("CACHE_THRESHOLD").map_or(500, |t| t.max(1) as usize),
            max_bytes: int("CACHE_MAX_BYTES").map_or(64 << 20, |b| b.max(0) as u64),
        }
    }
}

/// What a key is made of, apart from the request: the site state and the
/// clock's effect on it.
pub struct KeyParts<'a> {
    /// Changes whenever the site is reloaded or rescanned.
    pub state: u64,
    /// Scheduled entries whose time has come.
    pub due: usize,
    /// The logged-in user and groups; `None` for anonymous visitors.
    pub user: Option<&'a str>,
}

/// The key of a cacheable request, or `None` for one that must not be
/// cached (anything but GET/HEAD).
pub fn key(parts: &KeyParts, req: &Request) -> Option<String> {
    if req.method != "GET" && req.method != "HEAD" {
        return None;
    }
    // \u{1f} (unit separator) cannot appear in a request line or header.
    Some(format!(
        "{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}://{}{}{}?{}\u{1f}{}",
        parts.state,
        parts.due,
        parts.user.unwrap_or(""),
        req.method,
        req.scheme,
        req.host,
        req.script_root,
        req.path,
        req.query,
        req.header("Accept").unwrap_or(""),
    ))
}

/// Whether a response may be kept for others: a full page, not marked
/// private or uncacheable, held in memory.
pub fn storable(response: &Response) -> bool {
    response.status == 200
        && matches!(response.body, crate::exchange::Body::Bytes(_))
        && !response.header("Cache-Control").is_some_and(|cc| {
            cc.split(',')
                .map(str::trim)
                .any(|d| d == "private" || d == "no-store")
        })
}

/// One instance's cache: least recently used responses go first once the
/// count or byte bound is reached; expired ones are dropped when read.
pub struct MemoryCache {
    entries: quick_cache::sync::Cache<String, Stored, BodyWeight>,
    timeout: Option<Duration>,
}

#[derive(Clone)]
struct Stored {
    response: Response,
    at: Instant,
}

/// Weighs a response by its body (plus a little for the key and headers),
/// so the byte bound means what it says.
#[derive(Clone)]
struct BodyWeight;

impl quick_cache::Weighter<String, Stored> for BodyWeight {
    fn weight(&self, key: &String, value: &Stored) -> u64 {
        let headers: usize = value
            .response
            .headers
            .iter()
            .map(|(k, v)| k.len() + v.len())
            .sum();
        (key.len() + headers + value.response.bytes().len() + 64) as u64
    }
}

impl MemoryCache {
    pub fn new(settings: &CacheSettings) -> MemoryCache {
        MemoryCache {
            entries: quick_cache::sync::Cache::with_weighter(
                settings.threshold,
                settings.max_bytes,
                BodyWeight,
            ),
            timeout: settings.timeout,
        }
    }
}

impl RenderCache for MemoryCache {
    fn get(&self, key: &str) -> Option<Response> {
        let stored = self.entries.get(key)?;
        if self.timeout.is_some_and(|t| stored.at.elapsed() >= t) {
            self.entries.remove(key);
            return None;
        }
        Some(stored.response)
    }

    fn put(&self, key: String, response: Response) {
        let at = Instant::now();
        self.entries.insert(key, Stored { response, at });
    }

    fn clear(&self) {
        self.entries.clear();
    }
}

/// Builds the cache a configuration asks for.
pub fn for_config(config: &Config) -> Option<Arc<dyn RenderCache>> {
    let settings = CacheSettings::from_config(config);
    settings
        .enabled
        .then(|| Arc::new(MemoryCache::new(&settings)) as Arc<dyn RenderCache>)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(toml: &str) -> CacheSettings {
        let config = Config {
            cache: toml.parse().expect("toml"),
            ..Config::default()
        };
        CacheSettings::from_config(&config)
    }

    #[test]
    fn flask_caching_keys_are_read() {
        let default = settings("");
        assert!(default.enabled);
        assert_eq!(default.timeout, Some(Duration::from_secs(300)));
        assert_eq!(default.threshold, 500);
        let set = settings("CACHE_TYPE = \"NullCache\"\nCACHE_DEFAULT_TIMEOUT = 0\nCACHE_THRESHOLD = 9\nCACHE_MAX_BYTES = 1000");
        assert!(!set.enabled);
        assert_eq!(set.timeout, None);
        assert_eq!((set.threshold, set.max_bytes), (9, 1000));
    }

    #[test]
    fn keys_name_the_state_the_user_and_the_request() {
        let parts = KeyParts {
            state: 7,
            due: 2,
            user: None,
        };
        let mut req = Request::get("/blog/?page=2");
        let plain = key(&parts, &req).expect("GET is cacheable");
        req.headers
            .push(("Accept".into(), "application/json".into()));
        assert_ne!(key(&parts, &req), Some(plain.clone()));
        let later = KeyParts { due: 3, ..parts };
        assert_ne!(key(&later, &Request::get("/blog/?page=2")), Some(plain));
        req.method = "POST".into();
        assert_eq!(key(&parts, &req), None);
    }

    #[test]
    fn private_and_failed_responses_are_not_stored() {
        let page = Response::new(200, "text/html", "x");
        assert!(storable(&page));
        assert!(!storable(&Response::new(404, "text/html", "x")));
        assert!(!storable(
            &page.with_header("Cache-Control", "private, no-store")
        ));
    }

    #[test]
    fn entries_expire_and_the_byte_bound_holds() {
        let cache = MemoryCache::new(&CacheSettings {
            enabled: true,
            timeout: Some(Duration::from_millis(50)),
            threshold: 100,
            max_bytes: 10_000,
        });
        cache.put("a".into(), Response::new(200, "text/html", "page"));
        assert!(cache.get("a").is_some());
        std::thread::sleep(Duration::from_millis(60));
        assert!(cache.get("a").is_none(), "expired");
        for i in 0..50 {
            cache.put(
                format!("big{i}"),
                Response::new(200, "text/html", vec![b'x'; 1000]),
            );
        }
        let kept = (0..50)
            .filter(|i| cache.get(&format!("big{i}")).is_some())
            .count();
        assert!(
            kept < 10,
            "{kept} responses of 1 kB kept under a 10 kB bound"
        );
    }
}

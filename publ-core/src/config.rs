//! `publ.toml` -> [`Config`]. Keys are Publ's own configuration names (spec
//! section S) so an `app.py` translates line by line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Every key Publ's `config.py` knows, plus `database` (our spelling of
/// `database_config` for a file path or URL).
const KNOWN_KEYS: &[&str] = &[
    "database",
    "database_config",
    "index_rescan_interval",
    "index_wait_time",
    "index_enable_watchdog",
    "content_folder",
    "template_folder",
    "static_folder",
    "static_url_path",
    "image_output_subdir",
    "image_cache_interval",
    "image_cache_age",
    "image_render_threads",
    "timezone",
    "cache",
    "layout",
    "markdown_extensions",
    "auth",
    "user_list",
    "admin_group",
    "auth_log_prune_interval",
    "auth_log_prune_age",
    "ticket_lifetime",
    "token_lifetime",
    "refresh_token_lifetime",
    "search_index",
    "secret_key",
    "template_mimetypes",
    "path_alias_regex",
];

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid config {path}: {message}")]
    Invalid { path: PathBuf, message: String },
}

/// A regex path-alias rule: the equivalent of Publ's `app.path_alias_regex`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegexAlias {
    pub pattern: String,
    /// Target URL; `\1`.. refer to the pattern's groups, `{path}` to the
    /// request path.
    pub target: String,
    #[serde(default)]
    pub permanent: bool,
}

/// A `path_alias_regex` pattern the regex engine rejects.
#[derive(Debug, thiserror::Error)]
#[error("path_alias_regex {pattern:?}: {source}")]
pub struct BadAliasPattern {
    pub pattern: String,
    pub source: regex::Error,
}

impl RegexAlias {
    pub fn regex(&self) -> Result<regex::Regex, BadAliasPattern> {
        regex::Regex::new(&self.pattern).map_err(|source| BadAliasPattern {
            pattern: self.pattern.clone(),
            source,
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct Config {
    /// `:memory:`, a SQLite file path (relative to the site folder) or a
    /// `sqlite:`/`postgres:` URL.
    pub database: Option<String>,
    pub database_config: Option<toml::Table>,
    pub index_rescan_interval: u64,
    pub index_wait_time: f64,
    pub index_enable_watchdog: bool,
    pub content_folder: PathBuf,
    pub template_folder: PathBuf,
    pub static_folder: PathBuf,
    pub static_url_path: String,
    pub image_output_subdir: String,
    pub image_cache_interval: u64,
    pub image_cache_age: u64,
    pub image_render_threads: Option<usize>,
    pub timezone: Option<String>,
    pub cache: toml::Table,
    pub layout: toml::Table,
    pub markdown_extensions: Vec<String>,
    pub auth: toml::Table,
    pub user_list: PathBuf,
    pub admin_group: String,
    pub auth_log_prune_interval: u64,
    pub auth_log_prune_age: u64,
    pub ticket_lifetime: u64,
    pub token_lifetime: u64,
    pub refresh_token_lifetime: u64,
    pub search_index: Option<PathBuf>,
    pub secret_key: Option<String>,
    pub template_mimetypes: BTreeMap<String, String>,
    pub path_alias_regex: Vec<RegexAlias>,

    /// The site folder every relative path above is resolved against.
    #[serde(skip)]
    pub root: PathBuf,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            database: None,
            database_config: None,
            index_rescan_interval: 7200,
            index_wait_time: 1.0,
            index_enable_watchdog: true,
            content_folder: "content".into(),
            template_folder: "templates".into(),
            static_folder: "static".into(),
            static_url_path: "/static".into(),
            image_output_subdir: "_img".into(),
            image_cache_interval: 3600,
            image_cache_age: 86400 * 30,
            image_render_threads: None,
            timezone: None,
            cache: toml::Table::new(),
            layout: toml::Table::new(),
            markdown_extensions: crate::markup::extensions::DEFAULT_NAMES
                .iter()
                .map(|s| s.to_string())
                .collect(),
            auth: toml::Table::new(),
            user_list: "users.cfg".into(),
            admin_group: "admin".into(),
            auth_log_prune_interval: 3600,
            auth_log_prune_age: 86400 * 30,
            ticket_lifetime: 60,
            token_lifetime: 86400 * 30,
            refresh_token_lifetime: 86400 * 90,
            search_index: None,
            secret_key: None,
            template_mimetypes: BTreeMap::new(),
            path_alias_regex: Vec::new(),
            root: PathBuf::from("."),
        }
    }
}

/// Where the index lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    Memory,
    Url(String),
}

impl Config {
    /// Loads `SITE/publ.toml` (or `config_file` when given); a missing
    /// `publ.toml` means all defaults.
    pub fn load(site: &Path, config_file: Option<&Path>) -> Result<Config, ConfigError> {
        let (path, required) = match config_file {
            Some(p) => (p.to_path_buf(), true),
            None => (site.join("publ.toml"), false),
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(source) => return Err(ConfigError::Read { path, source }),
        };
        let mut config = Self::parse(&text, &path)?;
        config.root = site.to_path_buf();
        Ok(config)
    }

    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let invalid = |message: String| ConfigError::Invalid {
            path: path.to_path_buf(),
            message,
        };
        let table: toml::Table = toml::from_str(text).map_err(|e| invalid(e.to_string()))?;
        for key in table.keys() {
            if !KNOWN_KEYS.contains(&key.as_str()) {
                tracing::warn!(config = %path.display(), key = %key, "unknown configuration key ignored");
            }
        }
        let mut config: Config = table
            .try_into()
            .map_err(|e: toml::de::Error| invalid(e.to_string()))?;
        if !config.static_url_path.starts_with('/') {
            config.static_url_path.insert(0, '/');
        }
        while config.static_url_path.len() > 1 && config.static_url_path.ends_with('/') {
            config.static_url_path.pop();
        }
        config.timezone()?;
        for rule in &config.path_alias_regex {
            rule.regex().map_err(|e| invalid(e.to_string()))?;
        }
        Ok(config)
    }

    pub fn content_dir(&self) -> PathBuf {
        self.root.join(&self.content_folder)
    }

    pub fn template_dir(&self) -> PathBuf {
        self.root.join(&self.template_folder)
    }

    pub fn static_dir(&self) -> PathBuf {
        self.root.join(&self.static_folder)
    }

    /// The full-text search folder; `None` (no search) when unset or empty,
    /// as in Publ (spec O1).
    pub fn search_index_dir(&self) -> Option<PathBuf> {
        self.search_index
            .as_ref()
            .filter(|dir| !dir.as_os_str().is_empty())
            .map(|dir| self.root.join(dir))
    }

    /// The site's time zone (`timezone`), used for generated dates; the
    /// machine's zone when unset, as in Publ.
    pub fn timezone(&self) -> Result<chrono_tz::Tz, ConfigError> {
        let name = match &self.timezone {
            Some(name) => name.clone(),
            None => local_zone_name(),
        };
        name.parse().map_err(|_| ConfigError::Invalid {
            path: self.root.clone(),
            message: format!("unknown timezone {name:?}"),
        })
    }

    /// The index database: `database`, else `database_config` as Publ's
    /// PonyORM dict, else `SITE/index.db`.
    pub fn database(&self) -> Database {
        let from_pony = || {
            let cfg = self.database_config.as_ref()?;
            let provider = cfg.get("provider")?.as_str()?;
            match provider {
                "sqlite" => cfg.get("filename")?.as_str().map(str::to_string),
                "postgres" => {
                    let get = |k: &str| cfg.get(k).and_then(|v| v.as_str()).unwrap_or("");
                    Some(format!(
                        "postgres://{}@{}/{}",
                        get("user"),
                        get("host"),
                        get("database")
                    ))
                }
                _ => None,
            }
        };
        let spec = self.database.clone().or_else(from_pony);
        match spec.as_deref() {
            None => Database::Url(sqlite_url(&self.root.join("index.db"))),
            Some(":memory:") | Some("sqlite::memory:") => Database::Memory,
            Some(s) if s.contains("://") || s.starts_with("sqlite:") => Database::Url(s.into()),
            Some(file) => Database::Url(sqlite_url(&self.root.join(file))),
        }
    }
}

fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}?mode=rwc", path.display())
}

/// The machine's own time zone (UTC when it cannot be told).
pub fn local_timezone() -> chrono_tz::Tz {
    local_zone_name().parse().unwrap_or(chrono_tz::UTC)
}

fn local_zone_name() -> String {
    if let Ok(tz) = std::env::var("TZ") {
        if !tz.is_empty() {
            return tz.trim_start_matches(':').to_string();
        }
    }
    std::fs::read_link("/etc/localtime")
        .ok()
        .and_then(|target| {
            let s = target.to_string_lossy().into_owned();
            s.split("zoneinfo/").nth(1).map(str::to_string)
        })
        .unwrap_or_else(|| "UTC".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_publs() {
        // spec S5-S8
        let c = Config::parse("", Path::new("publ.toml")).unwrap();
        assert_eq!(c.content_folder, PathBuf::from("content"));
        assert_eq!(c.static_url_path, "/static");
        assert_eq!(c.index_rescan_interval, 7200);
    }

    #[test]
    fn keys_use_publ_names() {
        let c = Config::parse(
            "timezone = \"US/Pacific\"\nstatic_url_path = \"assets/\"\n[template_mimetypes]\n\".foo\" = \"text/foo\"\n",
            Path::new("publ.toml"),
        )
        .unwrap();
        assert_eq!(c.timezone().unwrap(), chrono_tz::US::Pacific);
        assert_eq!(c.static_url_path, "/assets");
        assert_eq!(c.template_mimetypes[".foo"], "text/foo");
    }

    #[test]
    fn bad_values_are_errors_with_the_path() {
        let err = Config::parse("timezone = \"Mars/Olympus\"", Path::new("x.toml")).unwrap_err();
        assert!(err.to_string().contains("Mars/Olympus"));
        let err = Config::parse("content_folder = 3", Path::new("x.toml")).unwrap_err();
        assert!(err.to_string().contains("x.toml"));
    }

    #[test]
    fn database_locations() {
        let mut c = Config {
            root: "/site".into(),
            ..Config::default()
        };
        assert_eq!(
            c.database(),
            Database::Url("sqlite:///site/index.db?mode=rwc".into())
        );
        c.database = Some(":memory:".into());
        assert_eq!(c.database(), Database::Memory);
        c.database = Some("postgres://u@h/db".into());
        assert_eq!(c.database(), Database::Url("postgres://u@h/db".into()));
    }

    #[test]
    fn search_index_is_relative_to_the_site() {
        // spec O1
        let mut c = Config {
            root: "/site".into(),
            ..Config::default()
        };
        assert_eq!(c.search_index_dir(), None);
        c.search_index = Some("".into());
        assert_eq!(c.search_index_dir(), None);
        c.search_index = Some("_index".into());
        assert_eq!(c.search_index_dir(), Some(PathBuf::from("/site/_index")));
    }
}

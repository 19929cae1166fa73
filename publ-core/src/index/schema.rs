//! The index schema: one list of statements, one version number. A version
//! mismatch drops everything and rebuilds from the content (spec Q2).

/// Bump on any change below.
pub const SCHEMA_VERSION: i64 = 2;

pub const TABLES: &[&str] = &[
    "files",
    "entries",
    "entry_tags",
    "entry_attach",
    "tag_names",
    "categories",
    "path_aliases",
];

/// Portable SQL (SQLite and PostgreSQL): BIGINT for integers and booleans,
/// TEXT for everything else, `$n` placeholders in queries.
pub const CREATE: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS publ_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, fingerprint TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS entries (
        id BIGINT PRIMARY KEY,
        file_path TEXT NOT NULL,
        format TEXT NOT NULL,
        category TEXT NOT NULL,
        status BIGINT NOT NULL,
        display_date TEXT NOT NULL,
        utc_timestamp BIGINT NOT NULL,
        local_date TEXT NOT NULL,
        last_modified TEXT,
        uuid TEXT NOT NULL,
        title TEXT NOT NULL,
        sort_title TEXT NOT NULL,
        slug_text TEXT NOT NULL,
        entry_type TEXT NOT NULL,
        redirect_url TEXT NOT NULL,
        canonical_path TEXT NOT NULL,
        auth TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS entries_by_file ON entries (file_path)",
    "CREATE TABLE IF NOT EXISTS entry_tags (
        entry_id BIGINT NOT NULL,
        position BIGINT NOT NULL,
        key TEXT NOT NULL,
        name TEXT NOT NULL,
        hidden BIGINT NOT NULL,
        PRIMARY KEY (entry_id, position))",
    "CREATE TABLE IF NOT EXISTS entry_attach (
        entry_id BIGINT NOT NULL,
        position BIGINT NOT NULL,
        target TEXT NOT NULL,
        PRIMARY KEY (entry_id, position))",
    "CREATE TABLE IF NOT EXISTS tag_names (key TEXT PRIMARY KEY, name TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS categories (
        category TEXT PRIMARY KEY,
        file_path TEXT NOT NULL,
        sort_name TEXT NOT NULL,
        meta TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS path_aliases (
        path TEXT PRIMARY KEY,
        kind BIGINT NOT NULL,
        entry_id BIGINT,
        category TEXT,
        template TEXT)",
];

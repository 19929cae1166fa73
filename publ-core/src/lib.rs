//! Publ, the file-based web publishing system: content files, the index,
//! views, Markdown and templates. No HTTP here: a server (or any program)
//! hands [`Site::render`] a [`Request`] and sends back the [`Response`].
//!
//! Data flows one way: files ([`content`]) -> [`index`] -> [`view`] ->
//! [`template`] -> [`respond`]ed page; the full-text [`search`] index is
//! kept from the index's catalog and read by templates. [`check`] runs the
//! first steps (parsing content files and templates) with no index, to
//! report what a site would reject before it is served. [`normalize`]
//! renames entry files after the index's facts about them.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // A site of one entry and one template, in a scratch folder.
//! let site_dir = std::env::temp_dir().join(format!("publ-doc-{}", std::process::id()));
//! std::fs::create_dir_all(site_dir.join("content"))?;
//! std::fs::create_dir_all(site_dir.join("templates"))?;
//! std::fs::write(site_dir.join("content/hello.md"), "Title: Hello\nEntry-ID: 1\nDate: 2024-01-02\n\nHi *there*.\n")?;
//! std::fs::write(site_dir.join("templates/index.html"), "{% for e in view.entries %}{{ e.title }}: {{ e.body }}{% endfor %}")?;
//! std::fs::write(site_dir.join("publ.toml"), "database = \":memory:\"\ntimezone = \"UTC\"\n")?;
//!
//! let config = publ_core::Config::load(&site_dir, None)?;
//! let runtime = tokio::runtime::Runtime::new()?;
//! let site = runtime.block_on(publ_core::Site::open(config))?;
//! let response = site.render(&publ_core::Request::get("/"));
//! assert_eq!(response.status, 200);
//! assert!(String::from_utf8_lossy(response.bytes()).contains("Hello: <p>Hi <em>there</em>.</p>"));
//! # std::fs::remove_dir_all(&site_dir)?;
//! # Ok(())
//! # }
//! ```

pub mod access;
pub mod auth;
pub mod cache;
pub mod check;
pub mod config;
pub mod content;
pub mod exchange;
pub mod fsutil;
pub mod image;
pub mod index;
pub mod live;
pub mod markup;
pub mod normalize;
pub mod parallel;
pub mod respond;
pub mod routing;
pub mod search;
pub mod site;
pub mod template;
pub mod urls;
pub mod view;

pub use config::Config;
pub use exchange::{Body, Request, Response};
pub use site::{Site, SiteError};

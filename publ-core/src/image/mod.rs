//! Images in entries and templates (spec M): finding the file, sizing its
//! renditions, the markup around them, and rendering a pending rendition
//! when its signed URL is first fetched.
//!
//! Data flows one way: a spec (`photo.jpg{320,240}`) -> [`args`] ->
//! [`lookup`] finds an [`Image`] -> [`rendition`] plans the files ->
//! [`markup`] writes the tags; [`cache`] knows what is already rendered and
//! renders the rest on request.

pub mod args;
pub mod cache;
pub mod lookup;
pub mod markup;
pub mod rendition;
pub mod set;
mod signed;

use std::path::PathBuf;
use std::sync::Arc;

pub use args::Args;
pub use cache::Images;
pub use lookup::Image;

use crate::urls::UrlBase;

#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    /// Publ's `FileNotFoundError`: shown as "Image not found" markup.
    #[error("image not found: {0}")]
    NotFound(String),
    #[error(transparent)]
    Args(#[from] rendition::ArgError),
    #[error(transparent)]
    Rendition(#[from] rendition::RenditionError),
    #[error("cannot read image {name}: {reason}")]
    Unreadable { name: String, reason: String },
    #[error("bad image spec {spec:?}: {message}")]
    Spec { spec: String, message: String },
}

/// Where one page looks for images and how it writes their URLs.
#[derive(Clone)]
pub struct Scope {
    pub images: Arc<Images>,
    /// Folders searched in order for relative names (spec M1).
    pub search_path: Vec<PathBuf>,
    pub base: UrlBase,
    /// The request URL, for making relative link targets absolute.
    pub request_url: String,
}

impl std::fmt::Debug for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scope")
            .field("search_path", &self.search_path)
            .finish_non_exhaustive()
    }
}

impl Scope {
    /// The image a name refers to from this page (spec M1, M2).
    pub fn image(&self, path: &str) -> Image {
        lookup::find(self, path)
    }

    /// `static/<file>` as a URL.
    pub fn static_url(&self, file: &str, absolute: bool) -> String {
        crate::urls::static_url(&self.base, self.images.static_url_path(), file, absolute)
    }

    /// A path under the site as a URL (`/_img/...`, `/_file/...`, `/_`).
    pub fn site_url(&self, path: &str, absolute: bool) -> String {
        self.base.link(path, absolute)
    }

    /// Publ's `remap_link_target`: `@static` files, and anything made
    /// absolute against the request URL when asked.
    pub fn remap_link(&self, target: &str, absolute: bool) -> String {
        if let Some(file) = target.strip_prefix('@') {
            return self.static_url(file, absolute);
        }
        if absolute {
            return crate::urls::join(&self.request_url, target);
        }
        target.to_string()
    }
}

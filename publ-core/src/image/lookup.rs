//! From a name in an entry or template to an image (spec M1, M2, M27).

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use super::rendition::SourceInfo;
use super::Scope;

/// What a file turned out to be when first looked at.
#[derive(Debug, Clone)]
pub enum Probe {
    Image(Arc<SourceInfo>),
    /// Not an image: served under `/_file/<name>`.
    Asset(String),
    /// An image file that cannot be read, and why.
    Broken(String),
}

#[derive(Debug, Clone)]
pub enum Image {
    /// A file in the content (or template) folder that we render.
    Local {
        path: PathBuf,
        info: Arc<SourceInfo>,
    },
    /// `@path`: a file in the static folder, used as is.
    Static(String),
    /// `//host/...` or `scheme://...`.
    Remote(String),
    /// A local file that is not an image (`/_file/` name).
    Asset(String),
    NotFound(String),
    /// A damaged or oversized image: shown as an error.
    Broken {
        name: String,
        reason: String,
    },
}

pub fn find(scope: &Scope, name: &str) -> Image {
    if let Some(file) = name.strip_prefix('@') {
        return Image::Static(file.to_string());
    }
    if name.starts_with("//") || name.contains("://") {
        return Image::Remote(name.to_string());
    }
    let candidates: Vec<PathBuf> = match name.strip_prefix('/') {
        Some(rel) => vec![scope.images.content_dir().join(normalize(Path::new(rel)))],
        None => scope
            .search_path
            .iter()
            .map(|dir| normalize(&dir.join(name)))
            .collect(),
    };
    let found = candidates
        .iter()
        .filter(|c| c.is_file())
        .find_map(|c| scope.images.allowed(c).map(|real| (c.clone(), real)));
    let Some((_, real)) = found else {
        return Image::NotFound(name.to_string());
    };
    match scope.images.probe(&real) {
        Some(Probe::Image(info)) => Image::Local { path: real, info },
        Some(Probe::Asset(asset)) => Image::Asset(asset),
        Some(Probe::Broken(reason)) => Image::Broken {
            name: name.to_string(),
            reason,
        },
        None => Image::NotFound(name.to_string()),
    }
}

/// `os.path.normpath`: `..` undoes the folder before it, lexically.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

impl Image {
    /// The file name shown as default alt text.
    pub fn filename(&self) -> String {
        let last = |s: &str| {
            let path = s.split(['?', '#']).next().unwrap_or(s);
            path.rsplit('/').next().unwrap_or(path).to_string()
        };
        match self {
            Image::Local { path, .. } => path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            Image::Static(p) | Image::Remote(p) | Image::Asset(p) | Image::NotFound(p) => last(p),
            Image::Broken { name, .. } => last(name),
        }
    }
}

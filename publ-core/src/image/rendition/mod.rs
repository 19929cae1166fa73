//! Local image renditions: the core of Publ's `publ/image/local.py`
//! (spec M2–M11, M24; section 4 items 12–13).
//!
//! Flow: [`SourceInfo::read`] once per source file (Publ keeps these facts
//! in its index) → [`renditions`] (or [`plan`] for one density) to get the
//! sizes and cache paths for markup → [`render_to`] when a rendition is
//! first requested. Planning never touches pixels, so markup stays cheap
//! and deferred rendering (spec M23) can replay the same plan later.

mod args;
mod color;
mod name;
mod pipeline;
mod plan;
mod quantize;
mod size;
mod source;

use std::path::{Path, PathBuf};

pub use args::{
    ArgError, Background, Crop, RenditionArgs, ResizeMode, ScaleFilter, RENDITION_KEYS,
};
pub use color::parse_color;
pub use name::{checksum_bytes, source_checksum, split_ext, RENDITION_VERSION};
pub use pipeline::{render_bytes, render_to, write_atomic};
pub use plan::{plan, renditions, Flatten, OutputFormat, Plan, Renditions, ResizeOp};
pub use size::{crop_scale, rendition_size, CropScale, SizeSpec};
pub use source::{is_decodable_format, SourceInfo};

/// Everything that can go wrong between arguments and a written file.
#[derive(Debug, thiserror::Error)]
pub enum RenditionError {
    #[error(transparent)]
    Arg(#[from] ArgError),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// Not JPEG/PNG/GIF/WebP content (Publ treats such files as assets).
    #[error("not a supported image format")]
    UnsupportedSource,
    /// The output extension has no encoder here (Pillow knows more formats).
    #[error("unsupported output format {0:?}")]
    UnsupportedOutput(String),
    #[error("cannot decode image: {0}")]
    Decode(String),
    #[error("cannot encode image: {0}")]
    Encode(String),
    /// A crop box outside the image; Pillow fails the same way.
    #[error("box {source_box:?} exceeds the {width}x{height} image")]
    BoxOutOfBounds {
        source_box: [u32; 4],
        width: u32,
        height: u32,
    },
    #[error("image processing panicked")]
    Panic,
}

impl RenditionError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        Self::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    pub(crate) fn decode(e: image::ImageError) -> Self {
        Self::Decode(e.to_string())
    }

    pub(crate) fn encode(e: image::ImageError) -> Self {
        Self::Encode(e.to_string())
    }
}

//! Facts about a source image that Publ records in its index (spec M2):
//! orientation-corrected size, "transparent", and the checksum that keys
//! the rendition cache.

use std::io::Cursor;
use std::path::Path;

use image::metadata::Orientation;
use image::{ImageDecoder, ImageFormat, ImageReader};

use super::name::{checksum_bytes, split_ext};
use super::RenditionError;

/// What Publ's `_get_asset` stores for an image, plus what the pipeline
/// needs to repeat Pillow's mode-dependent decisions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceInfo {
    /// Width after EXIF orientation (Publ measures after `fix_orientation`).
    pub width: u32,
    /// Height after EXIF orientation.
    pub height: u32,
    /// Publ's `image.mode in ('RGBA', 'LA', 'P', 'PA', 'RGBa', 'La')`. Every
    /// paletted image counts, with or without transparency, so all GIFs and
    /// indexed PNGs get flattened when saved as JPEG.
    pub transparent: bool,
    /// Pillow mode `P` (spec M10: re-quantized to 256 colours for
    /// palette-capable output). Informational: planning does not use it,
    /// the renderer re-checks the file.
    pub paletted: bool,
    /// Format detected from the content (Pillow ignores the extension).
    /// Informational: planning goes by the file extension, as Publ does.
    pub format: ImageFormat,
    /// File name without extension, before slugifying.
    pub stem: String,
    /// Extension from the file name as Python's `splitext` gives it (leading
    /// dot, original case); the default output extension.
    pub ext: String,
    /// Publ's checksum (see [`super::name::source_checksum`]).
    pub checksum: String,
}

impl SourceInfo {
    /// Reads the file once (for the checksum) and parses only the headers.
    /// Errors mean "not an image this build can handle"; Publ then serves
    /// the file as an asset.
    pub fn read(path: &Path) -> Result<Self, RenditionError> {
        let content = std::fs::read(path).map_err(|source| RenditionError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        Self::from_bytes(&file_name, &content)
    }

    /// [`SourceInfo::read`] for content already in memory.
    pub fn from_bytes(file_name: &str, content: &[u8]) -> Result<Self, RenditionError> {
        let format = detect_format(content)?;
        let mut decoder = ImageReader::with_format(Cursor::new(content), format)
            .into_decoder()
            .map_err(RenditionError::decode)?;
        let (raw_w, raw_h) = decoder.dimensions();
        check_pixels(raw_w, raw_h)?;
        // Pillow's fix_orientation ignores unreadable EXIF; so do we.
        let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
        let (width, height) = if swaps_axes(orientation) {
            (raw_h, raw_w)
        } else {
            (raw_w, raw_h)
        };

        let paletted = is_paletted(content);
        let transparent = paletted
            || match format {
                // Colour types 4 (LA) and 6 (RGBA). The image crate expands
                // tRNS into alpha, but Pillow keeps such images L/RGB.
                ImageFormat::Png => matches!(png_color_type(content), Some(4 | 6)),
                // Pillow opens WebP as RGBA exactly when the bitstream has
                // alpha.
                ImageFormat::WebP => decoder.color_type().has_alpha(),
                _ => false,
            };

        let (stem, ext) = split_ext(file_name);
        Ok(Self {
            width,
            height,
            transparent,
            paletted,
            format,
            stem: stem.to_string(),
            ext: ext.to_string(),
            checksum: checksum_bytes(content),
        })
    }
}

/// Pillow's decompression-bomb limit (twice `MAX_IMAGE_PIXELS`): larger
/// images are refused before any pixel is decoded.
pub const MAX_PIXELS: u64 = 178_956_970;

pub(crate) fn check_pixels(width: u32, height: u32) -> Result<(), RenditionError> {
    let pixels = u64::from(width) * u64::from(height);
    if pixels > MAX_PIXELS {
        return Err(RenditionError::Decode(format!(
            "image size ({pixels} pixels) exceeds limit of {MAX_PIXELS} pixels, could be decompression bomb"
        )));
    }
    Ok(())
}

/// Whether the content is in a format this build decodes (whether or not
/// it decodes cleanly).
pub fn is_decodable_format(content: &[u8]) -> bool {
    detect_format(content).is_ok()
}

/// Content sniffing limited to the formats this build decodes.
pub(crate) fn detect_format(content: &[u8]) -> Result<ImageFormat, RenditionError> {
    match image::guess_format(content) {
        Ok(f @ (ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::Gif | ImageFormat::WebP)) => {
            Ok(f)
        }
        _ => Err(RenditionError::UnsupportedSource),
    }
}

/// Whether Pillow would open the content in mode `P`: every GIF, and PNGs
/// of colour type 3. The image crate expands palettes while decoding, so
/// this looks at the header instead.
pub(crate) fn is_paletted(content: &[u8]) -> bool {
    match image::guess_format(content) {
        Ok(ImageFormat::Gif) => true,
        Ok(ImageFormat::Png) => png_color_type(content) == Some(3),
        _ => false,
    }
}

/// Orientations 5–8 rotate by a quarter turn.
pub(crate) fn swaps_axes(orientation: Orientation) -> bool {
    matches!(
        orientation,
        Orientation::Rotate90
            | Orientation::Rotate270
            | Orientation::Rotate90FlipH
            | Orientation::Rotate270FlipH
    )
}

/// The IHDR colour type byte: signature (8) + length (4) + "IHDR" (4) +
/// width (4) + height (4) + bit depth (1).
fn png_color_type(content: &[u8]) -> Option<u8> {
    if content.get(12..16)? != b"IHDR" {
        return None;
    }
    content.get(25).copied()
}

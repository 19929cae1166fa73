//! Turning arguments into a concrete rendition: output format, pipeline
//! steps and cache name (`_get_rendition`, `_build_pipeline`,
//! `_get_renditions`; spec M7–M11, M24).

use super::args::{Background, RenditionArgs, ScaleFilter};
use super::name::{cache_rel_path, checksum_tail, join_parts};
use super::size::crop_scale;
use super::source::SourceInfo;
use super::RenditionError;

/// Encoders available in this build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    Jpeg,
    Png,
    Gif,
    WebP,
}

impl OutputFormat {
    /// Pillow picks the encoder from the file extension (with its dot),
    /// case-insensitively.
    pub fn from_ext(ext: &str) -> Option<Self> {
        match ext.to_ascii_lowercase().as_str() {
            ".jpg" | ".jpeg" | ".jpe" | ".jfif" => Some(Self::Jpeg),
            ".png" => Some(Self::Png),
            ".gif" => Some(Self::Gif),
            ".webp" => Some(Self::WebP),
            _ => None,
        }
    }
}

/// Publ's extension classes (`TRANSPARENCY_FORMATS` etc.).
///
/// FIX: Publ tests the extension case-sensitively, so `photo.JPG` ignored
/// `quality` and a transparent `logo.PNG` lost its alpha. Here the class is
/// decided on the lowercased extension; the file name keeps the original
/// spelling.
struct ExtClass {
    transparency: bool,
    quality: bool,
    palette: bool,
    lossless: bool,
    optimize: bool,
}

impl ExtClass {
    fn of(ext: &str) -> Self {
        let ext = ext.to_ascii_lowercase();
        let is = |set: &[&str]| set.contains(&ext.as_str());
        Self {
            transparency: is(&[".gif", ".png", ".webp"]),
            quality: is(&[".jpg", ".jpeg", ".webp"]),
            palette: is(&[".gif", ".png", ".webp"]),
            lossless: is(&[".webp"]),
            optimize: is(&[".jpg", ".jpeg", ".png"]),
        }
    }
}

/// Flatten transparency onto a colour (or just drop alpha).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flatten {
    pub color: Option<[u8; 3]>,
}

/// Resample `source_box` (whole image if `None`) to `size`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResizeOp {
    pub size: (u32, u32),
    pub source_box: Option<[u32; 4]>,
    pub filter: ScaleFilter,
}

/// One rendition: where it lives and exactly how to produce it. Steps run
/// in Publ's order: orientation, flatten, crop/scale, quantize, encode.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub output_scale: f64,
    /// Pixel size of the rendition; at 1× this is the `<img>` size.
    pub size: (u32, u32),
    /// `<slug>_<md5[-10:]>[_b…][_WxH[_box][fN]][_pN][_l|_qN].<ext>`
    pub file_name: String,
    /// `<md5[0:2]>/<md5[2:6]>/<file_name>`, relative to the rendition
    /// folder (`static/_img`), always with `/`.
    pub rel_path: String,
    pub format: OutputFormat,
    pub flatten: Option<Flatten>,
    pub resize: Option<ResizeOp>,
    /// Palette size to reduce to, when known from the arguments alone
    /// (GIF output or an explicit `quantize`).
    pub quantize: Option<u32>,
    /// Palette-capable output: a paletted source (Pillow mode `P`) is
    /// re-quantized to 256 colours. Publ only learns the mode while
    /// rendering, so [`super::render_to`] checks the file itself and the
    /// plan does not depend on [`SourceInfo::paletted`].
    pub requantize_paletted: bool,
    /// Encoder quality, 1–100 (`None`: the encoder default, 75 for JPEG).
    pub quality: Option<u8>,
    pub lossless: bool,
    /// Pillow's `optimize=True` (JPEG/PNG): best PNG compression here.
    pub optimize: bool,
}

/// `basename_slug` is `slugify(stem)` for the source file (Publ's
/// `utils.slugify`: `crate::content::slug::slugify(stem, None, false)`).
pub fn plan(
    src: &SourceInfo,
    args: &RenditionArgs,
    output_scale: f64,
    basename_slug: &str,
) -> Result<Plan, RenditionError> {
    args.validate()?;

    let ext = match args.format.as_deref() {
        Some(f) if !f.is_empty() => format!(".{f}"),
        _ => src.ext.clone(),
    };
    let format = OutputFormat::from_ext(&ext)
        .ok_or_else(|| RenditionError::UnsupportedOutput(ext.clone()))?;
    let class = ExtClass::of(&ext);

    let mut parts: Vec<String> = vec![
        basename_slug.to_string(),
        checksum_tail(&src.checksum).to_string(),
    ];

    // Publ flattens when a transparent source goes to an opaque format, or
    // whenever `background` is given at all.
    let flatten = if (src.transparent && !class.transparency) || args.background.is_some() {
        let bg = args
            .background
            .clone()
            .unwrap_or_else(Background::drop_alpha);
        parts.extend(bg.label().map(str::to_string));
        Some(Flatten { color: bg.color() })
    } else {
        None
    };

    let cs = crop_scale(args, src.width, src.height, output_scale);
    let resize = if cs.resample {
        let mut label = format!("{}x{}", cs.size.0, cs.size.1);
        if let Some(b) = cs.source_box {
            label.push_str(&format!("_{}-{}-{}-{}", b[0], b[1], b[2], b[3]));
        }
        // Only an explicit scale_filter is labelled (even an explicit
        // lanczos, which is also the default).
        if let Some(filter) = args.scale_filter {
            label.push_str(&format!("f{}", filter.pil_id()));
        }
        parts.push(label);
        Some(ResizeOp {
            size: cs.size,
            source_box: cs.source_box,
            filter: args.scale_filter.unwrap_or(ScaleFilter::Lanczos),
        })
    } else {
        None
    };

    let mut quantize = None;
    if class.palette {
        let requested = args.quantize.filter(|q| *q != 0);
        if let Some(q) = requested {
            parts.push(format!("p{q}"));
        }
        if format == OutputFormat::Gif || requested.is_some() {
            quantize = Some(requested.unwrap_or(256));
        }
    }

    let mut quality = None;
    let mut lossless = false;
    if class.lossless && args.lossless == Some(true) {
        parts.push("l".to_string());
        lossless = true;
        if class.quality {
            quality = Some(100);
        }
    } else if let Some(q) = args.quality.filter(|q| *q != 0 && class.quality) {
        parts.push(format!("q{q}"));
        // Encoders clamp like libjpeg does; the name keeps what was asked.
        quality = Some(q.min(100) as u8);
    }

    let file_name = join_parts(parts.iter().map(String::as_str), &ext);
    Ok(Plan {
        output_scale,
        size: cs.size,
        rel_path: cache_rel_path(&src.checksum, &file_name),
        file_name,
        format,
        flatten,
        resize,
        quantize,
        requantize_paletted: class.palette,
        quality,
        lossless: lossless && format == OutputFormat::WebP,
        optimize: class.optimize,
    })
}

/// The 1× and 2× renditions behind one `<img>` (spec M11).
#[derive(Debug, Clone, PartialEq)]
pub struct Renditions {
    /// The size to put in `width`/`height` (the 1× size).
    pub size: (u32, u32),
    pub x1: Plan,
    /// `None` when the 2× file would be the 1× file, i.e. no `srcset`.
    pub x2: Option<Plan>,
}

/// `_get_renditions`: 1× with `quality_ldpi`, 2× with `quality_hdpi`.
///
/// Publ compares the two URLs; while a rendition is still pending its URL is
/// a signed `/_img/…` spec containing the output scale, so Publ emits a
/// `srcset` for identical renditions until they exist on disk. Comparing the
/// cache paths, as here, is the stable version of that test.
pub fn renditions(
    src: &SourceInfo,
    args: &RenditionArgs,
    basename_slug: &str,
) -> Result<Renditions, RenditionError> {
    let x1 = plan(src, &args.for_density(false), 1.0, basename_slug)?;
    let x2 = plan(src, &args.for_density(true), 2.0, basename_slug)?;
    Ok(Renditions {
        size: x1.size,
        x2: (x2.rel_path != x1.rel_path).then_some(x2),
        x1,
    })
}

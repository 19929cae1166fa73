//! Executing a [`Plan`]: decode, orient, flatten, crop/scale, quantize,
//! encode, and write the file atomically (`LocalImage._render`).

use std::io::Cursor;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use image::codecs::gif::GifEncoder;
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::{CompressionType, FilterType as PngFilter, PngEncoder};
use image::codecs::webp::WebPEncoder;
use image::metadata::Orientation;
use image::{
    ColorType, DynamicImage, ExtendedColorType, GenericImageView, ImageDecoder, ImageEncoder,
    ImageReader,
};

use fast_image_resize::{FilterType, ResizeAlg, ResizeOptions, Resizer};
use image::ImageFormat;

use super::args::ScaleFilter;

use super::plan::{OutputFormat, Plan, ResizeOp};
use super::quantize::quantize_rgba;
use super::source::{check_pixels, detect_format, is_paletted};
use super::RenditionError;

/// Renders `source` according to `plan` and atomically writes `dest`
/// (creating its folder). An existing `dest` is replaced; Publ checks for
/// an existing rendition before calling its renderer, and so should the
/// caller. Nothing is written on error.
pub fn render_to(source: &Path, plan: &Plan, dest: &Path) -> Result<(), RenditionError> {
    let content = std::fs::read(source).map_err(|e| RenditionError::io(source, e))?;
    let bytes = render_bytes(&content, plan)?;
    write_atomic(dest, &bytes)
}

/// Renders in memory and returns the encoded file.
///
/// Decoders for hostile input are the likeliest place for a panic; one is
/// turned into an error so a bad upload cannot take a server thread down.
pub fn render_bytes(content: &[u8], plan: &Plan) -> Result<Vec<u8>, RenditionError> {
    catch_unwind(AssertUnwindSafe(|| {
        let img = load(content)?;
        let mut plan = plan.clone();
        if plan.quantize.is_none() && plan.requantize_paletted && is_paletted(content) {
            plan.quantize = Some(256);
        }
        let img = process(img, &plan)?;
        encode(&img, &plan)
    }))
    .unwrap_or(Err(RenditionError::Panic))
}

/// Decodes with the EXIF orientation applied (Publ's `fix_orientation`),
/// reduced to 8 bits per channel (Pillow's RGB/RGBA/L/LA modes).
pub(crate) fn load(content: &[u8]) -> Result<DynamicImage, RenditionError> {
    let format = detect_format(content)?;
    if format == ImageFormat::Jpeg && jpeg_truncated(content) {
        // The JPEG decoder pads missing scan data with grey; Pillow refuses
        // ("image file is truncated"), and so do we.
        return Err(RenditionError::Decode("image file is truncated".into()));
    }
    let mut decoder = ImageReader::with_format(Cursor::new(content), format)
        .into_decoder()
        .map_err(RenditionError::decode)?;
    let (width, height) = decoder.dimensions();
    check_pixels(width, height)?;
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let mut img = DynamicImage::from_decoder(decoder).map_err(RenditionError::decode)?;
    img.apply_orientation(orientation);
    Ok(match img.color() {
        ColorType::L8 | ColorType::La8 | ColorType::Rgb8 | ColorType::Rgba8 => img,
        ColorType::L16 => DynamicImage::ImageLuma8(img.to_luma8()),
        ColorType::La16 => DynamicImage::ImageLumaA8(img.to_luma_alpha8()),
        ColorType::Rgb16 | ColorType::Rgb32F => DynamicImage::ImageRgb8(img.to_rgb8()),
        _ => DynamicImage::ImageRgba8(img.to_rgba8()),
    })
}

/// No end-of-image marker after the last start-of-scan: the file was cut.
fn jpeg_truncated(content: &[u8]) -> bool {
    let last_scan = content.windows(2).rposition(|w| w == [0xff, 0xda]);
    match last_scan {
        Some(at) => !content[at..].windows(2).any(|w| w == [0xff, 0xd9]),
        None => true,
    }
}

/// The pixel steps, in Publ's pipeline order.
pub(crate) fn process(mut img: DynamicImage, plan: &Plan) -> Result<DynamicImage, RenditionError> {
    if let Some(flatten) = plan.flatten {
        img = flatten_onto(img, flatten.color);
    }
    if let Some(op) = plan.resize {
        img = crop_and_resize(img, &op)?;
    }
    if let Some(colors) = plan.quantize {
        img = quantize(img, colors);
    }
    Ok(img)
}

/// Publ's `flatten`: composite onto the colour, then `convert('RGB')`.
///
/// FIX: Publ takes the mask from `image.split()[3]`, which raises for
/// images without four bands (an opaque JPEG or an LA PNG with
/// `background=`), so the render failed; images without alpha are simply
/// converted and LA uses its own alpha.
fn flatten_onto(img: DynamicImage, color: Option<[u8; 3]>) -> DynamicImage {
    let (Some(bg), true) = (color, img.color().has_alpha()) else {
        // `convert('RGB')` just drops alpha.
        return DynamicImage::ImageRgb8(img.to_rgb8());
    };
    let rgba = img.into_rgba8();
    let out = image::RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let a = u32::from(a);
        let mix =
            |fg: u8, bg: u8| ((u32::from(fg) * a + u32::from(bg) * (255 - a) + 127) / 255) as u8;
        image::Rgb([mix(r, bg[0]), mix(g, bg[1]), mix(b, bg[2])])
    });
    DynamicImage::ImageRgb8(out)
}

/// `image.resize(size=size, box=box, resample=filter)`.
fn crop_and_resize(img: DynamicImage, op: &ResizeOp) -> Result<DynamicImage, RenditionError> {
    let (w, h) = img.dimensions();
    let [left, top, right, bottom] = op.source_box.unwrap_or([0, 0, w, h]);
    // Pillow: "box can't exceed original image size".
    if right > w || bottom > h || left >= right || top >= bottom {
        return Err(RenditionError::BoxOutOfBounds {
            source_box: [left, top, right, bottom],
            width: w,
            height: h,
        });
    }
    let (tw, th) = op.size;
    if tw == 0 || th == 0 || (right - left, bottom - top) == (tw, th) {
        // No resampling: a plain crop (or nothing) is exact.
        return Ok(if [left, top, right, bottom] == [0, 0, w, h] {
            img
        } else {
            img.crop_imm(left, top, right - left, bottom - top)
        });
    }
    // Pillow's filters by name; bicubic is Catmull-Rom (a = -0.5) in both.
    let alg = match op.filter {
        ScaleFilter::Nearest => ResizeAlg::Nearest,
        ScaleFilter::Box => ResizeAlg::Convolution(FilterType::Box),
        ScaleFilter::Bilinear => ResizeAlg::Convolution(FilterType::Bilinear),
        ScaleFilter::Hamming => ResizeAlg::Convolution(FilterType::Hamming),
        ScaleFilter::Bicubic => ResizeAlg::Convolution(FilterType::CatmullRom),
        ScaleFilter::Lanczos => ResizeAlg::Convolution(FilterType::Lanczos3),
    };
    // Like Pillow, resample with premultiplied alpha (except NEAREST), so
    // the colour of invisible pixels does not bleed into edges.
    let options = ResizeOptions::new()
        .resize_alg(alg)
        .crop(
            f64::from(left),
            f64::from(top),
            f64::from(right - left),
            f64::from(bottom - top),
        )
        .use_alpha(op.filter != ScaleFilter::Nearest);
    let mut out = DynamicImage::new(tw, th, img.color());
    Resizer::new()
        .resize(&img, &mut out, &options)
        .map_err(|e| RenditionError::Decode(format!("resize failed: {e}")))?;
    Ok(out)
}

/// `image.quantize(colors=n)`, keeping the image's channel layout.
fn quantize(img: DynamicImage, colors: u32) -> DynamicImage {
    let color = img.color();
    let mut rgba = img.into_rgba8();
    quantize_rgba(&mut rgba, colors);
    let out = DynamicImage::ImageRgba8(rgba);
    match color {
        ColorType::L8 => DynamicImage::ImageLuma8(out.to_luma8()),
        ColorType::La8 => DynamicImage::ImageLumaA8(out.to_luma_alpha8()),
        ColorType::Rgb8 => DynamicImage::ImageRgb8(out.to_rgb8()),
        _ => out,
    }
}

/// Encodes for the plan's format.
///
/// Approximations of Pillow's `save`: JPEG `optimize` (Huffman table
/// optimisation) is not available; PNG `optimize` maps to the best
/// compression level and is written true-colour even after quantizing;
/// WebP is always lossless (the pure-Rust encoder has no lossy mode), so
/// `quality` does not change WebP output.
pub(crate) fn encode(img: &DynamicImage, plan: &Plan) -> Result<Vec<u8>, RenditionError> {
    let mut out = Vec::new();
    let (w, h) = img.dimensions();
    match plan.format {
        OutputFormat::Jpeg => {
            // JPEG has no alpha; Pillow would refuse RGBA, so drop it.
            let img = match img.color() {
                ColorType::L8 | ColorType::La8 => DynamicImage::ImageLuma8(img.to_luma8()),
                _ => DynamicImage::ImageRgb8(img.to_rgb8()),
            };
            let quality = plan.quality.unwrap_or(75).clamp(1, 100);
            JpegEncoder::new_with_quality(&mut out, quality)
                .write_image(img.as_bytes(), w, h, ExtendedColorType::from(img.color()))
                .map_err(RenditionError::encode)?;
        }
        OutputFormat::Png => {
            let compression = if plan.optimize {
                CompressionType::Best
            } else {
                CompressionType::Default
            };
            PngEncoder::new_with_quality(&mut out, compression, PngFilter::Adaptive)
                .write_image(img.as_bytes(), w, h, ExtendedColorType::from(img.color()))
                .map_err(RenditionError::encode)?;
        }
        OutputFormat::Gif => {
            let rgba = img.to_rgba8();
            // Speed only matters above 256 colours, which quantizing rules out.
            GifEncoder::new_with_speed(&mut out, 10)
                .encode(rgba.as_raw(), w, h, ExtendedColorType::Rgba8)
                .map_err(RenditionError::encode)?;
        }
        OutputFormat::WebP => {
            WebPEncoder::new_lossless(&mut out)
                .write_image(img.as_bytes(), w, h, ExtendedColorType::from(img.color()))
                .map_err(RenditionError::encode)?;
        }
    }
    Ok(out)
}

/// Creates the cache folders and writes atomically (readers see no file
/// or the whole file).
pub fn write_atomic(dest: &Path, bytes: &[u8]) -> Result<(), RenditionError> {
    if let Some(dir) = dest.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| RenditionError::io(dir, e))?;
    }
    crate::fsutil::atomic_write(dest, bytes).map_err(|e| RenditionError::io(dest, e))
}

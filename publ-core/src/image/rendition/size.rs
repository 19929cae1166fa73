//! Rendition size maths (spec M3–M5, section 4 item 12), ported from
//! `LocalImage.get_rendition_size` and `_build_pipeline_cropscale`.
//!
//! Arithmetic is done in `f64` in the same order as the Python so that the
//! rounding (`round()` is round-half-to-even) lands on the same pixel.
//! Deliberate departures from the source are marked `FIX:`.

use super::args::{given, RenditionArgs, ResizeMode};

/// Output size and, for `fill`, the source box to take it from (relative to
/// the sizing input, i.e. to the crop box when there is one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SizeSpec {
    pub size: (u32, u32),
    pub fill_box: Option<[u32; 4]>,
}

/// The combined crop/scale step of a rendition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CropScale {
    /// The rendition's pixel size (also what `<img width height>` reports).
    pub size: (u32, u32),
    /// Source-pixel box `(left, top, right, bottom)` to resample from; `None`
    /// means the whole (orientation-corrected) image.
    pub source_box: Option<[u32; 4]>,
    /// Whether Publ would resample at all. When false the image keeps its
    /// pixels and the cache name has no size part.
    pub resample: bool,
}

/// Python's `round()` on a float, saturated into pixel range.
fn py_round(value: f64) -> i64 {
    // `as` saturates on overflow and maps NaN to 0, so no input can panic.
    value.round_ties_even() as i64
}

fn to_px(value: i64) -> u32 {
    // FIX: Publ can compute a 0 (or, with odd args, negative) dimension and
    // then Pillow refuses to resize; one pixel is the smallest real image.
    value.clamp(1, i64::from(u32::MAX)) as u32
}

/// `get_rendition_size`: size for an `input_w`×`input_h` input (the crop
/// box's size when cropping) at `output_scale` (1 or 2 for 1×/2×).
pub fn rendition_size(
    args: &RenditionArgs,
    input_w: u32,
    input_h: u32,
    output_scale: f64,
) -> SizeSpec {
    match args.resize.unwrap_or_default() {
        ResizeMode::Fit => fit_size(args, input_w, input_h, output_scale),
        ResizeMode::Fill => fill_size(args, input_w, input_h, output_scale),
        ResizeMode::Stretch => stretch_size(args, input_w, input_h, output_scale),
    }
}

/// `_get_rendition_fit_size`: aspect-preserving, never larger than input.
fn fit_size(args: &RenditionArgs, input_w: u32, input_h: u32, output_scale: f64) -> SizeSpec {
    let (iw, ih) = (f64::from(input_w), f64::from(input_h));
    let (mut width, mut height) = (iw, ih);

    if let Some(scale) = given(args.scale) {
        width /= scale;
        height /= scale;
    }
    if let Some(min_width) = given(args.scale_min_width) {
        if width < min_width {
            height = height * min_width / width;
            width = min_width;
        }
    }
    if let Some(min_height) = given(args.scale_min_height) {
        if height < min_height {
            width = width * min_height / height;
            height = min_height;
        }
    }
    for (tgt_width, tgt_height) in [(args.width, args.height), (args.max_width, args.max_height)] {
        if let Some(tgt) = given(tgt_width) {
            if width > tgt {
                height = height * tgt / width;
                width = tgt;
            }
        }
        if let Some(tgt) = given(tgt_height) {
            if height > tgt {
                width = width * tgt / height;
                height = tgt;
            }
        }
    }

    // Never larger than the input, each axis clamped on its own as Publ does.
    scaled_within((width, height), output_scale, (input_w, input_h))
}

/// `_get_rendition_fill_size`: exact output box, cropping the input.
fn fill_size(args: &RenditionArgs, input_w: u32, input_h: u32, output_scale: f64) -> SizeSpec {
    let (iw, ih) = (f64::from(input_w), f64::from(input_h));
    let (mut width, mut height) = (iw, ih);

    if let Some(scale) = given(args.scale) {
        width /= scale;
        height /= scale;
    }
    // FIX: the source reads `spec['spec_min_width']` here, a KeyError for
    // anyone using fill with scale_min_width; the intended key is used.
    if let Some(min_width) = given(args.scale_min_width) {
        width = py_max(width, min_width);
    }
    if let Some(min_height) = given(args.scale_min_height) {
        height = py_max(height, min_height);
    }
    if let Some(w) = given(args.width) {
        width = py_min(width, w);
    }
    if let Some(w) = given(args.max_width) {
        width = py_min(width, w);
    }
    if let Some(h) = given(args.height) {
        height = py_min(height, h);
    }
    if let Some(h) = given(args.max_height) {
        height = py_min(height, h);
    }

    width *= output_scale;
    height *= output_scale;

    // Never larger than the input, keeping the output aspect.
    if width > iw {
        height = height * iw / width;
        width = iw;
    }
    if height > ih {
        width = width * ih / height;
        height = ih;
    }

    let box_w = py_round(width * ih / height).min(i64::from(input_w));
    let box_h = py_round(height * iw / width).min(i64::from(input_h));
    // FIX: a box must hold at least one pixel (see `to_px`).
    let box_w = box_w.max(1);
    let box_h = box_h.max(1);

    let crop_x = args.fill_crop_x.unwrap_or(0.5);
    let crop_y = args.fill_crop_y.unwrap_or(0.5);
    // FIX: fill_crop_* outside 0..1 made Pillow reject the box ("box can't
    // exceed original image size"); the offset is clamped into the input.
    let box_x = py_round((i64::from(input_w) - box_w) as f64 * crop_x)
        .clamp(0, (i64::from(input_w) - box_w).max(0));
    let box_y = py_round((i64::from(input_h) - box_h) as f64 * crop_y)
        .clamp(0, (i64::from(input_h) - box_h).max(0));

    let px = |v: i64| v.clamp(0, i64::from(u32::MAX)) as u32;
    SizeSpec {
        size: (to_px(py_round(width)), to_px(py_round(height))),
        fill_box: Some([px(box_x), px(box_y), px(box_x + box_w), px(box_y + box_h)]),
    }
}

/// `_get_rendition_stretch_size`: each axis sized independently.
fn stretch_size(args: &RenditionArgs, input_w: u32, input_h: u32, output_scale: f64) -> SizeSpec {
    let (mut width, mut height) = (f64::from(input_w), f64::from(input_h));

    if let Some(scale) = given(args.scale) {
        width /= scale;
        height /= scale;
    }
    if let Some(min_width) = given(args.scale_min_width) {
        if width < min_width {
            width = min_width;
        }
    }
    if let Some(min_height) = given(args.scale_min_height) {
        if height < min_height {
            height = min_height;
        }
    }
    // FIX: the source re-reads `height` where it means `max_height`, so
    // max_height never applied to stretch; both limits apply here.
    for (tgt_width, tgt_height) in [(args.width, args.height), (args.max_width, args.max_height)] {
        if let Some(tgt) = given(tgt_width) {
            if width > tgt {
                width = tgt;
            }
        }
        if let Some(tgt) = given(tgt_height) {
            if height > tgt {
                height = tgt;
            }
        }
    }

    // FIX: Publ's stretch has no upper clamp, so `width` beyond the source
    // produced an <img> larger than the file (or, if only one axis grew, an
    // upscale). Spec M3 and the manual say images are never upscaled, so
    // each axis is clamped to the input like `fit` does.
    scaled_within((width, height), output_scale, (input_w, input_h))
}

/// `(width, height) * output_scale`, rounded as Python does and clamped
/// per axis to the input size.
fn scaled_within(size: (f64, f64), output_scale: f64, input: (u32, u32)) -> SizeSpec {
    let w = py_round(size.0 * output_scale).min(i64::from(input.0));
    let h = py_round(size.1 * output_scale).min(i64::from(input.1));
    SizeSpec {
        size: (to_px(w), to_px(h)),
        fill_box: None,
    }
}

/// Python's `max(a, b)`: the first argument wins ties.
fn py_max(a: f64, b: f64) -> f64 {
    if b > a {
        b
    } else {
        a
    }
}

/// Python's `min(a, b)`: the first argument wins ties.
fn py_min(a: f64, b: f64) -> f64 {
    if b < a {
        b
    } else {
        a
    }
}

/// `_build_pipeline_cropscale` minus the label: combines `crop` with the
/// sizing result for a `source_w`×`source_h` (orientation-corrected) image.
pub fn crop_scale(
    args: &RenditionArgs,
    source_w: u32,
    source_h: u32,
    output_scale: f64,
) -> CropScale {
    let (input_w, input_h) = match args.crop {
        Some(crop) => (crop.width, crop.height),
        None => (source_w, source_h),
    };
    let spec = rendition_size(args, input_w, input_h, output_scale);

    let source_box = match (args.crop, spec.fill_box) {
        // Both boxes are the same size; just line them up.
        (Some(c), Some(b)) => Some([
            b[0].saturating_add(c.x),
            b[1].saturating_add(c.y),
            b[2].saturating_add(c.x),
            b[3].saturating_add(c.y),
        ]),
        (Some(c), None) => Some([
            c.x,
            c.y,
            c.x.saturating_add(c.width),
            c.y.saturating_add(c.height),
        ]),
        (None, fill_box) => fill_box,
    };

    let resample = source_box.is_some() || spec.size.0 < source_w || spec.size.1 < source_h;
    CropScale {
        size: spec.size,
        source_box,
        resample,
    }
}

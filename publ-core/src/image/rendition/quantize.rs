//! Palette reduction standing in for Pillow's `Image.quantize(colors=n)`.
//!
//! Pillow uses median cut (RGB) or fast octree (RGBA) and stores the result
//! as a paletted image. The `image` crate exposes neither a quantizer nor an
//! indexed PNG writer, so this is a small weighted median cut over RGBA that
//! rewrites pixels to at most `n` colours in place. GIF output then gets an
//! exact palette (the GIF encoder uses the colours as-is when there are at
//! most 256); PNG/WebP output keeps true-colour storage with reduced colours.
//! Like Pillow's quantize without a given palette, there is no dithering.

use std::collections::HashMap;
use std::ops::Range;

use image::RgbaImage;

/// A run of histogram entries that will become one palette colour.
struct ColorBox {
    range: Range<usize>,
    /// Channel (0–3) with the largest spread and that spread.
    channel: usize,
    spread: u8,
}

fn measure(entries: &[(u32, u32)], range: Range<usize>) -> ColorBox {
    let mut lo = [u8::MAX; 4];
    let mut hi = [0u8; 4];
    for (color, _) in &entries[range.clone()] {
        for (ch, v) in color.to_le_bytes().into_iter().enumerate() {
            lo[ch] = lo[ch].min(v);
            hi[ch] = hi[ch].max(v);
        }
    }
    let (channel, spread) = (0..4)
        .map(|ch| (ch, hi[ch].saturating_sub(lo[ch])))
        .fold((0, 0), |best, cur| if cur.1 > best.1 { cur } else { best });
    ColorBox {
        range,
        channel,
        spread,
    }
}

/// Reduces `img` to at most `colors` (clamped to 1–256) distinct pixels.
pub(crate) fn quantize_rgba(img: &mut RgbaImage, colors: u32) {
    let colors = colors.clamp(1, 256) as usize;

    // Invisible pixels all become one colour so they never use up (or get
    // averaged into) palette entries.
    for p in img.pixels_mut() {
        if p.0[3] == 0 {
            p.0 = [0, 0, 0, 0];
        }
    }

    let mut histogram: HashMap<u32, u32> = HashMap::new();
    for p in img.pixels() {
        *histogram.entry(u32::from_le_bytes(p.0)).or_insert(0) += 1;
    }
    if histogram.len() <= colors {
        return;
    }
    let mut entries: Vec<(u32, u32)> = histogram.into_iter().collect();

    let mut boxes = vec![measure(&entries, 0..entries.len())];
    while boxes.len() < colors {
        let Some(index) = boxes
            .iter()
            .enumerate()
            .filter(|(_, b)| b.range.len() >= 2 && b.spread > 0)
            .max_by_key(|(_, b)| (b.spread, b.range.len()))
            .map(|(i, _)| i)
        else {
            break;
        };
        let ColorBox { range, channel, .. } = boxes.swap_remove(index);
        let slice = &mut entries[range.clone()];
        slice.sort_unstable_by_key(|(color, _)| color.to_le_bytes()[channel]);

        // Split at the pixel-weighted median, keeping both halves non-empty.
        let total: u64 = slice.iter().map(|(_, n)| u64::from(*n)).sum();
        let mut seen = 0u64;
        let mut split = slice.len() / 2;
        for (k, (_, n)) in slice.iter().enumerate() {
            seen += u64::from(*n);
            if seen * 2 >= total {
                split = k + 1;
                break;
            }
        }
        let split = split.clamp(1, slice.len() - 1);
        let mid = range.start + split;
        boxes.push(measure(&entries, range.start..mid));
        boxes.push(measure(&entries, mid..range.end));
    }

    let mut mapping: HashMap<u32, [u8; 4]> = HashMap::with_capacity(entries.len());
    for b in &boxes {
        let mut sum = [0u64; 4];
        let mut count = 0u64;
        for (color, n) in &entries[b.range.clone()] {
            for (s, v) in sum.iter_mut().zip(color.to_le_bytes()) {
                *s += u64::from(v) * u64::from(*n);
            }
            count += u64::from(*n);
        }
        let count = count.max(1);
        let avg = sum.map(|s| ((s + count / 2) / count).min(255) as u8);
        for (color, _) in &entries[b.range.clone()] {
            mapping.insert(*color, avg);
        }
    }
    for p in img.pixels_mut() {
        if let Some(c) = mapping.get(&u32::from_le_bytes(p.0)) {
            p.0 = *c;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn distinct(img: &RgbaImage) -> usize {
        img.pixels().map(|p| p.0).collect::<HashSet<_>>().len()
    }

    #[test]
    fn reduces_gradient() {
        let mut img = RgbaImage::from_fn(64, 64, |x, y| {
            image::Rgba([(x * 4) as u8, (y * 4) as u8, ((x + y) * 2) as u8, 255])
        });
        assert!(distinct(&img) > 256);
        quantize_rgba(&mut img, 16);
        assert!(distinct(&img) <= 16);
        assert!(distinct(&img) > 8, "median cut should use the palette");
    }

    #[test]
    fn few_colours_kept_exactly() {
        let mut img = RgbaImage::from_fn(8, 8, |x, _| {
            if x < 4 {
                image::Rgba([255, 0, 0, 255])
            } else {
                image::Rgba([0, 0, 255, 255])
            }
        });
        let before = img.clone();
        quantize_rgba(&mut img, 256);
        assert_eq!(img, before);
    }

    #[test]
    fn single_colour_palette() {
        let mut img = RgbaImage::from_fn(4, 4, |x, y| {
            image::Rgba([(x * 60) as u8, (y * 60) as u8, 0, 255])
        });
        quantize_rgba(&mut img, 1);
        assert_eq!(distinct(&img), 1);
    }
}

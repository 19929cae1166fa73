//! Rendering real files: fixtures in tests/rendition/fixtures were made with Pillow
//! (tests/rendition/tools/make_fixtures.py); expected facts and names come from
//! Publ/Pillow run on the same files.

use std::path::{Path, PathBuf};

use image::{DynamicImage, GenericImageView, ImageFormat};
use publ_core::content::slug::slugify;
use publ_core::image::rendition::*;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/rendition/fixtures")
        .join(name)
}

fn info(name: &str) -> SourceInfo {
    SourceInfo::read(&fixture(name)).expect("fixture readable")
}

/// Plans and renders into a temp dir; returns the decoded output.
fn render(name: &str, args: RenditionArgs, scale: f64) -> (Plan, DynamicImage, Vec<u8>) {
    let src = info(name);
    let p = plan(&src, &args, scale, &slugify(&src.stem, None, false)).expect("plan");
    let dir = tempfile::tempdir().expect("tempdir");
    let dest = dir.path().join("_img").join(&p.rel_path);
    render_to(&fixture(name), &p, &dest).expect("render");
    let bytes = std::fs::read(&dest).expect("written");
    let img = image::load_from_memory(&bytes).expect("decodable output");
    (p, img, bytes)
}

fn rgb(img: &DynamicImage, x: u32, y: u32) -> [u8; 3] {
    let p = img.get_pixel(x, y).0;
    [p[0], p[1], p[2]]
}

fn near(a: [u8; 3], b: [u8; 3]) -> bool {
    a.iter().zip(b).all(|(x, y)| x.abs_diff(y) <= 12)
}

#[test]
fn source_facts_match_pillow() {
    // (file, size after fix_orientation, Publ "transparent", Pillow mode P)
    let expected = [
        ("exif6.jpg", (20, 40), false, false, ImageFormat::Jpeg),
        ("exif8.jpg", (20, 40), false, false, ImageFormat::Jpeg),
        ("alpha.png", (32, 32), true, false, ImageFormat::Png),
        ("palette.png", (24, 16), true, true, ImageFormat::Png),
        ("two.gif", (16, 16), true, true, ImageFormat::Gif),
        ("gradient.png", (64, 48), false, false, ImageFormat::Png),
        ("gradient.jpg", (64, 48), false, false, ImageFormat::Jpeg),
    ];
    for (name, size, transparent, paletted, format) in expected {
        let s = info(name);
        assert_eq!((s.width, s.height), size, "{name}");
        assert_eq!(s.transparent, transparent, "{name}");
        assert_eq!(s.paletted, paletted, "{name}");
        assert_eq!(s.format, format, "{name}");
    }
}

#[test]
fn checksums_and_names_match_publ() {
    // Computed by Publ's _get_asset checksum and _get_rendition.
    let src = info("exif6.jpg");
    assert_eq!(src.checksum, "f2186f2abdaf0c5d7eb3411642fe3c09");
    assert_eq!(
        source_checksum(&fixture("exif6.jpg")).expect("read"),
        src.checksum
    );
    let cases: [(&str, RenditionArgs, &str); 4] = [
        (
            "exif6.jpg",
            RenditionArgs {
                width: Some(10.0),
                quality: Some(60),
                ..Default::default()
            },
            "f2/186f/exif6_1642fe3c09_10x20_q60.jpg",
        ),
        (
            "alpha.png",
            RenditionArgs {
                format: Some("jpg".into()),
                background: Some(Background::from_spec("#00f").expect("colour")),
                width: Some(16.0),
                ..Default::default()
            },
            "6a/88e5/alpha_e2c814a9d5_b#00f_16x16.jpg",
        ),
        (
            "two.gif",
            RenditionArgs {
                scale: Some(2.0),
                ..Default::default()
            },
            "2c/ef49/two_6432519365_8x8.gif",
        ),
        (
            "palette.png",
            RenditionArgs {
                resize: Some(ResizeMode::Fill),
                width: Some(8.0),
                height: Some(8.0),
                format: Some("webp".into()),
                lossless: Some(true),
                ..Default::default()
            },
            "13/c33e/palette_3402480cce_8x8_4-0-20-16_l.webp",
        ),
    ];
    for (name, args, want) in cases {
        let src = info(name);
        let p = plan(&src, &args, 1.0, &slugify(&src.stem, None, false)).expect("plan");
        assert_eq!(p.rel_path, want);
    }
}

#[test]
fn exif_orientation_applied() {
    // Stored 40x20 red|blue. Orientation 6 shows red on top, 8 blue on top.
    let (_, img, _) = render("exif6.jpg", RenditionArgs::default(), 1.0);
    assert_eq!(img.dimensions(), (20, 40));
    assert!(
        near(rgb(&img, 10, 5), [255, 0, 0]),
        "{:?}",
        rgb(&img, 10, 5)
    );
    assert!(near(rgb(&img, 10, 35), [0, 0, 255]));

    let (_, img, _) = render(
        "exif8.jpg",
        RenditionArgs {
            height: Some(20.0),
            ..Default::default()
        },
        1.0,
    );
    assert_eq!(img.dimensions(), (10, 20));
    assert!(near(rgb(&img, 5, 2), [0, 0, 255]));
    assert!(near(rgb(&img, 5, 17), [255, 0, 0]));
}

#[test]
fn crop_then_scale() {
    // exif6 after orientation: top 20 rows red, bottom 20 blue. Crop the
    // bottom half and scale it down: only blue remains.
    let args = RenditionArgs {
        crop: Some(Crop::parse("0,20,20,20").expect("crop")),
        width: Some(10.0),
        ..Default::default()
    };
    let (p, img, _) = render("exif6.jpg", args, 1.0);
    assert_eq!(p.size, (10, 10));
    assert_eq!(img.dimensions(), (10, 10));
    assert!(near(rgb(&img, 5, 5), [0, 0, 255]));
}

#[test]
fn fill_takes_requested_side() {
    let args = RenditionArgs {
        resize: Some(ResizeMode::Fill),
        width: Some(20.0),
        height: Some(20.0),
        fill_crop_y: Some(1.0),
        ..Default::default()
    };
    let (p, img, _) = render("exif6.jpg", args, 1.0);
    assert_eq!(p.resize.and_then(|r| r.source_box), Some([0, 20, 20, 40]));
    assert_eq!(img.dimensions(), (20, 20));
    assert!(near(rgb(&img, 10, 10), [0, 0, 255]));
}

#[test]
fn flatten_onto_background() {
    let args = RenditionArgs {
        format: Some("jpg".into()),
        background: Some(Background::from_tuple(&[0, 0, 255]).expect("colour")),
        ..Default::default()
    };
    let (p, img, bytes) = render("alpha.png", args, 1.0);
    assert_eq!(image::guess_format(&bytes).ok(), Some(ImageFormat::Jpeg));
    assert!(p.file_name.ends_with("_b0-0-255.jpg"));
    assert!(near(rgb(&img, 4, 16), [255, 0, 0]));
    assert!(near(rgb(&img, 28, 16), [0, 0, 255]));
}

#[test]
fn flatten_without_background_just_drops_alpha() {
    // Spec M8: transparent pixels show whatever colour they hold (green).
    let args = RenditionArgs {
        format: Some("jpg".into()),
        ..Default::default()
    };
    let (p, img, _) = render("alpha.png", args, 1.0);
    assert!(p.flatten.is_some());
    assert!(near(rgb(&img, 28, 16), [0, 255, 0]));
}

#[test]
fn png_keeps_alpha_and_resizes_premultiplied() {
    let args = RenditionArgs {
        width: Some(8.0),
        ..Default::default()
    };
    let (p, img, _) = render("alpha.png", args, 1.0);
    assert!(p.flatten.is_none());
    assert_eq!(img.dimensions(), (8, 8));
    let rgba = img.to_rgba8();
    assert_eq!(rgba.get_pixel(0, 4).0, [255, 0, 0, 255]);
    assert_eq!(rgba.get_pixel(7, 4).0[3], 0);
    // The edge column mixes red with transparency, never with the hidden
    // green.
    let edge = rgba.get_pixel(4, 4).0;
    assert!(edge[1] < 16, "green bled into {edge:?}");
}

#[test]
fn gif_output_is_quantized() {
    let args = RenditionArgs {
        format: Some("gif".into()),
        quantize: Some(8),
        ..Default::default()
    };
    let (p, img, bytes) = render("gradient.png", args, 1.0);
    assert_eq!(p.quantize, Some(8));
    assert!(p.file_name.ends_with("_p8.gif"));
    assert_eq!(image::guess_format(&bytes).ok(), Some(ImageFormat::Gif));
    let colours: std::collections::HashSet<_> = img.to_rgba8().pixels().map(|p| p.0).collect();
    assert!(colours.len() <= 8 && colours.len() > 1, "{}", colours.len());
}

#[test]
fn gif_source_round_trips() {
    let (p, img, _) = render(
        "two.gif",
        RenditionArgs {
            scale: Some(2.0),
            scale_filter: Some(ScaleFilter::Nearest),
            ..Default::default()
        },
        1.0,
    );
    assert_eq!(p.quantize, Some(256));
    assert_eq!(img.dimensions(), (8, 8));
    assert_eq!(rgb(&img, 1, 4), [0, 0, 0]);
    assert_eq!(rgb(&img, 6, 4), [200, 100, 50]);
}

#[test]
fn paletted_png_requantized_and_webp_lossless() {
    let src = info("palette.png");
    let p = plan(&src, &RenditionArgs::default(), 1.0, "palette").expect("plan");
    // Decided while rendering, as in Publ (its `stash['paletted']`).
    assert_eq!((p.quantize, p.requantize_paletted), (None, true));
    let out =
        render_bytes(&std::fs::read(fixture("palette.png")).expect("fixture"), &p).expect("render");
    let img = image::load_from_memory(&out).expect("png");
    // At most 256 colours already: re-quantizing keeps every pixel.
    let orig = image::open(fixture("palette.png")).expect("fixture");
    assert_eq!(img.to_rgb8(), orig.to_rgb8());
    let jpg = RenditionArgs {
        format: Some("jpg".into()),
        ..Default::default()
    };
    let p = plan(&src, &jpg, 1.0, "palette").expect("plan");
    assert!(!p.requantize_paletted);
    assert!(p.flatten.is_some(), "paletted counts as transparent");

    let args = RenditionArgs {
        format: Some("webp".into()),
        quality: Some(50),
        ..Default::default()
    };
    let (p, img, bytes) = render("gradient.png", args, 1.0);
    assert_eq!(image::guess_format(&bytes).ok(), Some(ImageFormat::WebP));
    assert!(p.file_name.ends_with("_q50.webp"));
    // Lossy requests are encoded lossless: pixels survive exactly.
    let orig = image::open(fixture("gradient.png")).expect("fixture");
    assert_eq!(img.to_rgb8(), orig.to_rgb8());
}

#[test]
fn every_filter_renders() {
    for filter in [
        "nearest", "box", "bilinear", "hamming", "bicubic", "lanczos",
    ] {
        let args = RenditionArgs {
            width: Some(20.0),
            scale_filter: Some(filter.parse().expect("filter")),
            ..Default::default()
        };
        let (p, img, _) = render("gradient.jpg", args, 2.0);
        assert_eq!(img.dimensions(), (40, 30), "{filter}");
        assert_eq!(p.size, (40, 30));
    }
}

#[test]
fn jpeg_quality_changes_output() {
    let q = |quality| {
        render(
            "gradient.png",
            RenditionArgs {
                format: Some("jpg".into()),
                quality: Some(quality),
                ..Default::default()
            },
            1.0,
        )
        .2
        .len()
    };
    assert!(q(20) < q(95));
}

#[test]
fn corrupt_and_truncated_inputs_are_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = info("gradient.jpg");
    let p = plan(&src, &RenditionArgs::default(), 1.0, "g").expect("plan");
    let good = std::fs::read(fixture("gradient.jpg")).expect("fixture");
    let png = std::fs::read(fixture("gradient.png")).expect("fixture");

    let mut garbage = good[..4].to_vec();
    garbage.extend(std::iter::repeat_n(0xAB, 400));
    let inputs: Vec<Vec<u8>> = vec![
        Vec::new(),
        b"not an image at all".to_vec(),
        good[..good.len() / 2].to_vec(),
        good[..20].to_vec(),
        png[..png.len() - 30].to_vec(),
        png[..40].to_vec(),
        garbage,
    ];
    for (i, bytes) in inputs.iter().enumerate() {
        let path = dir.path().join(format!("bad{i}.jpg"));
        std::fs::write(&path, bytes).expect("write");
        let dest = dir.path().join(format!("out/bad{i}.jpg"));
        // Pillow fails these too (without LOAD_TRUNCATED_IMAGES).
        assert!(render_to(&path, &p, &dest).is_err(), "input {i} rendered");
        assert!(!dest.exists(), "partial output left for input {i}");
    }
    // A header that parses is still an image to index; the rest are not.
    for i in [0, 1, 2, 3, 5, 6] {
        assert!(
            SourceInfo::read(&dir.path().join(format!("bad{i}.jpg"))).is_err(),
            "{i}"
        );
    }
    assert!(render_to(
        &dir.path().join("missing.jpg"),
        &p,
        &dir.path().join("o.jpg")
    )
    .is_err());
}

#[test]
fn crop_outside_image_is_an_error() {
    let src = info("gradient.jpg");
    let args = RenditionArgs {
        crop: Some(Crop::parse("50,40,30,30").expect("crop")),
        ..Default::default()
    };
    let p = plan(&src, &args, 1.0, "g").expect("plan is pure maths");
    let dir = tempfile::tempdir().expect("tempdir");
    let err = render_to(&fixture("gradient.jpg"), &p, &dir.path().join("x.jpg"));
    assert!(matches!(err, Err(RenditionError::BoxOutOfBounds { .. })));
}

#[test]
fn atomic_write_leaves_only_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let dest = dir.path().join("a/b/c.png");
    write_atomic(&dest, b"first").expect("write");
    write_atomic(&dest, b"second").expect("overwrite");
    assert_eq!(std::fs::read(&dest).expect("read"), b"second");
    let entries: Vec<_> = std::fs::read_dir(dir.path().join("a/b"))
        .expect("dir")
        .collect();
    assert_eq!(entries.len(), 1, "temp file left behind");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&dest).expect("meta").permissions().mode();
        assert_eq!(mode & 0o044, 0o044, "renditions must be world-readable");
    }
}

#[test]
fn no_resample_keeps_pixels() {
    let (p, img, _) = render(
        "gradient.png",
        RenditionArgs {
            width: Some(640.0),
            ..Default::default()
        },
        2.0,
    );
    assert!(p.resize.is_none());
    let orig = image::open(fixture("gradient.png")).expect("fixture");
    assert_eq!(img.to_rgb8(), orig.to_rgb8());
}

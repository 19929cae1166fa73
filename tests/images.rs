//! Image renditions through the real binary (issue 5, spec M, F7): the
//! markup of sites/images (the same document Python Publ 0.8.19 writes for
//! it, checked with tools/compat), renditions rendered on first fetch, the
//! cache, signed URLs and file assets.

mod support;

use support::{get, Server, SiteCopy};

const GALLERY: &str = "/photos/101-A-photo-gallery";

/// The attributes of the first `<tag ...>` whose text contains `marker`.
fn tag_with(html: &str, tag: &str, marker: &str) -> Vec<(String, String)> {
    let open = format!("<{tag} ");
    let start = html
        .match_indices(&open)
        .map(|(i, _)| i)
        .find(|&i| {
            html[i..]
                .split('>')
                .next()
                .is_some_and(|t| t.contains(marker))
        })
        .unwrap_or_else(|| panic!("no <{tag}> with {marker:?} in {html}"));
    let text = &html[start + open.len()..start + html[start..].find('>').unwrap_or(0)];
    let re = regex::Regex::new(r#"([\w-]+)(?:="([^"]*)")?"#).expect("regex");
    re.captures_iter(text)
        .map(|c| {
            (
                c[1].to_string(),
                c.get(2).map_or("", |m| m.as_str()).replace("&amp;", "&"),
            )
        })
        .collect()
}

fn attr<'a>(attrs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Follows a pending rendition URL to the rendered file.
fn fetch_rendition(server: &Server, url: &str) -> (String, Vec<u8>) {
    let pending = get(server.socket(), url);
    assert_eq!(pending.status, 302, "{url}: {}", server.log());
    let location = pending.header("location").expect("Location").to_string();
    assert!(location.starts_with("/static/_img/"), "{location}");
    let file = get(server.socket(), &location);
    assert_eq!(file.status, 200, "{location}");
    (location, file.body)
}

fn dimensions(bytes: &[u8]) -> (u32, u32) {
    let img = image::load_from_memory(bytes).expect("a real image");
    (img.width(), img.height())
}

#[test]
fn gallery_markup_matches_publ() {
    let site = SiteCopy::of("images");
    let server = Server::serve(site.path());
    let page = get(server.socket(), GALLERY);
    assert_eq!(page.status, 200, "{}", server.log());
    let html = page.text();

    // M3, M11, M12: sized to width 200 (4:3), 1x and 2x, lazy, alt text
    let img = tag_with(&html, "img", "alt=\"A landscape\"");
    assert_eq!(attr(&img, "width"), Some("200"));
    assert_eq!(attr(&img, "height"), Some("150"));
    assert_eq!(attr(&img, "loading"), Some("lazy"));
    let srcset = attr(&img, "srcset").expect("srcset");
    assert!(
        srcset.ends_with(" 2x") && srcset.contains(" 1x, "),
        "{srcset}"
    );

    // M17, M15: the set wraps in the container's div, every image links
    // into the lightbox gallery, the third is hidden by count=2
    assert!(html.contains("<div class=\"set\">"), "{html}");
    assert_eq!(html.matches("data-lightbox=\"trip\"").count(), 3, "{html}");
    assert!(html.contains("and 1 more</div>"), "{html}");
    let fill = tag_with(&html, "img", "title=\"First\"");
    assert_eq!(
        (attr(&fill, "width"), attr(&fill, "height")),
        (Some("100"), Some("100"))
    );
    assert!(
        !html.contains("title=\"Third\" width"),
        "hidden thumbnail shown: {html}"
    );

    // M2: EXIF orientation 6 turns 300x200 into 200x300 before sizing
    let tall = tag_with(&html, "img", "alt=\"tall.jpg\"");
    assert_eq!(
        (attr(&tall, "width"), attr(&tall, "height")),
        (Some("100"), Some("150"))
    );

    // M8, M12: flattened to JPEG, class from img_class
    let flat = tag_with(&html, "img", "class=\"flat\"");
    assert_eq!(
        (attr(&flat, "width"), attr(&flat, "height")),
        (Some("60"), Some("45"))
    );

    // M26: a missing image is inline markup, not an error page
    assert!(
        html.contains("<span class=\"error\">Image not found: <code>missing.jpg</code></span>"),
        "{html}"
    );

    // M27: a non-image is a /_file/ asset, named as Publ names it
    let asset = tag_with(&html, "img", "notes.txt");
    assert_eq!(attr(&asset, "src"), Some("/_file/072fd/1/notes.txt"));
    // L5: links to local files and images resolve the same way
    assert!(
        html.contains("<a href=\"/_file/072fd/1/notes.txt\">the same notes</a>"),
        "{html}"
    );
    let small = regex::Regex::new(r#"<a href="/_img/[^"]+">a small picture</a>"#).expect("regex");
    assert!(small.is_match(&html), "{html}");
    let file = get(server.socket(), "/_file/072fd/1/notes.txt");
    assert_eq!(file.status, 200);
    assert_eq!(file.text(), "Field notes, not an image.\n");
    assert_eq!(get(server.socket(), "/_file/072fd/2/notes.txt").status, 404);
    // After a restart the name is found without the page being shown.
    drop(server);
    let server = Server::serve(site.path());
    assert_eq!(get(server.socket(), "/_file/072fd/1/notes.txt").status, 200);
    let html = get(server.socket(), GALLERY).text();

    // M22: a remote image keeps its URL in CSS and shows the /_ chit
    let remote = tag_with(&html, "img", "pic.png");
    assert_eq!(attr(&remote, "src"), Some("/_"));
    let style = attr(&remote, "style").expect("style");
    assert!(
        style.contains("background-image:url('//images.example.com/pic.png')"),
        "{style}"
    );
    assert!(style.contains("background-size:cover"), "{style}");
    assert_eq!(
        (attr(&remote, "width"), attr(&remote, "height")),
        (Some("200"), Some("100"))
    );

    // M14: a static image linked to a static file
    assert!(
        html.contains("<a href=\"/static/site.png\"><img src=\"/static/site.png\""),
        "{html}"
    );

    // M17: figure with a Markdown caption; link=True links the full size
    assert!(html.contains("<figure class=\"wide\">"), "{html}");
    assert!(
        html.contains("<figcaption>A <em>caption</em></figcaption></figure>"),
        "{html}"
    );

    // E6/M20: the template's own image() calls
    let from_template = tag_with(&html, "img", "From the template");
    assert_eq!(attr(&from_template, "width"), Some("80"));
    assert!(
        html.contains("style=\"background-image: url(&#39;/_img/"),
        "{html}"
    );

    // F7/M28: the card shows the entry's first image, absolute, at 1x
    let og = tag_with(&html, "meta", "og:image\"");
    assert!(
        attr(&og, "content").is_some_and(|c| c.starts_with("http://")),
        "{og:?}"
    );
    assert!(
        html.contains("<meta property=\"og:image:width\" content=\"200\">"),
        "{html}"
    );
}

#[test]
fn renditions_render_once_on_first_fetch() {
    let site = SiteCopy::of("images");
    let server = Server::serve(site.path());
    let html = get(server.socket(), GALLERY).text();
    let img = tag_with(&html, "img", "alt=\"A landscape\"");
    let src = attr(&img, "src").expect("src").to_string();
    assert!(
        src.starts_with("/_img/"),
        "not rendered yet, so pending: {src}"
    );

    // M23, M24: rendered on request, stored under static/_img with Publ's name
    let (location, bytes) = fetch_rendition(&server, &src);
    assert!(
        location.contains("/landscape_") && location.ends_with("_200x150.jpg"),
        "{location}"
    );
    assert_eq!(dimensions(&bytes), (200, 150));
    assert!(site.exists(&location[1..]), "{location}");

    // M23: once rendered, pages point straight at the file
    let again = get(server.socket(), GALLERY).text();
    let img = tag_with(&again, "img", "alt=\"A landscape\"");
    assert_eq!(attr(&img, "src"), Some(location.as_str()));

    // M8: transparent PNG flattened onto white as JPEG
    let flat = tag_with(&again, "img", "class=\"flat\"");
    let (_, bytes) = fetch_rendition(&server, attr(&flat, "src").expect("src"));
    let decoded = image::load_from_memory(&bytes).expect("jpeg").to_rgb8();
    assert_eq!(decoded.dimensions(), (60, 45));
    let corner = decoded.get_pixel(0, 0);
    assert!(
        corner.0.iter().all(|c| *c > 240),
        "corner should be white: {corner:?}"
    );

    // Concurrent requests for one pending rendition render it once.
    let srcset = attr(&img, "srcset").expect("srcset").to_string();
    let hidpi = srcset
        .split(", ")
        .find(|s| s.ends_with(" 2x"))
        .and_then(|s| s.strip_suffix(" 2x"))
        .expect("2x url")
        .to_string();
    assert!(hidpi.starts_with("/_img/"), "{hidpi}");
    let sock = server.socket().to_path_buf();
    let threads: Vec<_> = (0..6)
        .map(|_| {
            let (sock, hidpi) = (sock.clone(), hidpi.clone());
            std::thread::spawn(move || get(&sock, &hidpi))
        })
        .collect();
    let locations: Vec<String> = threads
        .into_iter()
        .map(|t| t.join().expect("request thread"))
        .map(|r| {
            assert_eq!(r.status, 302);
            r.header("location").unwrap_or_default().to_string()
        })
        .collect();
    assert!(locations.windows(2).all(|w| w[0] == w[1]), "{locations:?}");
    // 2x of 200 wide is the 400x300 source itself: no size in the name.
    assert!(
        !locations[0].contains("x150") && locations[0] != location,
        "{locations:?}"
    );
    let log = server.log();
    let renders = log
        .lines()
        .filter(|l| {
            l.contains("rendering") && l.contains(locations[0].rsplit('/').next().unwrap_or("?"))
        })
        .count();
    assert_eq!(renders, 1, "{log}");
    let (_, bytes) = fetch_rendition(&server, &hidpi);
    assert_eq!(dimensions(&bytes), (400, 300));
}

#[test]
fn bad_rendition_requests_are_refused() {
    let site = SiteCopy::of("images");
    let server = Server::serve(site.path());
    let html = get(server.socket(), GALLERY).text();
    let img = tag_with(&html, "img", "alt=\"tall.jpg\"");
    let src = attr(&img, "src").expect("src").to_string();

    // M23: a token we did not sign is a 400, never a render
    assert_eq!(get(server.socket(), "/_img/garbage").status, 400);
    let (payload, sig) = src
        .trim_start_matches("/_img/")
        .split_once('.')
        .expect("signed");
    let forged = format!("/_img/{}x.{sig}", payload);
    assert_eq!(get(server.socket(), &forged).status, 400);
    assert!(
        !site.exists("static/_img"),
        "nothing rendered for bad tokens"
    );

    // A source that went away is a 404; the site keeps serving.
    site.remove("content/photos/tall.jpg");
    assert_eq!(get(server.socket(), &src).status, 404, "{}", server.log());
    assert_eq!(get(server.socket(), "/").status, 200);
}

#[test]
fn html_entries_get_renditions_too() {
    // spec L4: <img> in HTML entries, sized by attributes and `{}` options
    let site = SiteCopy::of("images");
    let server = Server::serve(site.path());
    let page = get(server.socket(), "/photos/103-An-HTML-entry");
    assert_eq!(page.status, 200, "{}", server.log());
    let html = page.text();
    let logo = tag_with(&html, "img", "alt=\"logo\"");
    assert_eq!(
        (attr(&logo, "width"), attr(&logo, "height")),
        (Some("30"), Some("22"))
    );
    assert!(
        attr(&logo, "src").is_some_and(|s| s.starts_with("/_img/")),
        "{logo:?}"
    );
    let pic = tag_with(&html, "img", "class=\"pic\"");
    assert_eq!(
        (attr(&pic, "width"), attr(&pic, "height")),
        (Some("100"), Some("100"))
    );
    let missing = tag_with(&html, "img", "missing.png");
    assert_eq!(
        attr(&missing, "data-publ-error"),
        Some("File Not Found: missing.png")
    );
    assert!(
        html.contains("<a href=\"/_file/072fd/1/notes.txt\">notes</a>"),
        "{html}"
    );
}

/// A PNG that claims `width` x `height`; with `idat` its pixel data starts
/// (a zlib header) as a decompression bomb's would, without it the file
/// is damaged.
fn png_claiming(width: u32, height: u32, idat: bool) -> Vec<u8> {
    fn crc(bytes: &[u8]) -> u32 {
        let mut c = 0xffff_ffffu32;
        for b in bytes {
            c ^= u32::from(*b);
            for _ in 0..8 {
                c = if c & 1 != 0 {
                    0xedb8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
        }
        !c
    }
    let chunk = |kind: &[u8], data: &[u8]| {
        let mut out = (data.len() as u32).to_be_bytes().to_vec();
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        out.extend_from_slice(&body);
        out.extend_from_slice(&crc(&body).to_be_bytes());
        out
    };
    let mut ihdr = width.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(chunk(b"IHDR", &ihdr));
    if idat {
        png.extend(chunk(b"IDAT", &[0x78, 0x9c]));
    }
    png.extend(chunk(b"IEND", &[]));
    png
}

#[test]
fn other_formats_and_hostile_files() {
    let site = SiteCopy::of("images");
    let encode = |img: image::DynamicImage, format: image::ImageFormat| {
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, format).expect("encode");
        out.into_inner()
    };
    let pixels = image::RgbaImage::from_fn(90, 60, |x, y| {
        image::Rgba([
            (x * 2) as u8,
            (y * 4) as u8,
            128,
            if x < 10 { 0 } else { 255 },
        ])
    });
    site.write_bytes(
        "content/photos/anim.gif",
        &encode(
            image::DynamicImage::ImageRgba8(pixels.clone()),
            image::ImageFormat::Gif,
        ),
    );
    site.write_bytes(
        "content/photos/pic.webp",
        &encode(
            image::DynamicImage::ImageRgba8(pixels),
            image::ImageFormat::WebP,
        ),
    );
    let landscape = site.read_bytes("content/photos/landscape.jpg");
    site.write_bytes(
        "content/photos/truncated.jpg",
        &landscape[..landscape.len() / 3],
    );
    site.write_bytes(
        "content/photos/broken.png",
        &png_claiming(20000, 20000, false),
    );
    site.write_bytes("content/photos/bomb.png", &png_claiming(20000, 20000, true));
    site.write(
        "content/photos/formats.md",
        "Title: Formats\nEntry-ID: 104\nDate: 2024-01-20 12:00:00+00:00\n\n\
         ![](anim.gif{45}) ![](pic.webp{45}) ![](truncated.jpg{100}) ![](broken.png{100}) ![](bomb.png{100})\n\n\
         Escaping: ![](../../publ.toml) ![](/../publ.toml)\n",
    );
    let server = Server::serve(site.path());
    let page = get(server.socket(), "/photos/104-Formats");
    assert_eq!(page.status, 200, "{}", server.log());
    let html = page.text();

    // GIF and WebP sources render in their own formats, sized.
    for (name, format) in [
        ("anim.gif", image::ImageFormat::Gif),
        ("pic.webp", image::ImageFormat::WebP),
    ] {
        let img = tag_with(&html, "img", &format!("alt=\"{name}\""));
        assert_eq!(
            (attr(&img, "width"), attr(&img, "height")),
            (Some("45"), Some("30"))
        );
        let (_, bytes) = fetch_rendition(&server, attr(&img, "src").expect("src"));
        assert_eq!(image::guess_format(&bytes).expect("format"), format);
        assert_eq!(dimensions(&bytes), (45, 30));
    }

    // A path out of the content folder is "not found", never served.
    assert!(
        html.contains("Image not found: <code>../../publ.toml</code>"),
        "{html}"
    );
    assert!(!html.contains("secret_key"), "{html}");

    // A damaged image (no pixel data at all) is an inline error and a log
    // line, never a download or a render.
    assert!(
        html.contains(
            "<span class=\"error\">Error loading image broken.png{100}: cannot read image broken.png"
        ),
        "{html}"
    );
    assert!(
        server.log().contains("unreadable image"),
        "{}",
        server.log()
    );
    // A 20000x20000 PNG (400 megapixels, 1.2 GB decoded) is refused from
    // its header, as Pillow's decompression-bomb limit does: an inline
    // error and a log line, nothing decoded or rendered.
    assert!(
        html.contains(
            "<span class=\"error\">Error loading image bomb.png{100}: cannot read image bomb.png"
        ) && html.contains("decompression bomb"),
        "{html}"
    );
    // A truncated file still makes a page; fetching its rendition is an
    // error with a log line, and the server keeps serving.
    let img = tag_with(&html, "img", "alt=\"truncated.jpg\"");
    let status = get(server.socket(), attr(&img, "src").expect("src")).status;
    assert_eq!(status, 500, "{}", server.log());
    assert!(
        server.log().contains("rendition failed"),
        "{}",
        server.log()
    );
    assert_eq!(get(server.socket(), "/").status, 200);
    let cached: Vec<String> = walk(&site.join("static/_img"));
    assert!(
        cached
            .iter()
            .all(|f| !f.contains("truncated") && !f.contains("bomb")),
        "{cached:?}"
    );

    // A second request for a rendered file does not render it again.
    let img = tag_with(&html, "img", "alt=\"anim.gif\"");
    let src = attr(&img, "src").expect("src");
    assert_eq!(get(server.socket(), src).status, 302);
    let renders = server
        .log()
        .lines()
        .filter(|l| l.contains("rendering") && l.contains("anim_"))
        .count();
    assert_eq!(renders, 1, "{}", server.log());
}

fn walk(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                out.extend(walk(&path));
            } else {
                out.push(path.to_string_lossy().into_owned());
            }
        }
    }
    out
}

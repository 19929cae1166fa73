//! PIL-compatible colour specifiers for the `background` argument (spec M8).
//!
//! Publ hands the raw value to `PIL.Image.new('RGB', size, colour)`, so any
//! string `PIL.ImageColor.getrgb` understands is valid. This is a port of
//! that function (Pillow 11–13) plus CSS `transparent`, which Pillow lacks
//! but the manual's "named color" wording implies; flattening onto it gives
//! black, as Pillow would for `(0, 0, 0, 0)` in an RGB image.

/// Parses a colour the way `PIL.ImageColor.getrgb` does and reduces it to
/// the RGB that `Image.new('RGB', …)` would fill with (alpha dropped,
/// channels clamped to 0–255, as Pillow does).
pub fn parse_color(spec: &str) -> Option<[u8; 3]> {
    // Pillow refuses long specifiers outright.
    if spec.chars().count() > 100 {
        return None;
    }
    let lower = spec.to_lowercase();
    let color = lower.as_str();
    if color == "transparent" {
        return Some([0, 0, 0]);
    }
    if let Ok(i) = COLOR_NAMES.binary_search_by(|(name, _)| name.cmp(&color)) {
        return Some(COLOR_NAMES[i].1);
    }
    if let Some(hex) = color.strip_prefix('#') {
        return parse_hex(hex);
    }
    if let Some(args) = call_args(color, "rgb") {
        if let Some(v) = percent_triple(&args) {
            // int((p * 255) / 100.0 + 0.5), like Pillow.
            return Some(v.map(|p| clamp_channel(((p * 255.0) / 100.0 + 0.5).trunc())));
        }
        return int_list(&args, 3).map(|v| [v[0], v[1], v[2]].map(|c| clamp_channel(c as f64)));
    }
    if let Some(args) = call_args(color, "rgba") {
        return int_list(&args, 4).map(|v| [v[0], v[1], v[2]].map(|c| clamp_channel(c as f64)));
    }
    if let Some(args) = call_args(color, "hsl") {
        let [h, s, l] = hue_triple(&args)?;
        let rgb = hls_to_rgb(h / 360.0, l / 100.0, s / 100.0);
        return Some(rgb.map(unit_to_channel));
    }
    for name in ["hsv", "hsb"] {
        if let Some(args) = call_args(color, name) {
            let [h, s, v] = hue_triple(&args)?;
            let rgb = hsv_to_rgb(h / 360.0, s / 100.0, v / 100.0);
            return Some(rgb.map(unit_to_channel));
        }
    }
    None
}

fn clamp_channel(value: f64) -> u8 {
    // `as` saturates and maps NaN to 0, which is Pillow's clamping.
    value as u8
}

/// `int(x * 255 + 0.5)` then Pillow's clamp.
fn unit_to_channel(value: f64) -> u8 {
    clamp_channel((value * 255.0 + 0.5).trunc())
}

fn parse_hex(hex: &str) -> Option<[u8; 3]> {
    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let digit = |i: usize| u8::from_str_radix(hex.get(i..=i)?, 16).ok();
    let pair = |i: usize| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok();
    match hex.len() {
        // `#rgb` and `#rgba` double each digit.
        3 | 4 => Some([digit(0)? * 17, digit(1)? * 17, digit(2)? * 17]),
        6 | 8 => Some([pair(0)?, pair(2)?, pair(4)?]),
        _ => None,
    }
}

/// Returns the comma-separated arguments of `name( … )`, whitespace-trimmed.
fn call_args(color: &str, name: &str) -> Option<Vec<String>> {
    let inner = color
        .strip_prefix(name)?
        .strip_prefix('(')?
        .strip_suffix(')')?;
    Some(inner.split(',').map(|a| a.trim().to_string()).collect())
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Pillow's `(\d+)` groups.
fn int_list(args: &[String], n: usize) -> Option<Vec<u64>> {
    if args.len() != n || !args.iter().all(|a| is_digits(a)) {
        return None;
    }
    // Saturate absurdly long digit strings instead of failing: Pillow would
    // parse them and then clamp to 255 anyway.
    Some(args.iter().map(|a| a.parse().unwrap_or(u64::MAX)).collect())
}

/// `rgb(\d+%, \d+%, \d+%)`.
fn percent_triple(args: &[String]) -> Option<[f64; 3]> {
    if args.len() != 3 {
        return None;
    }
    let mut out = [0.0; 3];
    for (slot, arg) in out.iter_mut().zip(args) {
        let digits = arg.strip_suffix('%')?;
        if !is_digits(digits) {
            return None;
        }
        *slot = digits.parse().ok()?;
    }
    Some(out)
}

/// Pillow's `(\d+\.?\d*)` number.
fn is_decimal(s: &str) -> bool {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    is_digits(int) && frac.bytes().all(|b| b.is_ascii_digit())
}

/// `hsl(h, s%, l%)` / `hsv(h, s%, v%)`: the first value has no `%`.
fn hue_triple(args: &[String]) -> Option<[f64; 3]> {
    if args.len() != 3 {
        return None;
    }
    let first = args[0].as_str();
    let second = args[1].strip_suffix('%')?;
    let third = args[2].strip_suffix('%')?;
    if ![first, second, third].iter().all(|s| is_decimal(s)) {
        return None;
    }
    Some([
        first.parse().ok()?,
        second.parse().ok()?,
        third.parse().ok()?,
    ])
}

/// Python's `colorsys.hls_to_rgb`.
fn hls_to_rgb(h: f64, l: f64, s: f64) -> [f64; 3] {
    if s == 0.0 {
        return [l, l, l];
    }
    let m2 = if l <= 0.5 {
        l * (1.0 + s)
    } else {
        l + s - (l * s)
    };
    let m1 = 2.0 * l - m2;
    [
        hls_value(m1, m2, h + 1.0 / 3.0),
        hls_value(m1, m2, h),
        hls_value(m1, m2, h - 1.0 / 3.0),
    ]
}

fn hls_value(m1: f64, m2: f64, hue: f64) -> f64 {
    // Python's float `%` takes the divisor's sign.
    let hue = hue.rem_euclid(1.0);
    if hue < 1.0 / 6.0 {
        m1 + (m2 - m1) * hue * 6.0
    } else if hue < 0.5 {
        m2
    } else if hue < 2.0 / 3.0 {
        m1 + (m2 - m1) * (2.0 / 3.0 - hue) * 6.0
    } else {
        m1
    }
}

/// Python's `colorsys.hsv_to_rgb`.
fn hsv_to_rgb(h: f64, s: f64, v: f64) -> [f64; 3] {
    if s == 0.0 {
        return [v, v, v];
    }
    let i = (h * 6.0).trunc();
    let f = h * 6.0 - i;
    let p = v * (1.0 - s);
    let q = v * (1.0 - s * f);
    let t = v * (1.0 - s * (1.0 - f));
    match (i as i64).rem_euclid(6) {
        0 => [v, t, p],
        1 => [q, v, p],
        2 => [p, v, t],
        3 => [p, q, v],
        4 => [t, p, v],
        _ => [v, p, q],
    }
}

/// `PIL.ImageColor.colormap` (Pillow 13), resolved to RGB and sorted by name
/// for binary search.
static COLOR_NAMES: &[(&str, [u8; 3])] = &[
    ("aliceblue", [240, 248, 255]),
    ("antiquewhite", [250, 235, 215]),
    ("aqua", [0, 255, 255]),
    ("aquamarine", [127, 255, 212]),
    ("azure", [240, 255, 255]),
    ("beige", [245, 245, 220]),
    ("bisque", [255, 228, 196]),
    ("black", [0, 0, 0]),
    ("blanchedalmond", [255, 235, 205]),
    ("blue", [0, 0, 255]),
    ("blueviolet", [138, 43, 226]),
    ("brown", [165, 42, 42]),
    ("burlywood", [222, 184, 135]),
    ("cadetblue", [95, 158, 160]),
    ("chartreuse", [127, 255, 0]),
    ("chocolate", [210, 105, 30]),
    ("coral", [255, 127, 80]),
    ("cornflowerblue", [100, 149, 237]),
    ("cornsilk", [255, 248, 220]),
    ("crimson", [220, 20, 60]),
    ("cyan", [0, 255, 255]),
    ("darkblue", [0, 0, 139]),
    ("darkcyan", [0, 139, 139]),
    ("darkgoldenrod", [184, 134, 11]),
    ("darkgray", [169, 169, 169]),
    ("darkgreen", [0, 100, 0]),
    ("darkgrey", [169, 169, 169]),
    ("darkkhaki", [189, 183, 107]),
    ("darkmagenta", [139, 0, 139]),
    ("darkolivegreen", [85, 107, 47]),
    ("darkorange", [255, 140, 0]),
    ("darkorchid", [153, 50, 204]),
    ("darkred", [139, 0, 0]),
    ("darksalmon", [233, 150, 122]),
    ("darkseagreen", [143, 188, 143]),
    ("darkslateblue", [72, 61, 139]),
    ("darkslategray", [47, 79, 79]),
    ("darkslategrey", [47, 79, 79]),
    ("darkturquoise", [0, 206, 209]),
    ("darkviolet", [148, 0, 211]),
    ("deeppink", [255, 20, 147]),
    ("deepskyblue", [0, 191, 255]),
    ("dimgray", [105, 105, 105]),
    ("dimgrey", [105, 105, 105]),
    ("dodgerblue", [30, 144, 255]),
    ("firebrick", [178, 34, 34]),
    ("floralwhite", [255, 250, 240]),
    ("forestgreen", [34, 139, 34]),
    ("fuchsia", [255, 0, 255]),
    ("gainsboro", [220, 220, 220]),
    ("ghostwhite", [248, 248, 255]),
    ("gold", [255, 215, 0]),
    ("goldenrod", [218, 165, 32]),
    ("gray", [128, 128, 128]),
    ("green", [0, 128, 0]),
    ("greenyellow", [173, 255, 47]),
    ("grey", [128, 128, 128]),
    ("honeydew", [240, 255, 240]),
    ("hotpink", [255, 105, 180]),
    ("indianred", [205, 92, 92]),
    ("indigo", [75, 0, 130]),
    ("ivory", [255, 255, 240]),
    ("khaki", [240, 230, 140]),
    ("lavender", [230, 230, 250]),
    ("lavenderblush", [255, 240, 245]),
    ("lawngreen", [124, 252, 0]),
    ("lemonchiffon", [255, 250, 205]),
    ("lightblue", [173, 216, 230]),
    ("lightcoral", [240, 128, 128]),
    ("lightcyan", [224, 255, 255]),
    ("lightgoldenrodyellow", [250, 250, 210]),
    ("lightgray", [211, 211, 211]),
    ("lightgreen", [144, 238, 144]),
    ("lightgrey", [211, 211, 211]),
    ("lightpink", [255, 182, 193]),
    ("lightsalmon", [255, 160, 122]),
    ("lightseagreen", [32, 178, 170]),
    ("lightskyblue", [135, 206, 250]),
    ("lightslategray", [119, 136, 153]),
    ("lightslategrey", [119, 136, 153]),
    ("lightsteelblue", [176, 196, 222]),
    ("lightyellow", [255, 255, 224]),
    ("lime", [0, 255, 0]),
    ("limegreen", [50, 205, 50]),
    ("linen", [250, 240, 230]),
    ("magenta", [255, 0, 255]),
    ("maroon", [128, 0, 0]),
    ("mediumaquamarine", [102, 205, 170]),
    ("mediumblue", [0, 0, 205]),
    ("mediumorchid", [186, 85, 211]),
    ("mediumpurple", [147, 112, 219]),
    ("mediumseagreen", [60, 179, 113]),
    ("mediumslateblue", [123, 104, 238]),
    ("mediumspringgreen", [0, 250, 154]),
    ("mediumturquoise", [72, 209, 204]),
    ("mediumvioletred", [199, 21, 133]),
    ("midnightblue", [25, 25, 112]),
    ("mintcream", [245, 255, 250]),
    ("mistyrose", [255, 228, 225]),
    ("moccasin", [255, 228, 181]),
    ("navajowhite", [255, 222, 173]),
    ("navy", [0, 0, 128]),
    ("oldlace", [253, 245, 230]),
    ("olive", [128, 128, 0]),
    ("olivedrab", [107, 142, 35]),
    ("orange", [255, 165, 0]),
    ("orangered", [255, 69, 0]),
    ("orchid", [218, 112, 214]),
    ("palegoldenrod", [238, 232, 170]),
    ("palegreen", [152, 251, 152]),
    ("paleturquoise", [175, 238, 238]),
    ("palevioletred", [219, 112, 147]),
    ("papayawhip", [255, 239, 213]),
    ("peachpuff", [255, 218, 185]),
    ("peru", [205, 133, 63]),
    ("pink", [255, 192, 203]),
    ("plum", [221, 160, 221]),
    ("powderblue", [176, 224, 230]),
    ("purple", [128, 0, 128]),
    ("rebeccapurple", [102, 51, 153]),
    ("red", [255, 0, 0]),
    ("rosybrown", [188, 143, 143]),
    ("royalblue", [65, 105, 225]),
    ("saddlebrown", [139, 69, 19]),
    ("salmon", [250, 128, 114]),
    ("sandybrown", [244, 164, 96]),
    ("seagreen", [46, 139, 87]),
    ("seashell", [255, 245, 238]),
    ("sienna", [160, 82, 45]),
    ("silver", [192, 192, 192]),
    ("skyblue", [135, 206, 235]),
    ("slateblue", [106, 90, 205]),
    ("slategray", [112, 128, 144]),
    ("slategrey", [112, 128, 144]),
    ("snow", [255, 250, 250]),
    ("springgreen", [0, 255, 127]),
    ("steelblue", [70, 130, 180]),
    ("tan", [210, 180, 140]),
    ("teal", [0, 128, 128]),
    ("thistle", [216, 191, 216]),
    ("tomato", [255, 99, 71]),
    ("turquoise", [64, 224, 208]),
    ("violet", [238, 130, 238]),
    ("wheat", [245, 222, 179]),
    ("white", [255, 255, 255]),
    ("whitesmoke", [245, 245, 245]),
    ("yellow", [255, 255, 0]),
    ("yellowgreen", [154, 205, 50]),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_sorted_for_binary_search() {
        assert!(COLOR_NAMES.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn pil_examples() {
        // Expected values from PIL.ImageColor.getrgb / Image.new('RGB', …).
        let cases: &[(&str, [u8; 3])] = &[
            ("white", [255, 255, 255]),
            ("Black", [0, 0, 0]),
            ("red", [255, 0, 0]),
            ("green", [0, 128, 0]),
            ("blue", [0, 0, 255]),
            ("gray", [128, 128, 128]),
            ("grey", [128, 128, 128]),
            ("rebeccapurple", [102, 51, 153]),
            ("transparent", [0, 0, 0]),
            ("#f73", [255, 119, 51]),
            ("#F73A", [255, 119, 51]),
            ("#ff7733", [255, 119, 51]),
            ("#ff773380", [255, 119, 51]),
            ("rgb(0, 127,35)", [0, 127, 35]),
            ("rgb(300,0,0)", [255, 0, 0]),
            ("rgb(50%,10%,100%)", [128, 26, 255]),
            ("rgba(1,2,3,4)", [1, 2, 3]),
            ("hsl(0,100%,50%)", [255, 0, 0]),
            ("hsl(120, 50%, 25%)", [32, 96, 32]),
            ("hsl(0,100%,150%)", [255, 255, 255]),
            ("hsv(240,100%,100%)", [0, 0, 255]),
            ("hsb(60.5,50%,50%)", [127, 128, 64]),
        ];
        for (spec, rgb) in cases {
            assert_eq!(parse_color(spec), Some(*rgb), "{spec}");
        }
    }

    #[test]
    fn rejects_unknown() {
        for spec in [
            "",
            "#12",
            "#12345",
            "#ggg",
            "rgb(1,2)",
            "hsl(1,2,3)",
            "nocolour",
            "rgb(-1,0,0)",
        ] {
            assert_eq!(parse_color(spec), None, "{spec}");
        }
        assert_eq!(parse_color(&"a".repeat(101)), None);
    }
}

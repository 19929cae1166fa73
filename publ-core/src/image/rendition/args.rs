//! Typed rendition arguments (spec M3–M10, section 4 item 13).
//!
//! Publ passes these around as a loose kwargs dict and tests them with Python
//! truthiness, so a zero (`width=0`, `quality=0`, `quantize=0`) means "not
//! given". The typed fields keep that rule: `Some(0)` behaves like `None`
//! everywhere in this module.

use std::str::FromStr;

use super::color::parse_color;

/// The kwargs that change a rendition and therefore go into the signed
/// `/_img` spec and the `fullsize_*` remapping (`RENDITION_ARG_FILTER`).
/// `quality_ldpi`/`quality_hdpi` are not in it: they are folded into
/// `quality` before a rendition is requested.
pub const RENDITION_KEYS: [&str; 17] = [
    "scale",
    "scale_min_width",
    "scale_min_height",
    "crop",
    "width",
    "height",
    "max_width",
    "max_height",
    "resize",
    "fill_crop_x",
    "fill_crop_y",
    "format",
    "background",
    "quality",
    "quantize",
    "lossless",
    "scale_filter",
];

/// Invalid rendition argument values.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ArgError {
    /// Publ: `ValueError("Unknown resize mode …")`.
    #[error("Unknown resize mode {0}")]
    ResizeMode(String),
    /// Publ: `ValueError("Invalid scale_filter value '…'")`.
    #[error("Invalid scale_filter value '{0}'")]
    ScaleFilter(String),
    #[error("invalid crop {0:?}: expected four non-negative integers x,y,w,h")]
    Crop(String),
    /// Publ (via Pillow): `ValueError("unknown color specifier: …")`.
    #[error("unknown color specifier: {0:?}")]
    Color(String),
    #[error("unsupported output format {0:?}")]
    Format(String),
    #[error("invalid {key}: {reason}")]
    Value { key: &'static str, reason: String },
}

/// How `width`/`height` are applied (spec M4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ResizeMode {
    /// Keep the aspect ratio inside the box.
    #[default]
    Fit,
    /// Crop to the exact box.
    Fill,
    /// Distort to the box.
    Stretch,
}

impl FromStr for ResizeMode {
    type Err = ArgError;

    /// Case-sensitive, as Publ compares the raw string.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "fit" => Ok(Self::Fit),
            "fill" => Ok(Self::Fill),
            "stretch" => Ok(Self::Stretch),
            other => Err(ArgError::ResizeMode(other.to_string())),
        }
    }
}

/// Pillow resampling filters (spec M6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScaleFilter {
    Nearest,
    Box,
    Bilinear,
    Hamming,
    Bicubic,
    Lanczos,
}

impl ScaleFilter {
    /// The `PIL.Image.Resampling` value, which is what Publ prints into the
    /// cache name (`f{scale_filter}` formats the IntEnum as its number).
    pub fn pil_id(self) -> u8 {
        match self {
            Self::Nearest => 0,
            Self::Lanczos => 1,
            Self::Bilinear => 2,
            Self::Bicubic => 3,
            Self::Box => 4,
            Self::Hamming => 5,
        }
    }
}

impl FromStr for ScaleFilter {
    type Err = ArgError;

    /// Publ looks up `getattr(Resampling, name.upper())`, so matching is
    /// case-insensitive. Pillow ≥ 11 also has MKS2013/MKS2021; there is no
    /// equivalent here, so they are rejected like any unknown name.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_uppercase().as_str() {
            "NEAREST" => Ok(Self::Nearest),
            "BOX" => Ok(Self::Box),
            "BILINEAR" => Ok(Self::Bilinear),
            "HAMMING" => Ok(Self::Hamming),
            "BICUBIC" => Ok(Self::Bicubic),
            "LANCZOS" => Ok(Self::Lanczos),
            _ => Err(ArgError::ScaleFilter(s.to_string())),
        }
    }
}

/// `crop=(x, y, w, h)` in source pixels, applied before sizing (spec M5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Crop {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

impl Crop {
    /// From the tuple/list form. Negative or zero-sized boxes are rejected
    /// up front: Pillow would only fail later, at render time.
    pub fn from_values(values: &[i64]) -> Result<Self, ArgError> {
        let err = || ArgError::Crop(format!("{values:?}"));
        let [x, y, w, h] = values else {
            return Err(err());
        };
        let conv = |v: &i64| u32::try_from(*v).map_err(|_| err());
        let crop = Self {
            x: conv(x)?,
            y: conv(y)?,
            width: conv(w)?,
            height: conv(h)?,
        };
        if crop.width == 0 || crop.height == 0 {
            return Err(err());
        }
        Ok(crop)
    }

    /// The quoted `'x,y,w,h'` form (`utils.parse_tuple_string` with `int`).
    pub fn parse(text: &str) -> Result<Self, ArgError> {
        let err = || ArgError::Crop(text.to_string());
        let values = text
            .split(',')
            .map(|part| parse_python_int(part.trim()).ok_or_else(err))
            .collect::<Result<Vec<_>, _>>()?;
        Self::from_values(&values).map_err(|_| err())
    }
}

/// Python `int(str)` for the plain decimal forms people write (sign, digits,
/// `_` separators).
fn parse_python_int(text: &str) -> Option<i64> {
    let (neg, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    if digits.is_empty()
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.contains("__")
        || !digits.bytes().all(|b| b.is_ascii_digit() || b == b'_')
    {
        return None;
    }
    let value: i64 = digits.replace('_', "").parse().ok()?;
    Some(if neg { -value } else { value })
}

/// `background=…` (spec M8): what to flatten onto, and how the value is
/// spelled in the cache name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Background {
    label: Option<String>,
    color: Option<[u8; 3]>,
}

impl Background {
    /// A colour string. Publ prints it verbatim into the file name
    /// (`b#ff7733`, `bwhite`), so the raw spelling is kept. It is validated
    /// here because Publ would only fail when rendering, after the name (and
    /// its directories) already existed; this also keeps `/` and other path
    /// syntax out of file names. An empty string is Publ's "flatten without
    /// a colour" (falsy value): alpha is dropped and no label is added.
    pub fn from_spec(spec: &str) -> Result<Self, ArgError> {
        if spec.is_empty() {
            return Ok(Self::drop_alpha());
        }
        let color = parse_color(spec).ok_or_else(|| ArgError::Color(spec.to_string()))?;
        Ok(Self {
            label: Some(format!("b{spec}")),
            color: Some(color),
        })
    }

    /// A tuple or list `(r, g, b)` (a fourth, alpha, value is accepted and
    /// ignored as `Image.new('RGB', …)` does). Channels clamp like Pillow.
    /// Publ labels it `b<r>-<g>-<b>`.
    pub fn from_tuple(values: &[i64]) -> Result<Self, ArgError> {
        if !(3..=4).contains(&values.len()) {
            return Err(ArgError::Color(format!("{values:?}")));
        }
        let clamp = |v: i64| v.clamp(0, 255) as u8;
        let label = values
            .iter()
            .map(|v| v.to_string())
            .collect::<Vec<_>>()
            .join("-");
        Ok(Self {
            label: Some(format!("b{label}")),
            color: Some([clamp(values[0]), clamp(values[1]), clamp(values[2])]),
        })
    }

    /// `background` present but falsy (`''`, `None`): Publ still flattens,
    /// but only by dropping the alpha channel.
    pub fn drop_alpha() -> Self {
        Self {
            label: None,
            color: None,
        }
    }

    /// The cache-name part, including its `b` prefix.
    pub fn label(&self) -> Option<&str> {
        self.label.as_deref()
    }

    /// The colour to composite onto; `None` means "just drop alpha".
    pub fn color(&self) -> Option<[u8; 3]> {
        self.color
    }
}

/// Every argument that changes a rendition (section 4 item 13), plus the
/// per-density quality overrides (spec M9).
///
/// Sizes are `f64` because Publ accepts Python ints or floats and does its
/// arithmetic in floats; integer inputs convert exactly.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RenditionArgs {
    pub scale: Option<f64>,
    pub scale_min_width: Option<f64>,
    pub scale_min_height: Option<f64>,
    pub crop: Option<Crop>,
    pub width: Option<f64>,
    pub height: Option<f64>,
    pub max_width: Option<f64>,
    pub max_height: Option<f64>,
    pub resize: Option<ResizeMode>,
    pub fill_crop_x: Option<f64>,
    pub fill_crop_y: Option<f64>,
    /// Output extension without the dot; case is kept for the file name.
    pub format: Option<String>,
    pub background: Option<Background>,
    pub quality: Option<u32>,
    pub quality_ldpi: Option<u32>,
    pub quality_hdpi: Option<u32>,
    pub quantize: Option<u32>,
    pub lossless: Option<bool>,
    pub scale_filter: Option<ScaleFilter>,
}

/// Python truthiness for a number: zero (and absence) means "not given".
pub(crate) fn given(value: Option<f64>) -> Option<f64> {
    value.filter(|v| *v != 0.0)
}

impl RenditionArgs {
    /// Rejects values that Publ would only trip over while rendering (NaN,
    /// negative sizes, an impossible palette size, an unknown format), so
    /// the failure surfaces where the markup is produced.
    pub fn validate(&self) -> Result<(), ArgError> {
        let sizes = [
            ("scale", self.scale),
            ("scale_min_width", self.scale_min_width),
            ("scale_min_height", self.scale_min_height),
            ("width", self.width),
            ("height", self.height),
            ("max_width", self.max_width),
            ("max_height", self.max_height),
        ];
        for (key, value) in sizes {
            if let Some(v) = value {
                if !v.is_finite() || v < 0.0 {
                    return Err(ArgError::Value {
                        key,
                        reason: format!("{v} is not a non-negative number"),
                    });
                }
            }
        }
        for (key, value) in [
            ("fill_crop_x", self.fill_crop_x),
            ("fill_crop_y", self.fill_crop_y),
        ] {
            if let Some(v) = value {
                if !v.is_finite() {
                    return Err(ArgError::Value {
                        key,
                        reason: format!("{v} is not a number"),
                    });
                }
            }
        }
        if let Some(q) = self.quantize {
            // Pillow: "colors must be between 1 and 256"; 0 is falsy.
            if q > 256 {
                return Err(ArgError::Value {
                    key: "quantize",
                    reason: format!("{q} colours (at most 256)"),
                });
            }
        }
        if let Some(format) = self.format.as_deref().filter(|f| !f.is_empty()) {
            if super::plan::OutputFormat::from_ext(&format!(".{format}")).is_none() {
                return Err(ArgError::Format(format.to_string()));
            }
        }
        Ok(())
    }

    /// The arguments Publ actually renders a density with: `_get_renditions`
    /// remaps `quality_ldpi` (1×) or `quality_hdpi` (2×) onto `quality`
    /// when present. Use this before signing a deferred `/_img` spec.
    pub fn for_density(&self, hidpi: bool) -> RenditionArgs {
        let mut out = self.clone();
        let over = if hidpi {
            self.quality_hdpi
        } else {
            self.quality_ldpi
        };
        if over.is_some() {
            out.quality = over;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_names_case_insensitive() {
        assert_eq!("LancZos".parse::<ScaleFilter>(), Ok(ScaleFilter::Lanczos));
        assert_eq!("nearest".parse::<ScaleFilter>(), Ok(ScaleFilter::Nearest));
        assert_eq!("BOX".parse::<ScaleFilter>(), Ok(ScaleFilter::Box));
        assert_eq!(
            "antialias".parse::<ScaleFilter>(),
            Err(ArgError::ScaleFilter("antialias".into()))
        );
        assert_eq!(
            "mks2013".parse::<ScaleFilter>(),
            Err(ArgError::ScaleFilter("mks2013".into()))
        );
    }

    #[test]
    fn resize_mode_exact() {
        assert_eq!("fill".parse::<ResizeMode>(), Ok(ResizeMode::Fill));
        assert!("Fill".parse::<ResizeMode>().is_err());
    }

    #[test]
    fn crop_forms() {
        let c = Crop {
            x: 10,
            y: 20,
            width: 300,
            height: 200,
        };
        assert_eq!(Crop::parse("10,20,300,200"), Ok(c));
        assert_eq!(Crop::parse(" 10 , 20,+300, 2_00 "), Ok(c));
        assert_eq!(Crop::from_values(&[10, 20, 300, 200]), Ok(c));
        assert!(Crop::parse("10,20,300").is_err());
        assert!(Crop::parse("10,20,300,2.5").is_err());
        assert!(Crop::parse("-1,20,300,200").is_err());
        assert!(Crop::parse("1,20,0,200").is_err());
        assert!(Crop::from_values(&[1, 2, 3]).is_err());
    }

    #[test]
    fn background_labels() {
        let b = Background::from_spec("#ff7733").expect("valid");
        assert_eq!(b.label(), Some("b#ff7733"));
        assert_eq!(b.color(), Some([255, 119, 51]));
        let b = Background::from_tuple(&[0, 127, 35]).expect("valid");
        assert_eq!(b.label(), Some("b0-127-35"));
        let b = Background::from_spec("").expect("valid");
        assert_eq!((b.label(), b.color()), (None, None));
        assert!(Background::from_spec("../x").is_err());
        assert!(Background::from_tuple(&[1, 2]).is_err());
    }

    #[test]
    fn density_remap() {
        let args = RenditionArgs {
            quality: Some(80),
            quality_hdpi: Some(35),
            ..Default::default()
        };
        assert_eq!(args.for_density(false).quality, Some(80));
        assert_eq!(args.for_density(true).quality, Some(35));
    }

    #[test]
    fn validation() {
        let ok = RenditionArgs {
            width: Some(0.0),
            format: Some("WebP".into()),
            quantize: Some(256),
            ..Default::default()
        };
        assert_eq!(ok.validate(), Ok(()));
        for bad in [
            RenditionArgs {
                width: Some(-1.0),
                ..Default::default()
            },
            RenditionArgs {
                scale: Some(f64::NAN),
                ..Default::default()
            },
            RenditionArgs {
                quantize: Some(257),
                ..Default::default()
            },
            RenditionArgs {
                format: Some("../x".into()),
                ..Default::default()
            },
        ] {
            assert!(bad.validate().is_err(), "{bad:?}");
        }
    }
}

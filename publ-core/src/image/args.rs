//! Image options by name, as Publ passes them around in dicts: later
//! layers override earlier ones (spec M19) and `prefix` renames (M18).

use crate::markup::arglist::Literal;

use super::rendition::{
    ArgError, Background, Crop, RenditionArgs, ResizeMode, ScaleFilter, RENDITION_KEYS,
};

/// Options in the order they were first given (Python dict order, which
/// decides attribute order in the markup).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Args(Vec<(String, Literal)>);

impl Args {
    pub fn new() -> Args {
        Args::default()
    }

    pub fn get(&self, key: &str) -> Option<&Literal> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub fn contains(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Sets `key`, keeping its first place as a dict update does.
    pub fn set(&mut self, key: &str, value: Literal) {
        match self.0.iter_mut().find(|(k, _)| k == key) {
            Some((_, v)) => *v = value,
            None => self.0.push((key.to_string(), value)),
        }
    }

    pub fn remove(&mut self, key: &str) {
        self.0.retain(|(k, _)| k != key);
    }

    /// `{**self, **over}`.
    pub fn merged(&self, over: &Args) -> Args {
        let mut out = self.clone();
        for (k, v) in &over.0 {
            out.set(k, v.clone());
        }
        out
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &Literal)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// A string option (`None` for other types or absence).
    pub fn str(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Literal::as_str)
    }

    pub fn f64(&self, key: &str) -> Option<f64> {
        self.get(key).and_then(Literal::as_f64)
    }

    /// Python truthiness of an option; absent is false.
    pub fn truthy(&self, key: &str) -> bool {
        self.get(key).is_some_and(Literal::truthy)
    }

    /// `prefix='index_'`: `index_width` replaces `width` and the prefixed
    /// keys go away; with a list of prefixes the last one wins.
    pub fn prefix_normalize(&self) -> Args {
        let prefixes: Vec<String> = match self.get("prefix") {
            None => return self.clone(),
            Some(Literal::Str(p)) => vec![p.clone()],
            Some(other) => other
                .as_slice()
                .unwrap_or_default()
                .iter()
                .filter_map(|p| p.as_str().map(str::to_string))
                .collect(),
        };
        let mut prefixed = Args::new();
        let mut removed = Vec::new();
        for prefix in &prefixes {
            for (k, v) in &self.0 {
                if let Some(rest) = k.strip_prefix(prefix.as_str()) {
                    prefixed.set(rest, v.clone());
                    removed.push(k.clone());
                }
            }
        }
        let mut out = self.merged(&prefixed);
        out.0.retain(|(k, _)| !removed.contains(k));
        out
    }

    /// Only the options that change the rendered file (for signing).
    pub fn rendition_only(&self) -> Args {
        Args(
            self.0
                .iter()
                .filter(|(k, _)| RENDITION_KEYS.contains(&k.as_str()))
                .cloned()
                .collect(),
        )
    }

    /// The typed rendition arguments; `None`, `False` and `0` count as not
    /// given, as Publ's `spec.get(...)` truthiness tests do.
    pub fn rendition(&self) -> Result<RenditionArgs, ArgError> {
        let num = |key: &'static str| -> Result<Option<f64>, ArgError> {
            match self.get(key) {
                None | Some(Literal::None) | Some(Literal::Bool(false)) => Ok(None),
                Some(v) => v.as_f64().map(Some).ok_or_else(|| ArgError::Value {
                    key,
                    reason: format!("{v} is not a number"),
                }),
            }
        };
        let int = |key: &'static str| -> Result<Option<u32>, ArgError> {
            Ok(num(key)?.map(|v| v.clamp(0.0, u32::MAX as f64) as u32))
        };
        let text = |key: &str| self.str(key).filter(|s| !s.is_empty());
        let crop = match self.get("crop") {
            None | Some(Literal::None) => None,
            Some(Literal::Str(s)) if s.is_empty() => None,
            Some(Literal::Str(s)) => Some(Crop::parse(s)?),
            Some(v) => Some(Crop::from_values(
                &ints(v).ok_or_else(|| ArgError::Crop(v.to_string()))?,
            )?),
        };
        let background = match self.get("background") {
            None => None,
            Some(Literal::Str(s)) => Some(Background::from_spec(s)?),
            Some(v) if !v.truthy() => Some(Background::drop_alpha()),
            Some(v) => Some(Background::from_tuple(
                &ints(v).ok_or_else(|| ArgError::Color(v.to_string()))?,
            )?),
        };
        Ok(RenditionArgs {
            scale: num("scale")?,
            scale_min_width: num("scale_min_width")?,
            scale_min_height: num("scale_min_height")?,
            crop,
            width: num("width")?,
            height: num("height")?,
            max_width: num("max_width")?,
            max_height: num("max_height")?,
            resize: text("resize").map(str::parse::<ResizeMode>).transpose()?,
            fill_crop_x: num("fill_crop_x")?,
            fill_crop_y: num("fill_crop_y")?,
            format: text("format").map(str::to_string),
            background,
            quality: int("quality")?,
            quality_ldpi: int("quality_ldpi")?,
            quality_hdpi: int("quality_hdpi")?,
            quantize: int("quantize")?,
            lossless: Some(self.truthy("lossless")),
            scale_filter: text("scale_filter")
                .map(str::parse::<ScaleFilter>)
                .transpose()?,
        })
    }
}

impl FromIterator<(String, Literal)> for Args {
    fn from_iter<I: IntoIterator<Item = (String, Literal)>>(iter: I) -> Args {
        let mut out = Args::new();
        for (k, v) in iter {
            out.set(&k, v);
        }
        out
    }
}

/// A tuple or list of integers (`crop=(x, y, w, h)`, `background=(r, g, b)`).
fn ints(value: &Literal) -> Option<Vec<i64>> {
    value.as_slice()?.iter().map(Literal::as_i64).collect()
}

/// Python's `str()` of a value, as attributes print it.
pub fn py_str(value: &Literal) -> String {
    match value {
        Literal::Str(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(pairs: &[(&str, Literal)]) -> Args {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    #[test]
    fn later_layers_override_in_place() {
        // spec M19
        let base = args(&[
            ("width", Literal::Int(320)),
            ("class", Literal::Str("a".into())),
        ]);
        let over = args(&[("width", Literal::Int(640))]);
        let merged = base.merged(&over);
        assert_eq!(merged.f64("width"), Some(640.0));
        assert_eq!(merged.iter().next().map(|(k, _)| k), Some("width"));
    }

    #[test]
    fn prefix_renames_and_drops_prefixed_keys() {
        // spec M18, the manual's example
        let a = args(&[
            ("prefix", Literal::Str("index_".into())),
            ("width", Literal::Int(320)),
            ("index_width", Literal::Int(256)),
        ]);
        let n = a.prefix_normalize();
        assert_eq!(n.f64("width"), Some(256.0));
        assert!(!n.contains("index_width"));
        let a = args(&[
            (
                "prefix",
                Literal::List(vec![Literal::Str("a_".into()), Literal::Str("b_".into())]),
            ),
            ("a_width", Literal::Int(1)),
            ("b_width", Literal::Int(2)),
        ]);
        assert_eq!(a.prefix_normalize().f64("width"), Some(2.0));
    }

    #[test]
    fn rendition_args_are_typed_and_checked() {
        let a = args(&[
            ("width", Literal::Int(320)),
            ("resize", Literal::Str("fill".into())),
            (
                "crop",
                Literal::Tuple(vec![
                    Literal::Int(1),
                    Literal::Int(2),
                    Literal::Int(3),
                    Literal::Int(4),
                ]),
            ),
            ("height", Literal::None),
        ]);
        let r = a.rendition().expect("valid");
        assert_eq!(r.width, Some(320.0));
        assert_eq!(r.height, None);
        assert_eq!(r.resize, Some(ResizeMode::Fill));
        assert!(r.crop.is_some());
        assert!(args(&[("resize", Literal::Str("squash".into()))])
            .rendition()
            .is_err());
        assert!(args(&[("width", Literal::Str("wide".into()))])
            .rendition()
            .is_err());
    }
}

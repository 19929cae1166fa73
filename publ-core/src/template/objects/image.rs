//! The template `image()` object (spec E6, M20, M21) and the conversion of
//! template and config values into image options.

use std::collections::BTreeMap;
use std::sync::Arc;

use minijinja::value::{Object, ObjectRepr, ValueKind};
use minijinja::{Error, ErrorKind, State, Value};

use super::args::{bad_argument, CallArgs};
use super::map_value;
use crate::config::Config;
use crate::image::{Args, Image, ImageError, Scope};
use crate::markup::arglist::Literal;

/// A template value as the Python literal an image option would be.
pub fn literal(value: &Value) -> Literal {
    match value.kind() {
        ValueKind::Undefined | ValueKind::None => Literal::None,
        ValueKind::Bool => Literal::Bool(value.is_true()),
        ValueKind::Number => match value.as_i64() {
            Some(i) if !value.to_string().contains(['.', 'e', 'E']) => Literal::Int(i),
            _ => Literal::Float(f64::try_from(value.clone()).unwrap_or(0.0)),
        },
        ValueKind::Seq | ValueKind::Iterable => Literal::List(
            value
                .try_iter()
                .map(|items| items.map(|v| literal(&v)).collect())
                .unwrap_or_default(),
        ),
        ValueKind::Map => Literal::Dict(
            value
                .try_iter()
                .map(|keys| {
                    keys.map(|k| {
                        let v = value.get_item(&k).unwrap_or_default();
                        (literal(&k), literal(&v))
                    })
                    .collect()
                })
                .unwrap_or_default(),
        ),
        _ => Literal::Str(value.to_string()),
    }
}

/// A call's keyword arguments as image options.
pub fn image_args(keywords: &BTreeMap<String, Value>) -> Args {
    keywords
        .iter()
        .map(|(k, v)| (k.clone(), literal(v)))
        .collect()
}

fn toml_literal(value: &toml::Value) -> Literal {
    match value {
        toml::Value::String(s) => Literal::Str(s.clone()),
        toml::Value::Integer(i) => Literal::Int(*i),
        toml::Value::Float(f) => Literal::Float(*f),
        toml::Value::Boolean(b) => Literal::Bool(*b),
        toml::Value::Datetime(d) => Literal::Str(d.to_string()),
        toml::Value::Array(items) => Literal::List(items.iter().map(toml_literal).collect()),
        toml::Value::Table(t) => Literal::Dict(
            t.iter()
                .map(|(k, v)| (Literal::Str(k.clone()), toml_literal(v)))
                .collect(),
        ),
    }
}

/// The site's `layout` table: the options every image starts from (M19).
pub fn layout_args(config: &Config) -> Args {
    config
        .layout
        .iter()
        .map(|(k, v)| (k.clone(), toml_literal(v)))
        .collect()
}

fn image_error(err: ImageError) -> Error {
    Error::new(ErrorKind::InvalidOperation, err.to_string())
}

/// `image(path)`: prints as its URL, calls as `image(p)(output_scale, **args)`.
#[derive(Debug)]
pub struct ImageObject {
    pub image: Image,
    pub scope: Scope,
}

impl ImageObject {
    pub fn value(scope: Scope, path: &str) -> Value {
        Value::from_object(ImageObject {
            image: scope.image(path),
            scope,
        })
    }

    /// `get_rendition(output_scale=1, **args)`.
    fn rendition(&self, args: &CallArgs) -> Result<(String, Option<(u32, u32)>), Error> {
        let scale = args
            .get(0, "output_scale")
            .and_then(|v| f64::try_from(v).ok())
            .unwrap_or(1.0);
        let mut keywords = args.keywords.clone();
        keywords.remove("output_scale");
        self.image
            .rendition(&self.scope, scale, &image_args(&keywords))
            .map_err(image_error)
    }

    fn url(&self, args: &CallArgs) -> Result<String, Error> {
        self.rendition(args).map(|(url, _)| url)
    }
}

/// A Python dict argument (`get_img_attrs(params)`) as options.
fn dict_args(value: Option<Value>) -> Args {
    match value.as_ref().map(literal) {
        Some(Literal::Dict(pairs)) => pairs
            .into_iter()
            .filter_map(|(k, v)| Some((k.as_str()?.to_string(), v)))
            .collect(),
        _ => Args::new(),
    }
}

impl Object for ImageObject {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn render(self: &Arc<Self>, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.url(&CallArgs::default()) {
            Ok(url) => f.write_str(&url),
            Err(err) => {
                tracing::error!(error = %err, "image has no URL");
                Err(std::fmt::Error)
            }
        }
    }

    fn call(self: &Arc<Self>, _state: &mut State<'_, '_>, args: &[Value]) -> Result<Value, Error> {
        Ok(Value::from(self.url(&CallArgs::parse(args)?)?))
    }

    fn call_method(
        self: &Arc<Self>,
        _state: &mut State<'_, '_>,
        method: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        let args = CallArgs::parse(args)?;
        let (scope, image) = (&self.scope, &self.image);
        match method {
            "get_rendition" => {
                let (url, size) = self.rendition(&args)?;
                let size = match size {
                    Some((w, h)) => Value::from(vec![Value::from(w), Value::from(h)]),
                    None => Value::from(()),
                };
                Ok(Value::from(vec![Value::from(url), size]))
            }
            "get_img_tag" => {
                let mut keywords = args.keywords.clone();
                for name in ["title", "alt_text"] {
                    keywords.remove(name);
                }
                let html = image
                    .img_tag(
                        scope,
                        args.string(0, "title").as_deref(),
                        args.string(1, "alt_text").as_deref(),
                        true,
                        &image_args(&keywords),
                    )
                    .map_err(image_error)?;
                Ok(Value::from_safe_string(html))
            }
            "get_img_attrs" => {
                let attrs = image
                    .img_attrs(scope, &dict_args(args.get(0, "params")))
                    .map_err(image_error)?;
                Ok(map_value(
                    attrs
                        .into_iter()
                        .map(|(k, v)| (k, v.map_or(Value::from(()), Value::from))),
                ))
            }
            "get_css_background" => {
                let mut keywords = args.keywords.clone();
                keywords.remove("uncomment");
                Ok(Value::from(image.css_background(
                    scope,
                    args.flag(0, "uncomment", false),
                    &image_args(&keywords),
                )))
            }
            "get_fullsize" => image
                .fullsize(scope, &dict_args(args.get(0, "kwargs")))
                .map(Value::from)
                .map_err(image_error),
            _ => Err(bad_argument(format!("image has no method {method}"))),
        }
    }
}

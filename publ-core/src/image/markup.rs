//! The tags around an image (spec M12-M16, M20-M22): `<img>` attributes,
//! HiDPI `srcset`, links and lightbox galleries, CSS backgrounds, and the
//! CSS sizing of images we cannot resize.

use super::args::{py_str, Args};
use super::lookup::Image;
use super::rendition::{plan, Plan, RENDITION_KEYS};
use super::{ImageError, Scope};
use crate::content::slug::slugify;
use crate::markup::arglist::Literal;
use crate::markup::html::{escape, make_tag};

/// The 1x URL, the 2x URL (when another file) and the 1x size.
type Pair = (String, Option<String>, Option<(u32, u32)>);

pub use crate::markup::html::Attrs;

fn set(attrs: &mut Attrs, key: &str, value: Option<String>) {
    match attrs.iter_mut().find(|(k, _)| k == key) {
        Some((_, v)) => *v = value,
        None => attrs.push((key.to_string(), value)),
    }
}

/// Python's `dict.get(a, dict.get(b))` over two option names.
fn either<'a>(args: &'a Args, first: &str, second: &str) -> Option<&'a Literal> {
    args.get(first).or_else(|| args.get(second))
}

/// `make_tag` semantics for an option value: `False` drops the attribute,
/// `None` makes it bare.
fn attr_value(value: &Literal) -> Option<Option<String>> {
    match value {
        Literal::Bool(false) => None,
        Literal::None => Some(None),
        other => Some(Some(py_str(other))),
    }
}

/// `quality_ldpi`/`quality_hdpi` stand in for `quality` per density (M9).
fn for_density(args: &Args, hidpi: bool) -> Args {
    let mut out = args.clone();
    let key = if hidpi {
        "quality_hdpi"
    } else {
        "quality_ldpi"
    };
    if let Some(q) = args.get(key) {
        out.set("quality", q.clone());
    }
    out
}

impl Image {
    fn plan(&self, output_scale: f64, args: &Args) -> Result<Option<Plan>, ImageError> {
        let Image::Local { info, .. } = self else {
            return Ok(None);
        };
        let slug = slugify(&info.stem, None, false);
        Ok(Some(plan(info, &args.rendition()?, output_scale, &slug)?))
    }

    /// `(url, size)` of one rendition; external images have no size.
    pub fn rendition(
        &self,
        scope: &Scope,
        output_scale: f64,
        args: &Args,
    ) -> Result<(String, Option<(u32, u32)>), ImageError> {
        let absolute = args.truthy("absolute");
        let url = match self {
            Image::Local { path, .. } => {
                let Some(plan) = self.plan(output_scale, args)? else {
                    return Err(ImageError::NotFound(self.filename()));
                };
                let url = if scope.images.is_rendered(&plan) {
                    scope.static_url(&scope.images.static_file(&plan), absolute)
                } else {
                    let pending = scope.images.pending_path(path, output_scale, args);
                    scope.site_url(&pending, absolute)
                };
                return Ok((url, Some(plan.size)));
            }
            Image::Static(file) => scope.static_url(file, absolute),
            Image::Remote(url) => url.clone(),
            Image::Asset(name) => scope.site_url(
                &format!("/_file/{}", crate::urls::quote_path(name)),
                absolute,
            ),
            Image::NotFound(path) => return Err(ImageError::NotFound(path.clone())),
            Image::Broken { name, reason } => {
                return Err(ImageError::Unreadable {
                    name: name.clone(),
                    reason: reason.clone(),
                })
            }
        };
        Ok((url, None))
    }

    /// The 1x URL, the 2x URL when it differs, and the size. Publ compares
    /// URLs: while renditions are pending their signed URLs differ (they
    /// carry the scale), so a srcset is written until both exist and turn
    /// out to be the same file.
    fn renditions(&self, scope: &Scope, args: &Args) -> Result<Pair, ImageError> {
        let (url_1x, size) = self.rendition(scope, 1.0, &for_density(args, false))?;
        let (url_2x, _) = self.rendition(scope, 2.0, &for_density(args, true))?;
        let url_2x = (url_2x != url_1x).then_some(url_2x);
        Ok((url_1x, url_2x, size))
    }

    /// `get_img_attrs` (M12): src/size/srcset, then loading, class, id and
    /// style.
    pub fn img_attrs(&self, scope: &Scope, params: &Args) -> Result<Attrs, ImageError> {
        let params = params.prefix_normalize();
        let mut styles = Vec::new();
        let mut attrs = match self {
            Image::Local { .. } => {
                let (url_1x, url_2x, size) = self.renditions(scope, &params)?;
                let (w, h) = size.unwrap_or_default();
                let mut attrs: Attrs = vec![
                    ("src".into(), Some(url_1x.clone())),
                    ("width".into(), Some(w.to_string())),
                    ("height".into(), Some(h.to_string())),
                ];
                if let Some(url_2x) = url_2x {
                    attrs.push(("srcset".into(), Some(format!("{url_1x} 1x, {url_2x} 2x"))));
                }
                attrs
            }
            Image::NotFound(_) | Image::Broken { .. } => {
                return Err(self
                    .rendition(scope, 1.0, &params)
                    .err()
                    .unwrap_or_else(|| ImageError::NotFound(self.filename())))
            }
            _ => self.external_attrs(scope, &params, &mut styles)?,
        };
        match params.get("image_loading") {
            None => set(&mut attrs, "loading", Some("lazy".into())),
            Some(v) => {
                if let Some(v) = attr_value(v) {
                    set(&mut attrs, "loading", v);
                } else {
                    attrs.retain(|(k, _)| k != "loading");
                }
            }
        }
        for key in ["img_style", "style"] {
            match params.get(key) {
                None | Some(Literal::None) => {}
                Some(v) => match v.as_slice() {
                    Some(items) => styles.extend(items.iter().map(py_str)),
                    None => styles.push(py_str(v)),
                },
            }
        }
        if let Some(shape) = self.shape_url(scope, &params)? {
            styles.push(format!("shape-outside: url('{shape}')"));
        }
        for (name, first, second) in [("class", "img_class", "class"), ("id", "img_id", "id")] {
            match either(&params, first, second) {
                None | Some(Literal::None) => {}
                Some(v) => {
                    if let Some(v) = attr_value(v) {
                        set(&mut attrs, name, v);
                    }
                }
            }
        }
        if !styles.is_empty() {
            set(&mut attrs, "style", Some(styles.join(";")));
        }
        if params.contains("_mark_rewritten") {
            set(&mut attrs, "data-publ-rewritten", Some("True".into()));
        }
        Ok(attrs)
    }

    /// Images we do not resize get their size from CSS (M22).
    fn external_attrs(
        &self,
        scope: &Scope,
        spec: &Args,
        styles: &mut Vec<String>,
    ) -> Result<Attrs, ImageError> {
        let absolute = spec.truthy("absolute");
        let (url, _) = self.rendition(scope, 1.0, spec)?;
        let mut attrs: Attrs = vec![("src".into(), Some(url.clone()))];
        if let Some(v) = either(spec, "class", "img_class").and_then(attr_value) {
            set(&mut attrs, "class", v);
        }
        if let Some(v) = spec.get("id").and_then(attr_value) {
            set(&mut attrs, "id", v);
        }
        if spec.truthy("_no_resize_external") {
            return Ok(attrs);
        }
        let size = |key: &str| spec.get(key).filter(|v| v.truthy()).cloned();
        let (mut width, mut height) = (size("width"), size("height"));
        let (max_width, max_height) = (size("max_width"), size("max_height"));
        let num = |v: &Literal| v.as_f64().unwrap_or(0.0);
        if let (Some(w), Some(mw)) = (&width, &max_width) {
            if num(mw) < num(w) {
                if let Some(h) = &height {
                    height = Some(Literal::Float(num(h) * num(mw) / num(w)));
                }
                width = Some(mw.clone());
            }
        }
        if let (Some(h), Some(mh)) = (&height, &max_height) {
            if num(mh) < num(h) {
                if let Some(w) = &width {
                    width = Some(Literal::Float(num(w) * num(mh) / num(h)));
                }
                height = Some(mh.clone());
            }
        }
        let mode = spec.str("resize").unwrap_or("fit");
        if width.is_some() && height.is_some() && mode != "stretch" {
            let css_mode = match mode {
                "fit" => "contain",
                "fill" => "cover",
                other => {
                    return Err(ImageError::Spec {
                        spec: other.to_string(),
                        message: "unknown resize mode".into(),
                    })
                }
            };
            let crop = |key: &str| spec.f64(key).unwrap_or(0.5) * 100.0;
            styles.extend([
                format!("background-image:url('{}')", escape(&url)),
                format!("background-size:{css_mode}"),
                format!(
                    "background-position:{:.2}% {:.2}%",
                    crop("fill_crop_x"),
                    crop("fill_crop_y")
                ),
                "background-repeat:no-repeat".to_string(),
            ]);
            set(&mut attrs, "src", Some(scope.site_url("/_", absolute)));
        }
        if let Some(w) = width {
            set(&mut attrs, "width", Some(py_str(&w)));
        }
        if let Some(h) = height {
            set(&mut attrs, "height", Some(py_str(&h)));
        }
        if let Some(mw) = max_width {
            styles.push(format!("max-width:{}px", py_str(&mw)));
        }
        if let Some(mh) = max_height {
            styles.push(format!("max-height:{}px", py_str(&mh)));
        }
        Ok(attrs)
    }

    /// `shape`: the image's own (or another image's) rendition as
    /// `shape-outside` (M13), sized with the size options only.
    fn shape_url(&self, scope: &Scope, params: &Args) -> Result<Option<String>, ImageError> {
        let Some(shape) = params.get("shape").filter(|s| s.truthy()) else {
            return Ok(None);
        };
        let size_args: Args = params
            .iter()
            .filter(|(k, _)| {
                matches!(
                    *k,
                    "width" | "height" | "max_width" | "max_height" | "absolute" | "crop"
                )
            })
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        let url = match shape {
            Literal::Bool(true) => self.rendition(scope, 1.0, &size_args)?.0,
            other => {
                scope
                    .image(&py_str(other))
                    .rendition(scope, 1.0, &size_args)?
                    .0
            }
        };
        Ok(Some(url))
    }

    /// `get_img_tag` (M12, M14, M15, M26): the `<img>`, wrapped in its link;
    /// a missing image is Publ's inline error.
    pub fn img_tag(
        &self,
        scope: &Scope,
        title: Option<&str>,
        alt: Option<&str>,
        show_thumbnail: bool,
        args: &Args,
    ) -> Result<String, ImageError> {
        let attrs = match self.img_attrs(scope, args) {
            Ok(attrs) => attrs,
            Err(ImageError::NotFound(name)) => return Ok(not_found(&name)),
            Err(other) => return Err(other),
        };
        let mut attrs = attrs;
        let alt = alt.filter(|a| !a.is_empty()).map(str::to_string);
        set(
            &mut attrs,
            "alt",
            Some(alt.unwrap_or_else(|| self.filename())),
        );
        if let Some(title) = title.filter(|t| !t.is_empty()) {
            set(&mut attrs, "title", Some(title.to_string()));
        }
        let thumb = if show_thumbnail {
            make_tag("img", &attrs, args.truthy("xhtml"))
        } else {
            String::new()
        };
        match self.wrap_link(scope, args, &thumb, title) {
            Ok(html) => Ok(html),
            Err(ImageError::NotFound(name)) => Ok(not_found(&name)),
            Err(other) => Err(other),
        }
    }

    fn wrap_link(
        &self,
        scope: &Scope,
        args: &Args,
        text: &str,
        title: Option<&str>,
    ) -> Result<String, ImageError> {
        let link = args.get("link");
        if matches!(link, Some(Literal::Bool(false))) {
            return Ok(text.to_string());
        }
        let link_class = args.get("link_class").and_then(attr_value);
        let self_link = matches!(link, Some(Literal::Bool(true)));
        if let Some(target) = link.filter(|l| l.truthy() && !self_link) {
            let mut attrs: Attrs = vec![(
                "href".into(),
                Some(scope.remap_link(&py_str(target), args.truthy("absolute"))),
            )];
            if let Some(class) = link_class {
                attrs.push(("class".into(), class));
            }
            return Ok(format!("{}{text}</a>", make_tag("a", &attrs, false)));
        }
        let gallery = args.get("gallery_id").filter(|g| g.truthy() && !self_link);
        if !self_link && gallery.is_none() {
            return Ok(text.to_string());
        }
        let mut attrs: Attrs = vec![("href".into(), Some(self.fullsize(scope, args)?))];
        if let Some(g) = gallery.and_then(attr_value) {
            attrs.push(("data-lightbox".into(), g));
        }
        if let Some(t) = title.filter(|t| !t.is_empty()) {
            attrs.push(("title".into(), Some(t.to_string())));
        }
        if let Some(class) = link_class {
            attrs.push(("class".into(), class));
        }
        Ok(format!("{}{text}</a>", make_tag("a", &attrs, false)))
    }

    /// `get_fullsize` (M16): the `fullsize_*` options as a 1x rendition.
    pub fn fullsize(&self, scope: &Scope, args: &Args) -> Result<String, ImageError> {
        let mut full = Args::new();
        if let Some(abs) = args.get("absolute") {
            full.set("absolute", abs.clone());
        }
        for key in RENDITION_KEYS {
            if let Some(v) = args.get(&format!("fullsize_{key}")) {
                full.set(key, v.clone());
            }
        }
        Ok(self.rendition(scope, 1.0, &full)?.0)
    }

    /// `get_css_background` (M21).
    pub fn css_background(&self, scope: &Scope, uncomment: bool, args: &Args) -> String {
        let text = match self {
            Image::NotFound(path) => format!("/* not found: {path} */"),
            Image::Local { .. } => match self.renditions(scope, args) {
                Ok((url_1x, url_2x, _)) => {
                    let mut css = format!("background-image: url('{url_1x}');");
                    if let Some(url_2x) = url_2x {
                        css.push_str(&format!(
                            "background-image: image-set(url('{url_1x}') 1x, url('{url_2x}') 2x);"
                        ));
                    }
                    css
                }
                Err(err) => format!("/* {err} */"),
            },
            _ => match self.rendition(scope, 1.0, args) {
                Ok((url, _)) => format!("background-image: url('{url}');"),
                Err(err) => format!("/* {err} */"),
            },
        };
        if uncomment {
            format!(" */ {text} /* ")
        } else {
            text
        }
    }
}

/// Publ's inline error for a missing image (M26).
pub fn not_found(name: &str) -> String {
    let mut text = format!(
        "<span class=\"error\">Image not found: <code>{}</code>",
        escape(name)
    );
    if name.contains(' ') {
        text.push_str(" (Did you forget a <code>|</code>?)");
    }
    text.push_str("</span>");
    text
}

/// An `<img>` of an HTML entry (or raw HTML in Markdown) as a rendition
/// (spec L4): `width`/`height` attributes and `{}` options in `src` over
/// the page's options; computed attributes replace the written ones.
/// Images our Markdown already rendered are only unmarked.
pub fn rewrite_img(scope: &Scope, config: &Args, attrs: Attrs) -> Attrs {
    let lower = |k: &str| k.to_ascii_lowercase();
    if attrs.iter().any(|(k, _)| k == "data-publ-rewritten") {
        return attrs
            .into_iter()
            .filter(|(k, _)| k != "data-publ-rewritten")
            .collect();
    }
    let mut attr_args = Args::new();
    let mut src = None;
    for (k, v) in &attrs {
        match (lower(k).as_str(), v) {
            (key @ ("width" | "height"), Some(v)) => {
                if let Ok(n) = v.trim().parse::<i64>() {
                    attr_args.set(key, Literal::Int(n));
                }
            }
            ("src", Some(v)) => src = Some(v.clone()),
            _ => {}
        }
    }
    let Some(src) = src else {
        return attrs;
    };
    let computed = super::set::parse_image_spec(&src)
        .map_err(|message| ImageError::Spec {
            spec: src.clone(),
            message,
        })
        .and_then(|(path, args, _)| {
            scope
                .image(&path)
                .img_attrs(scope, &config.merged(&attr_args).merged(&args))
        });
    let computed: Attrs = match computed {
        Ok(computed) => computed,
        Err(ImageError::NotFound(name)) => vec![(
            "data-publ-error".into(),
            Some(format!("File Not Found: {name}")),
        )],
        Err(err) => {
            tracing::warn!(src, error = %err, "cannot show image");
            vec![("data-publ-error".into(), Some(format!("Error: {err}")))]
        }
    };
    let mut out: Attrs = attrs
        .into_iter()
        .filter(|(k, _)| !computed.iter().any(|(c, _)| *c == lower(k)))
        .collect();
    out.extend(computed);
    out
}

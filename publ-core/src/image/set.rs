//! Markdown image sets (spec M17, M19, section 4 item 13):
//! `![alt{container args}](a.jpg{args} "title" | b.jpg)` as Publ's
//! Markdown renderer writes them.

use super::args::{py_str, Args};
use super::{ImageError, Scope};
use crate::markup::arglist::{parse_spec, Literal};
use crate::markup::html::{escape, make_tag};

/// `parse_img_config`: text and options, up to two positionals being width
/// and height.
pub fn parse_img_config(text: &str) -> Result<(String, Args), String> {
    let (rest, list) = parse_spec(text, Some(2)).map_err(|e| e.to_string())?;
    let mut args: Args = list.keywords.into_iter().collect();
    for (i, key) in ["width", "height"].into_iter().enumerate() {
        let Some(value) = list.positional.get(i) else {
            continue;
        };
        if args.contains(key) {
            return Err(format!("Got multiple values for {key}"));
        }
        // Publ calls int() here, so `{None,240}` is an error there; taking
        // None as "not given" is what the manual documents.
        let value = match value {
            Literal::None => continue,
            Literal::Int(_) => value.clone(),
            Literal::Float(f) => Literal::Int(f.trunc() as i64),
            Literal::Str(s) => Literal::Int(
                s.trim()
                    .parse()
                    .map_err(|_| format!("invalid literal for int(): {s:?}"))?,
            ),
            other => return Err(format!("{key} must be a number, not {other}")),
        };
        args.set(key, value);
    }
    Ok((rest, args))
}

/// `parse_image_spec`: path, options and the `"title"`.
pub fn parse_image_spec(spec: &str) -> Result<(String, Args, Option<String>), String> {
    let (mut path, mut title) = (spec.to_string(), None);
    // `(.+)\s+"(.*)"\s*$`, greedy: the title runs from the last `"` that
    // follows whitespace... and is itself the last quoted part.
    let trimmed = spec.trim_end();
    if let Some(body) = trimmed.strip_suffix('"') {
        let mut best = None;
        for (i, _) in body.match_indices('"') {
            let before = &body[..i];
            if before.trim_end().len() < before.len() && !before.trim_end().is_empty() {
                best = Some(i);
            }
        }
        if let Some(i) = best {
            path = body[..i].trim_end().to_string();
            title = Some(crate::markup::html::unescape(&body[i + 1..]));
        }
    }
    let (path, args) = parse_img_config(&path)?;
    Ok((path, args, title))
}

/// Each spec of a `|` set and whether it shows a thumbnail (`count`,
/// `count_offset`).
pub fn spec_list(specs: &str, container: &Args) -> Vec<(String, bool)> {
    let list: Vec<String> = specs.split('|').map(|s| s.trim().to_string()).collect();
    let Some(count) = container.get("count").and_then(Literal::as_i64) else {
        return list.into_iter().map(|s| (s, true)).collect();
    };
    let offset = container
        .get("count_offset")
        .and_then(Literal::as_i64)
        .unwrap_or(0);
    list.into_iter()
        .enumerate()
        .map(|(i, s)| {
            let i = i as i64;
            (s, i >= offset && i < offset + count)
        })
        .collect()
}

/// The HTML for one Markdown image (set): `alt` and `specs` are the raw
/// text between the brackets and the parentheses; `config` the template's
/// options (over the site's `layout`). `caption_html` renders a caption's
/// Markdown.
pub fn render_set(
    scope: &Scope,
    config: &Args,
    alt: &str,
    specs: &str,
    caption_html: impl Fn(&str) -> String,
) -> String {
    let (alt, container) = match parse_img_config(alt) {
        Ok(parsed) => parsed,
        Err(err) => {
            return format!(
                "<span class=\"error\">Couldn't parse image spec: <code>{}</code> {}</span>",
                escape(alt),
                escape(&err)
            )
        }
    };
    let container = config.merged(&container).prefix_normalize();
    let list = spec_list(specs, &container);
    let mut text = String::new();
    let mut remain = 0;
    for (spec, show) in &list {
        text.push_str(&render_one(scope, spec, *show, &container, &alt));
        if !show {
            remain += 1;
        }
    }
    if remain > 0 {
        if let Some(more) = container.get("more_text") {
            let more = py_str(more)
                .replace("{count}", &list.len().to_string())
                .replace("{remain}", &remain.to_string());
            match container.get("more_link") {
                Some(link) => {
                    let mut attrs = vec![("href".to_string(), Some(py_str(link)))];
                    if let Some(class) = container.get("more_class").filter(|c| c.truthy()) {
                        attrs.push(("class".into(), Some(py_str(class))));
                    }
                    text.push_str(&format!("{}{more}</a>", make_tag("a", &attrs, false)));
                }
                None => text.push_str(&more),
            }
        }
    }
    let div_class = container.get("div_class").filter(|c| c.truthy());
    let div_style = container.get("div_style").filter(|c| c.truthy());
    if !text.is_empty() && (div_class.is_some() || div_style.is_some()) {
        let mut attrs = Vec::new();
        if let Some(class) = div_class {
            attrs.push(("class".to_string(), Some(py_str(class))));
        }
        if let Some(style) = div_style {
            attrs.push(("style".to_string(), Some(py_str(style))));
        }
        text = format!("{}{text}</div>", make_tag("div", &attrs, false));
    }
    let caption = container.get("caption").filter(|c| c.truthy());
    if !text.is_empty() && (container.truthy("figure") || caption.is_some()) {
        let mut attrs = Vec::new();
        if let Some(Literal::Str(class)) = container.get("figure") {
            attrs.push(("class".to_string(), Some(class.clone())));
        }
        let caption = caption
            .map(|c| format!("<figcaption>{}</figcaption>", caption_html(&py_str(c))))
            .unwrap_or_default();
        text = format!(
            "{}{text}{caption}</figure>",
            make_tag("figure", &attrs, false)
        );
    }
    text
}

fn render_one(scope: &Scope, spec: &str, show: bool, container: &Args, alt: &str) -> String {
    let (path, args, title) = match parse_image_spec(spec) {
        Ok(parsed) => parsed,
        Err(err) => {
            tracing::warn!(spec, error = %err, "bad image spec");
            return format!(
                "<span class=\"error\">Couldn't parse image spec: <code>{}</code> {}</span>",
                escape(spec),
                escape(&err)
            );
        }
    };
    let mut args = container.merged(&args);
    args.set("_mark_rewritten", Literal::Bool(true));
    let image = scope.image(&path);
    match image.img_tag(scope, title.as_deref(), Some(alt), show, &args) {
        Ok(html) => html,
        Err(err) => {
            tracing::warn!(path, error = %err, "cannot show image");
            error_span(spec, &err)
        }
    }
}

fn error_span(spec: &str, err: &ImageError) -> String {
    format!(
        "<span class=\"error\">Error loading image {}: {}</span>",
        escape(spec),
        escape(&err.to_string())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_split_into_path_args_title() {
        // section 4 item 13
        let (path, args, title) =
            parse_image_spec("photo.jpg{320,240,resize='fill'} \"A &amp; B\"").expect("valid");
        assert_eq!(path, "photo.jpg");
        assert_eq!(args.f64("width"), Some(320.0));
        assert_eq!(args.f64("height"), Some(240.0));
        assert_eq!(args.str("resize"), Some("fill"));
        assert_eq!(title.as_deref(), Some("A & B"));
        let (path, args, title) = parse_image_spec("a b.jpg").expect("valid");
        assert_eq!((path.as_str(), title), ("a b.jpg", None));
        assert!(args.iter().next().is_none());
        assert!(parse_image_spec("x.jpg{320,width=3}").is_err());
        assert!(parse_image_spec("x.jpg{1,2,3}").is_err());
        assert!(parse_img_config("{None,240}").is_ok());
    }

    #[test]
    fn count_hides_images_outside_the_window() {
        // spec M17
        let container: Args = [
            ("count".to_string(), Literal::Int(2)),
            ("count_offset".to_string(), Literal::Int(1)),
        ]
        .into_iter()
        .collect();
        let shown: Vec<bool> = spec_list("a | b | c | d", &container)
            .into_iter()
            .map(|(_, s)| s)
            .collect();
        assert_eq!(shown, [false, true, true, false]);
    }
}

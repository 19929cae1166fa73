//! Category pages (spec B2, C1, C4-C6, C19, I4).

use md5::Digest;

use super::render::render_found;
use super::{Ctx, HttpError};
use crate::exchange::Response;
use crate::template::objects::category::CategoryObject;
use crate::template::objects::view::ViewObject;
use crate::view::spec::{Spec, SpecValue};

const RESERVED: &[&str] = &["entry", "error", "login", "unauthorized", "logout"];

pub fn render_category(
    ctx: &Ctx,
    path: &str,
    category: &str,
    template: Option<&str>,
) -> Result<Response, HttpError> {
    // Aliases win over category URLs (spec section 4 item 9).
    if let Some(response) = super::alias::lookup(ctx, path) {
        return Ok(response);
    }
    if template.is_some_and(|t| RESERVED.contains(&t)) {
        return Err(HttpError::new(403, "Invalid view requested"));
    }
    render_category_path(ctx, category, template)
}

/// The view a category URL asks for: `?date=`, else `?id=`, and `?tag=`
/// (spec J1).
fn url_view_spec(ctx: &Ctx, category: &str) -> Spec {
    let args = ctx.args();
    let first = |k: &str| args.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let mut spec = Spec::new();
    if let Some(date) = first("date") {
        spec.insert("date".into(), SpecValue::Str(date));
    } else if let Some(id) = first("id") {
        spec.insert("start".into(), SpecValue::Str(id));
    }
    let tags: Vec<String> = args
        .iter()
        .filter(|(k, _)| k == "tag")
        .map(|(_, v)| v.clone())
        .collect();
    match tags.len() {
        0 => {}
        1 => {
            spec.insert("tag".into(), SpecValue::Str(tags[0].clone()));
        }
        _ => {
            spec.insert("tag".into(), SpecValue::List(tags));
        }
    }
    spec.insert("category".into(), SpecValue::Str(category.to_string()));
    spec
}

pub fn render_category_path(
    ctx: &Ctx,
    category: &str,
    template: Option<&str>,
) -> Result<Response, HttpError> {
    let catalog = &ctx.page.catalog;
    if !category.is_empty() && !catalog.category_exists(category) {
        return Err(HttpError::new(404, "No such category"));
    }
    let index = CategoryObject::index_template_of(&ctx.page, category);
    let name = template.unwrap_or(&index);
    let found = ctx
        .snapshot
        .templates
        .map(category, &[name], &ctx.accept, false)
        .map_err(|e| HttpError::new(406, e.to_string()))?;
    let Some(found) = found else {
        // Perhaps a category URL missing its slash (spec C4).
        let candidate = if category.is_empty() {
            name.to_string()
        } else {
            format!("{category}/{name}")
        };
        if catalog.category_exists(&candidate) {
            let location = crate::urls::category(&candidate, "", ctx.args());
            return Ok(Response::redirect(301, &ctx.page.link(&location, false)));
        }
        return Err(HttpError::new(
            404,
            format!("No such view '{}'", template.unwrap_or("")),
        ));
    };
    let spec = url_view_spec(ctx, category);
    if let Some(SpecValue::Str(date)) = spec.get("date") {
        crate::view::query::DateSpan::parse(date)
            .map_err(|e| HttpError::new(400, e.to_string()))?;
    }
    let view =
        ViewObject::value(&ctx.page, &spec).map_err(|e| HttpError::new(400, e.to_string()))?;
    let vars = vec![
        ("category", CategoryObject::value(&ctx.page, category)),
        ("view", view),
    ];
    let body = render_found(ctx, &found, vars)?;
    // `conditional` answers 304s, for cached pages too.
    let etag = format!("\"{:x}\"", md5::Md5::digest(body.as_bytes()));
    Ok(Response::new(200, &found.content_type(), body)
        .with_header("ETag", &etag)
        .with_header("Cache-Control", &ctx.cache_control()))
}

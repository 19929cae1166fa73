//! Entry pages (spec A11, A13, A16, A26, C2, C3, I3).

use std::sync::Arc;

use md5::Digest;

use super::render::render_found;
use super::{Ctx, HttpError};
use crate::content::status::PublishStatus;
use crate::exchange::Response;
use crate::index::records::EntryRecord;
use crate::template::objects::category::CategoryObject;
use crate::template::objects::entry::EntryObject;

pub fn render_entry(ctx: &Ctx, path: &str, id: i64, category: &str) -> Result<Response, HttpError> {
    let record = ctx
        .page
        .catalog
        .entry(id)
        .filter(|e| e.file_path.is_file())
        .cloned();
    let Some(record) = record else {
        return super::alias::lookup(ctx, path).ok_or_else(|| HttpError::new(404, "No such entry"));
    };
    render_entry_record(ctx, &record, category, None, false)
}

/// Path segments, unquoted, as Publ compares them.
fn segments(path: &str) -> Vec<String> {
    let path = path.split('?').next().unwrap_or("");
    path.split('/')
        .map(|p| {
            percent_encoding::percent_decode_str(p)
                .decode_utf8_lossy()
                .into_owned()
        })
        .collect()
}

pub fn render_entry_record(
    ctx: &Ctx,
    record: &Arc<EntryRecord>,
    category: &str,
    template: Option<&str>,
    mounted: bool,
) -> Result<Response, HttpError> {
    match record.status {
        PublishStatus::Draft => return Err(HttpError::new(403, "Entry not available")),
        PublishStatus::Gone => return Err(HttpError::standard(410)),
        PublishStatus::Illegal => return Err(HttpError::standard(451)),
        PublishStatus::Teapot => return Err(HttpError::standard(418)),
        _ => {}
    }
    if !crate::access::is_authorized(&record.auth, ctx.page.user.as_deref()) {
        return super::login::unauthorized(ctx, record, category);
    }
    if !record.redirect_url.is_empty() {
        return Ok(Response::redirect(301, &record.redirect_url));
    }
    if !mounted {
        let canon = crate::urls::permalink(record, true, ctx.args(), ctx.page.user.as_deref());
        if segments(&ctx.page.request.path) != segments(&canon) {
            if let Some(response) = super::alias::lookup(ctx, &ctx.page.request.path) {
                return Ok(response);
            }
            // Publ builds the canonical URL with `_external=True`.
            return Ok(Response::redirect(301, &ctx.page.link(&canon, true)));
        }
    }
    *ctx.category_hint.borrow_mut() = Some(category.to_string());
    let entry = EntryObject::value(&ctx.page, record);
    let header_template = entry
        .get_attr("Entry-Template")
        .ok()
        .filter(|v| !v.is_none() && !v.is_undefined())
        .map(|v| v.to_string());
    let category_template = ctx
        .page
        .catalog
        .category_meta(category)
        .and_then(|m| m.headers.get("Entry-Template"))
        .map(str::to_string);
    let name = template
        .map(str::to_string)
        .or(header_template)
        .or(category_template)
        .unwrap_or_else(|| "entry".to_string());
    let found = ctx
        .snapshot
        .templates
        .map(category, &[name.as_str()], &ctx.accept, false)
        .map_err(|e| HttpError::new(406, e.to_string()))?
        .ok_or_else(|| HttpError::new(400, format!("Missing entry template{name}")))?;
    let vars = vec![
        ("entry", entry.clone()),
        ("category", CategoryObject::value(&ctx.page, category)),
    ];
    let body = render_found(ctx, &found, vars)?;
    // Publ sends this one unquoted, which is no valid ETag (RFC 9110):
    // quoted like every other page's. `conditional` answers 304s.
    let etag = format!("\"{:x}\"", md5::Md5::digest(body.as_bytes()));
    // An entry's own Content-Type header wins (spec A19e).
    let content_type = entry
        .get_attr("Content-Type")
        .ok()
        .filter(|v| !v.is_none() && !v.is_undefined())
        .map(|v| v.to_string())
        .unwrap_or_else(|| found.content_type());
    Ok(Response::new(200, &content_type, body)
        .with_header("ETag", &etag)
        .with_header("Cache-Control", &ctx.cache_control()))
}

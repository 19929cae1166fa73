//! Static files and the sizing chit (spec C9, C11).

use std::path::{Component, Path};

use super::{Ctx, HttpError};
use crate::exchange::{Body, Response};
use crate::image::cache::TokenError;
use crate::image::lookup::Probe;
use crate::image::rendition::plan;
use crate::image::ImageError;

/// A file under the static folder; paths that would leave it are 404s.
pub fn static_file(ctx: &Ctx, rel: &str) -> Result<Response, HttpError> {
    let rel_path = Path::new(rel);
    if rel.is_empty()
        || rel_path
            .components()
            .any(|c| !matches!(c, Component::Normal(_)))
    {
        return Err(HttpError::standard(404));
    }
    file_response(&ctx.page.config.static_dir().join(rel_path))
}

/// `/_file/<name>`: a file an entry linked to or showed (spec M27).
pub fn asset(ctx: &Ctx, name: &str) -> Result<Response, HttpError> {
    match ctx.page.images.asset(name) {
        Some(path) => file_response(&path),
        None => Err(HttpError::standard(404)),
    }
}

/// `/_img/<token>`: renders a pending rendition, then sends the browser to
/// the cached file (spec M23). A forged token is a 400, a source that went
/// away a 404.
pub fn rendition(ctx: &Ctx, token: &str) -> Result<Response, HttpError> {
    let images = &ctx.page.images;
    let (source, scale, args) = images.open_token(token).map_err(|err| match err {
        TokenError::BadSignature => HttpError::new(400, format!("Invalid image request: {err}")),
        TokenError::Missing => HttpError::new(404, "File not found"),
    })?;
    let Some(Probe::Image(info)) = images.probe(&source) else {
        return Err(HttpError::new(404, "File not found"));
    };
    let slug = crate::content::slug::slugify(&info.stem, None, false);
    let plan = args
        .rendition()
        .map_err(ImageError::from)
        .and_then(|a| plan(&info, &a, scale, &slug).map_err(ImageError::from))
        .map_err(|err| HttpError::new(400, format!("Invalid image request: {err}")))?;
    if let Err(err) = images.render(&source, &plan) {
        tracing::error!(source = %source.display(), error = %err, "rendition failed");
        return Err(HttpError::new(500, "Exception Occurred"));
    }
    let url = ctx.page.static_url(&images.static_file(&plan), false);
    Ok(Response::redirect(302, &url))
}

fn file_response(path: &Path) -> Result<Response, HttpError> {
    let not_found = || HttpError::standard(404);
    let path = path.to_path_buf();
    let meta = std::fs::metadata(&path).map_err(|_| not_found())?;
    if !meta.is_file() {
        return Err(not_found());
    }
    let mime = mime_guess::from_path(&path).first_or_octet_stream();
    let content_type = if mime.type_() == "text" {
        format!("{}; charset=utf-8", mime.essence_str())
    } else {
        mime.essence_str().to_string()
    };
    Ok(Response {
        status: 200,
        headers: vec![("Content-Type".into(), content_type)],
        body: Body::File(path),
    })
}

/// The 1x1 transparent GIF behind CSS-sized external images.
pub fn chit(ctx: &Ctx) -> Response {
    if ctx.if_none_match("chit") || ctx.req.header("If-Modified-Since").is_some() {
        return Response {
            status: 304,
            headers: Vec::new(),
            body: Body::Bytes(Default::default()),
        };
    }
    const GIF: &[u8] = &[
        0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00,
        0x00, 0xff, 0xff, 0xff, 0x21, 0xf9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00,
        0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x01, 0x44, 0x00, 0x3b,
    ];
    Response::new(200, "image/gif", GIF)
        .with_header("ETag", "chit")
        .with_header("Last-Modified", "Tue, 31 Jul 1990 08:00:00 -0000")
}

//! Static files and the sizing chit (spec C9, C11).

use std::path::{Component, Path};

use super::{Ctx, HttpError};
use crate::exchange::{Body, Response};

/// A file under the static folder; paths that would leave it are 404s.
pub fn static_file(ctx: &Ctx, rel: &str) -> Result<Response, HttpError> {
    let not_found = || HttpError::standard(404);
    let rel_path = Path::new(rel);
    if rel.is_empty()
        || rel_path
            .components()
            .any(|c| !matches!(c, Component::Normal(_)))
    {
        return Err(not_found());
    }
    let path = ctx.page.config.static_dir().join(rel_path);
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
            body: Body::Bytes(Vec::new()),
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

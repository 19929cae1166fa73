//! HTTP errors and their pages, rendered through the site's error
//! templates (spec C15, D6).

use minijinja::Value;

use super::render::render_found;
use super::Ctx;
use crate::exchange::Response;

#[derive(Debug, Clone)]
pub struct HttpError {
    pub status: u16,
    pub description: String,
}

impl HttpError {
    pub fn new(status: u16, description: impl Into<String>) -> HttpError {
        HttpError {
            status,
            description: description.into(),
        }
    }

    /// An error with werkzeug's default description for its status.
    pub fn standard(status: u16) -> HttpError {
        HttpError::new(status, default_description(status))
    }

    /// Werkzeug's name for the status.
    pub fn name(&self) -> &'static str {
        status_name(self.status)
    }
}

pub fn status_name(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        410 => "Gone",
        418 => "I'm a teapot",
        451 => "Unavailable For Legal Reasons",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Error",
    }
}

/// The error page: `<code>`, `<code//100*100>`, then `error` templates from
/// the request's category up, else plain text.
pub fn render_error(ctx: &Ctx, err: &HttpError) -> Response {
    let category = ctx.error_category();
    let code = err.status.to_string();
    let family = (err.status / 100 * 100).to_string();
    let names = [code.as_str(), family.as_str(), "error"];
    let found = ctx
        .snapshot
        .templates
        .map(&category, &names, &ctx.accept, true)
        .ok()
        .flatten();
    let exception_str = format!("{} {}: {}", err.status, err.name(), err.description);
    if let Some(found) = found {
        let vars = vec![
            (
                "error",
                crate::template::objects::map_value([
                    ("code".to_string(), Value::from(err.status)),
                    ("message".to_string(), Value::from(err.name())),
                ]),
            ),
            (
                "exception",
                crate::template::objects::map_value([
                    ("type".to_string(), Value::from(exception_type(err.status))),
                    ("str".to_string(), Value::from(exception_str.clone())),
                    (
                        "args".to_string(),
                        Value::from(vec![Value::from(err.description.clone())]),
                    ),
                ]),
            ),
            (
                "category",
                crate::template::objects::category::CategoryObject::value(&ctx.page, &category),
            ),
        ];
        match render_found(ctx, &found, vars) {
            Ok(body) => {
                return Response::new(err.status, &found.content_type(), body);
            }
            Err(_) => {
                // Already logged; fall back to plain text below.
            }
        }
    }
    Response::new(
        err.status,
        "text/plain; charset=utf-8",
        format!("{} {}", err.status, err.name()),
    )
}

/// A 404 while the index is being rebuilt is a 503 that asks the client to
/// come back (spec C16).
pub fn reindex_in_progress(ctx: &Ctx) -> Response {
    let mut response = render_error(
        ctx,
        &HttpError::new(
            503,
            "The site's contents are not fully known; please try again later",
        ),
    );
    for (k, v) in [
        ("Cache-Control", "private, no-cache, no-store, max-age=0"),
        ("X-Robots-Tag", "noindex,noarchive"),
        ("Retry-After", "5"),
        ("Refresh", "5"),
    ] {
        response.headers.push((k.into(), v.into()));
    }
    response
}

/// Werkzeug's default descriptions, which Publ's error pages show.
fn default_description(status: u16) -> &'static str {
    match status {
        400 => "The browser (or proxy) sent a request that this server could not understand.",
        401 => "The server could not verify that you are authorized to access the URL requested. You either supplied the wrong credentials (e.g. a bad password), or your browser doesn't understand how to supply the credentials required.",
        403 => "You don't have the permission to access the requested resource. It is either read-protected or not readable by the server.",
        404 => "The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.",
        410 => "The requested URL is no longer available on this server and there is no forwarding address. If you followed a link from a foreign page, please contact the author of this page.",
        418 => "This server is a teapot, not a coffee machine",
        451 => "Unavailable for legal reasons.",
        _ => "The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application.",
    }
}

fn exception_type(status: u16) -> &'static str {
    match status {
        400 => "BadRequest",
        403 => "Forbidden",
        404 => "NotFound",
        406 => "NotAcceptable",
        410 => "Gone",
        418 => "ImATeapot",
        451 => "UnavailableForLegalReasons",
        503 => "Service Unavailable",
        _ => "InternalServerError",
    }
}

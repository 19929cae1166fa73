//! Answers one request: routes it, renders the page or file, and turns
//! every failure into a proper status with the site's error page.

mod alias;
mod category;
mod conditional;
mod entry;
mod error;
mod files;
mod render;

use std::sync::Arc;

pub use conditional::conditional;
pub use error::HttpError;

use crate::exchange::{Request, Response};
use crate::routing::{decode_path, route, Route};
use crate::site::Snapshot;
use crate::template::page::{Page, RequestInfo};
use crate::template::resolve::Accept;
use crate::urls::UrlBase;

/// One request in flight.
pub struct Ctx<'a> {
    pub snapshot: &'a Snapshot,
    pub req: &'a Request,
    pub page: Arc<Page>,
    pub accept: Accept,
    /// The category an error page should be looked up from, once known.
    pub category_hint: std::cell::RefCell<Option<String>>,
}

impl Ctx<'_> {
    pub fn args(&self) -> &[(String, String)] {
        &self.page.request.args
    }

    fn error_category(&self) -> String {
        if let Some(c) = self.category_hint.borrow().clone() {
            return c;
        }
        // dirname(request.path) without the leading slash, as Publ guesses.
        let path = &self.page.request.path;
        let dir = match path.rfind('/') {
            Some(i) => &path[..i],
            None => "",
        };
        dir.trim_start_matches('/').to_string()
    }

    /// `If-None-Match` holds `etag` (quoted or not, or `*`).
    pub fn if_none_match(&self, etag: &str) -> bool {
        conditional::if_none_match(self.req, etag)
    }

    /// `Cache-Control` for cacheable pages (spec P5).
    pub fn cache_control(&self) -> String {
        match self
            .page
            .config
            .cache
            .get("CACHE_DEFAULT_TIMEOUT")
            .and_then(|v| v.as_integer())
        {
            Some(t) if t > 0 => format!("public, max-age={t}"),
            _ => "public".to_string(),
        }
    }
}

/// Splits a query string into decoded pairs.
fn parse_query(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let decode = |s: &str| {
                percent_encoding::percent_decode_str(&s.replace('+', " "))
                    .decode_utf8_lossy()
                    .into_owned()
            };
            (decode(k), decode(v))
        })
        .collect()
}

/// `reindexing`: a scan is under way, so a missing page may only be late
/// (spec C16).
pub fn respond(snapshot: &Snapshot, req: &Request, now: i64, reindexing: bool) -> Response {
    let decoded = decode_path(&req.path);
    let route = decoded
        .as_deref()
        .map(|p| route(p, &snapshot.config.static_url_path));
    let page = Arc::new(Page {
        config: snapshot.config.clone(),
        tz: snapshot.tz,
        catalog: snapshot.catalog.clone(),
        templates: snapshot.templates.clone(),
        search: snapshot.search.clone(),
        request: RequestInfo {
            method: req.method.clone(),
            path: decoded.clone().unwrap_or_else(|| req.path.clone()),
            args: parse_query(&req.query),
            query_string: req.query.clone(),
            headers: req.headers.clone(),
            remote_addr: req.remote_addr.clone(),
            base: UrlBase {
                scheme: req.scheme.clone(),
                host: req.host.clone(),
                script_root: req.script_root.clone(),
            },
            rule: route.as_ref().and_then(Route::rule),
        },
        now,
        images: snapshot.images.clone(),
    });
    let ctx = Ctx {
        snapshot,
        req,
        accept: Accept::parse(req.header("Accept")),
        page,
        category_hint: std::cell::RefCell::new(None),
    };
    let result = match (decoded, route) {
        (Some(path), Some(route)) => dispatch(&ctx, &path, route),
        _ => Err(HttpError::new(400, "The path is not valid text")),
    };
    match result {
        Ok(response) => response,
        Err(err) if err.status == 404 => match alias::lookup(&ctx, &ctx.page.request.path) {
            Some(response) => response,
            None if reindexing => error::reindex_in_progress(&ctx),
            None => error::render_error(&ctx, &err),
        },
        Err(err) => error::render_error(&ctx, &err),
    }
}

fn dispatch(ctx: &Ctx, path: &str, route: Route) -> Result<Response, HttpError> {
    match route {
        Route::Static(file) => files::static_file(ctx, &file),
        Route::Category { category, template } => {
            category::render_category(ctx, path, &category, template.as_deref())
        }
        Route::Entry { category, id, .. } => entry::render_entry(ctx, path, id, &category),
        Route::ForcedAlias(alias) => alias::lookup(ctx, &alias)
            .ok_or_else(|| HttpError::new(404, "Path redirection not found")),
        Route::Chit => Ok(files::chit(ctx)),
        Route::Rendition(token) => files::rendition(ctx, &token),
        Route::Asset(name) => files::asset(ctx, &name),
        Route::Unavailable | Route::NotFound => Err(HttpError::standard(404)),
    }
}

//! Answers one request: routes it, renders the page or file, and turns
//! every failure into a proper status with the site's error page.

mod alias;
mod category;
mod conditional;
mod entry;
mod error;
mod files;
mod login;
mod render;

use std::sync::Arc;

pub use conditional::conditional;
pub use error::HttpError;

use crate::auth::Identity;
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
/// `identity` is who sends `req` (spec N5).
pub fn respond(
    snapshot: &Snapshot,
    req: &Request,
    now: i64,
    reindexing: bool,
    identity: Identity,
) -> Response {
    let (user, refused) = match identity {
        Ok(user) => (user, None),
        Err(refusal) => (None, Some(refusal)),
    };
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
        auth: snapshot.auth.clone(),
        user,
    });
    let ctx = Ctx {
        snapshot,
        req,
        accept: Accept::parse(req.header("Accept")),
        page,
        category_hint: std::cell::RefCell::new(None),
    };
    let result = match (decoded, route, &refused) {
        (_, _, Some(refusal)) => Err(HttpError::new(refusal.status, refusal.message.clone())),
        (Some(path), Some(route), None) => dispatch(&ctx, &path, route),
        _ => Err(HttpError::new(400, "The path is not valid text")),
    };
    match result {
        Ok(response) => response,
        Err(err) if err.status == 404 => match alias::lookup(&ctx, &ctx.page.request.path) {
            Some(response) => response,
            None if reindexing => error::reindex_in_progress(&ctx),
            None => error::render_error(&ctx, &err),
        },
        Err(err) => error_response(&ctx, &err),
    }
}

/// The page for a request that failed with `err`.
fn error_response(ctx: &Ctx, err: &HttpError) -> Response {
    if err.status == 401 && ctx.page.auth.is_some() {
        ask_to_log_in(ctx, err)
    } else {
        error::render_error(ctx, err)
    }
}

/// A 401 on a site with logins (spec C17): the login form, coming back to
/// this page; over https first when logins must be.
fn ask_to_log_in(ctx: &Ctx, err: &HttpError) -> Response {
    if ctx.page.auth.as_ref().is_some_and(|a| a.force_https)
        && ctx.page.request.base.scheme != "https"
    {
        let mut target = ctx.page.secure_link(&ctx.req.path, true);
        if !ctx.req.query.is_empty() {
            target = format!("{target}?{}", ctx.req.query);
        }
        return Response::redirect(302, &target);
    }
    let full = ctx.page.request.full_path();
    let destination = format!("/{}", full.trim_start_matches('/').trim_end_matches('?'));
    // A refused token says why; a plain 401 has nothing to add.
    let error = (err.description != HttpError::standard(401).description)
        .then_some(err.description.as_str());
    login::login_form(ctx, &destination, error, 401)
}

/// Pages on a site with logins depend on who asks: shared caches must
/// tell visitors apart, and a logged-in user's pages are theirs alone.
/// Applied on the way out, so the render cache keeps the page as rendered
/// (under the user's key).
pub fn for_whom(has_logins: bool, logged_in: bool, mut response: Response) -> Response {
    // Files on disk are the same for everyone.
    if !has_logins || matches!(response.body, crate::exchange::Body::File(_)) {
        return response;
    }
    response
        .headers
        .push(("Vary".into(), "Cookie, Authorization".into()));
    if logged_in {
        let no_store = response
            .header("Cache-Control")
            .is_some_and(|cc| cc.contains("no-store"));
        if !no_store {
            response
                .headers
                .retain(|(k, _)| !k.eq_ignore_ascii_case("Cache-Control"));
            response
                .headers
                .push(("Cache-Control".into(), "private, no-store".into()));
        }
    }
    response
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
        Route::Login(redir) => login::login(ctx, &redir),
        Route::Logout(redir) => login::logout(ctx, &redir),
        Route::Unavailable | Route::NotFound => Err(HttpError::standard(404)),
    }
}

//! Logging in and out, and what a visitor who may not see an entry gets
//! (spec C12, C17, C18, N2, N8, N17): the `login`, `logout` and
//! `unauthorized` templates, Authl's `test:` handler and the session
//! cookie.

use std::sync::Arc;

use minijinja::Value;

use super::render::render_found;
use super::{parse_query, Ctx, HttpError};
use crate::auth::Auth;
use crate::exchange::Response;
use crate::index::records::EntryRecord;
use crate::template::objects::category::CategoryObject;
use crate::template::objects::entry::EntryObject;
use crate::template::objects::map_value;

/// Publ's `NO_CACHE` headers: for pages that depend on who asks.
pub const NO_CACHE: [(&str, &str); 2] = [
    ("Cache-Control", "private, no-cache, no-store, max-age=0"),
    ("X-Robots-Tag", "noindex,noarchive"),
];

const NOT_CONFIGURED: &str = "This application is not configured with authentication.";

fn no_cache(mut response: Response) -> Response {
    response.headers.retain(|(k, _)| {
        !NO_CACHE
            .iter()
            .any(|(name, _)| k.eq_ignore_ascii_case(name))
    });
    for (k, v) in NO_CACHE {
        response.headers.push((k.into(), v.into()));
    }
    response
}

fn auth<'a>(ctx: &'a Ctx) -> Result<&'a Arc<Auth>, HttpError> {
    ctx.page
        .auth
        .as_ref()
        .ok_or_else(|| HttpError::new(404, NOT_CONFIGURED))
}

/// `/<redir>`, always on this site: `//host` or `/\\host` would send
/// the browser elsewhere.
fn local_destination(redir: &str) -> String {
    format!("/{}", redir.trim_start_matches(['/', '\\']))
}

/// A form field of a POST, else the query argument.
fn field(ctx: &Ctx, name: &str) -> Option<String> {
    let is_form = ctx
        .req
        .header("Content-Type")
        .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
    let form = if is_form {
        parse_query(&String::from_utf8_lossy(&ctx.req.body))
    } else {
        Vec::new()
    };
    form.iter()
        .chain(ctx.args())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
}

/// `/_login/<redir>`: `?me=IDENTITY` (or a posted `me`) logs in, anything
/// else shows the login form.
pub fn login(ctx: &Ctx, redir: &str) -> Result<Response, HttpError> {
    let auth = auth(ctx)?;
    if ctx.args().iter().any(|(k, _)| k == "asset") {
        return Err(HttpError::new(404, "Unknown asset"));
    }
    let destination = local_destination(redir);
    let Some(me) = field(ctx, "me").filter(|me| !me.is_empty()) else {
        return Ok(login_form(ctx, &destination, None, 200));
    };
    if !(auth.test_enabled && me.starts_with("test:")) {
        return Ok(login_form(
            ctx,
            &destination,
            Some("Unknown authentication method"),
            200,
        ));
    }
    if me == "test:error" {
        return Ok(login_form(
            ctx,
            &destination,
            Some("Error identity requested"),
            200,
        ));
    }
    tracing::info!(identity = %me, "successful login");
    let cookie = auth.login_cookie(&me, ctx.page.now);
    Ok(no_cache(
        Response::redirect(302, &destination).with_header("Set-Cookie", &cookie),
    ))
}

/// The login page (Authl's `render_login_form` through Publ's): the
/// root's `login` template, or a plain form. A logged-in visitor goes
/// straight on to `destination`.
pub fn login_form(ctx: &Ctx, destination: &str, error: Option<&str>, status: u16) -> Response {
    if ctx.page.user.is_some() {
        return no_cache(Response::redirect(302, destination));
    }
    let test_enabled = ctx.page.auth.as_ref().is_some_and(|a| a.test_enabled);
    let login_url = ctx.page.secure_link(
        &format!(
            "/_login/{}",
            crate::urls::quote_path(destination.trim_start_matches('/'))
        ),
        false,
    );
    let found = ctx
        .snapshot
        .templates
        .map("", &["login"], &ctx.accept, false)
        .ok()
        .flatten();
    let Some(found) = found else {
        return no_cache(default_login_page(&login_url, error, test_enabled, status));
    };
    let handlers: Vec<Value> = test_enabled
        .then(|| {
            map_value([
                ("service_name".to_string(), Value::from("Loopback")),
                (
                    "description".to_string(),
                    Value::from(
                        "Used for testing purposes. Don't use this on a production website.",
                    ),
                ),
                (
                    "url_schemes".to_string(),
                    Value::from(vec![Value::from(vec!["test:%", "example"])]),
                ),
                ("cb_id".to_string(), Value::from("TEST_DO_NOT_USE")),
            ])
        })
        .into_iter()
        .collect();
    let vars = vec![
        ("login_url", Value::from(login_url.as_str())),
        ("test_url", Value::from(())),
        (
            "auth",
            map_value([("handlers".to_string(), Value::from(handlers))]),
        ),
        ("id_url", Value::from("")),
        ("error", error.map_or(Value::from(()), Value::from)),
        ("redir", Value::from(destination)),
    ];
    match render_found(ctx, &found, vars) {
        Ok(body) => no_cache(Response::new(status, &found.content_type(), body)),
        // Logged already; the plain form still lets the visitor in.
        Err(_) => no_cache(default_login_page(&login_url, error, test_enabled, status)),
    }
}

fn default_login_page(
    login_url: &str,
    error: Option<&str>,
    test_enabled: bool,
    status: u16,
) -> Response {
    use crate::markup::html::escape;
    let error = error
        .map(|e| format!("<p class=\"error\">{}</p>\n", escape(e)))
        .unwrap_or_default();
    let hint = if test_enabled {
        "<p>Test logins are enabled: any <code>test:</code> identity logs in.</p>\n"
    } else {
        ""
    };
    Response::new(
        status,
        "text/html; charset=utf-8",
        format!(
            "<!DOCTYPE html>\n<html><head><title>Login</title></head><body>\n<h1>Login</h1>\n{error}\
             <form method=\"POST\" action=\"{}\">\n<input type=\"text\" name=\"me\" placeholder=\"Your identity\" autofocus>\n\
             <button type=\"submit\">Go!</button>\n</form>\n{hint}</body></html>\n",
            escape(login_url)
        ),
    )
}

/// `/_logout/<redir>`: a POST ends the session and goes to `/<redir>`; a
/// GET shows the root's `logout` template (a confirmation form).
pub fn logout(ctx: &Ctx, redir: &str) -> Result<Response, HttpError> {
    let auth = auth(ctx)?;
    let destination = local_destination(redir);
    if ctx.req.method == "POST" {
        if let Some(user) = &ctx.page.user {
            tracing::info!(identity = %user.identity, "logging out");
        }
        return Ok(no_cache(
            Response::redirect(302, &destination).with_header("Set-Cookie", &auth.logout_cookie()),
        ));
    }
    let found = ctx
        .snapshot
        .templates
        .map("", &["logout"], &ctx.accept, false)
        .map_err(|e| HttpError::new(406, e.to_string()))?;
    let response = match found {
        Some(found) => {
            let body = render_found(ctx, &found, Vec::new())?;
            Response::new(200, &found.content_type(), body)
        }
        None => Response::new(
            200,
            "text/html; charset=utf-8",
            format!(
                "<!DOCTYPE html>\n<html><head><title>Logout</title></head><body>\n\
                 <form method=\"POST\" action=\"{}\"><button type=\"submit\">Log out</button></form>\n</body></html>\n",
                crate::markup::html::escape(&ctx.page.link(&ctx.page.request.path, false))
            ),
        ),
    };
    Ok(no_cache(response))
}

/// An entry the visitor may not see (spec N8): anonymous visitors are
/// asked to log in (a 401); a logged-in user gets the category's
/// `unauthorized` template with status 403, or the plain 403 page.
pub fn unauthorized(
    ctx: &Ctx,
    record: &Arc<EntryRecord>,
    category: &str,
) -> Result<Response, HttpError> {
    let Some(user) = &ctx.page.user else {
        return Err(HttpError::standard(401));
    };
    let found = ctx
        .snapshot
        .templates
        .map(category, &["unauthorized"], &ctx.accept, false)
        .ok()
        .flatten()
        .ok_or_else(|| {
            HttpError::new(403, format!("User {} does not have access", user.identity))
        })?;
    *ctx.category_hint.borrow_mut() = Some(category.to_string());
    let vars = vec![
        ("entry", EntryObject::value(&ctx.page, record)),
        ("category", CategoryObject::value(&ctx.page, category)),
    ];
    let body = render_found(ctx, &found, vars)?;
    Ok(no_cache(Response::new(403, &found.content_type(), body)))
}

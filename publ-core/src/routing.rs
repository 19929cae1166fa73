//! URL -> what to render (spec C1, C2, C7-C12, C10).

use percent_encoding::percent_decode_str;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// A file under the static folder, by its relative path.
    Static(String),
    Category {
        category: String,
        template: Option<String>,
    },
    Entry {
        category: String,
        id: i64,
        slug: Option<String>,
    },
    /// `/<path>.PUBL_PATHALIAS`: forced alias lookup of `<path>`.
    ForcedAlias(String),
    /// `/_`: the transparent GIF for sized external images.
    Chit,
    /// `/_img/<signed spec>`: a rendition to render now (spec M23).
    Rendition(String),
    /// `/_file/<name>`: a non-image file an entry refers to (spec M27).
    Asset(String),
    /// `/_login[/<redir>]` and `/_logout[/<redir>]` (spec C12), with the
    /// path to go back to, without its leading `/`.
    Login(String),
    Logout(String),
    /// Publ's own `/_...` endpoints that this build does not serve yet.
    Unavailable,
    NotFound,
}

impl Route {
    /// Flask's `request.endpoint` and `request.url_rule` for the route, as
    /// templates (error pages) print them.
    pub fn rule(&self) -> Option<(&'static str, &'static str)> {
        Some(match self {
            Route::Static(_) => ("static", "/static/<path:filename>"),
            Route::Category { category, template } => (
                "category",
                match (category.is_empty(), template.is_some()) {
                    (true, false) => "/",
                    (true, true) => "/<template:template>",
                    (false, false) => "/<category:category>/",
                    (false, true) => "/<category:category>/<template:template>",
                },
            ),
            Route::Entry { category, slug, .. } => (
                "entry",
                match (category.is_empty(), slug.as_deref()) {
                    (true, None) => "/<int:entry_id>",
                    (true, Some("")) => "/<int:entry_id>-",
                    (true, Some(_)) => "/<int:entry_id>-<slug_text>",
                    (false, None) => "/<category:category>/<int:entry_id>",
                    (false, Some("")) => "/<category:category>/<int:entry_id>-",
                    (false, Some(_)) => "/<category:category>/<int:entry_id>-<slug_text>",
                },
            ),
            Route::ForcedAlias(_) => ("path_alias", "/<path:path>.PUBL_PATHALIAS"),
            Route::Chit => ("chit", "/_"),
            Route::Rendition(_) => ("get_image", "/_img/<path:render_spec>"),
            Route::Asset(_) => ("asset", "/_file/<path:filename>"),
            Route::Login(_) => ("login", "/_login/<path:redir>"),
            Route::Logout(_) => ("logout", "/_logout/<path:redir>"),
            Route::Unavailable | Route::NotFound => return None,
        })
    }
}

/// The decoded path (Flask routes on the percent-decoded path).
pub fn decode_path(raw: &str) -> Option<String> {
    let decoded = percent_decode_str(raw).decode_utf8().ok()?.into_owned();
    if decoded.contains('\0') {
        return None;
    }
    Some(decoded)
}

fn is_category(path: &str) -> bool {
    path.split('/')
        .all(|seg| !seg.is_empty() && !seg.starts_with('_'))
}

fn is_template(seg: &str) -> bool {
    !seg.is_empty() && !seg.starts_with('_')
}

/// `123`, `123-` or `123-slug`.
fn entry_segment(seg: &str) -> Option<(i64, Option<String>)> {
    let digits = seg.len() - seg.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    if digits == 0 {
        return None;
    }
    let id = seg[..digits].parse().ok()?;
    match &seg[digits..] {
        "" => Some((id, None)),
        rest => rest
            .strip_prefix('-')
            .map(|slug| (id, Some(slug.to_string()))),
    }
}

pub fn route(path: &str, static_url_path: &str) -> Route {
    if let Some(alias) = path.strip_suffix(".PUBL_PATHALIAS") {
        return Route::ForcedAlias(alias.to_string());
    }
    let static_prefix = format!("{}/", static_url_path.trim_end_matches('/'));
    if let Some(file) = path.strip_prefix(&static_prefix) {
        return Route::Static(file.to_string());
    }
    let Some(rest) = path.strip_prefix('/') else {
        return Route::NotFound;
    };
    if rest.is_empty() {
        return Route::Category {
            category: String::new(),
            template: None,
        };
    }
    if rest == "_" {
        return Route::Chit;
    }
    if let Some(spec) = rest.strip_prefix("_img/") {
        return Route::Rendition(spec.to_string());
    }
    if let Some(name) = rest.strip_prefix("_file/") {
        return Route::Asset(name.to_string());
    }
    for (base, route) in [
        ("_login", Route::Login as fn(String) -> Route),
        ("_logout", Route::Logout),
    ] {
        if let Some(after) = rest.strip_prefix(base) {
            if after.is_empty() {
                return route(String::new());
            }
            if let Some(redir) = after.strip_prefix('/') {
                return route(redir.to_string());
            }
        }
    }
    if rest.starts_with('_') {
        return Route::Unavailable;
    }
    if let Some(category) = rest.strip_suffix('/') {
        return if is_category(category) {
            Route::Category {
                category: category.to_string(),
                template: None,
            }
        } else {
            Route::NotFound
        };
    }
    let (category, last) = match rest.rfind('/') {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => ("", rest),
    };
    if !category.is_empty() && !is_category(category) {
        return Route::NotFound;
    }
    if let Some((id, slug)) = entry_segment(last) {
        return Route::Entry {
            category: category.to_string(),
            id,
            slug,
        };
    }
    if is_template(last) {
        return Route::Category {
            category: category.to_string(),
            template: Some(last.to_string()),
        };
    }
    Route::NotFound
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cat(c: &str, t: Option<&str>) -> Route {
        Route::Category {
            category: c.into(),
            template: t.map(str::to_string),
        }
    }

    #[test]
    fn category_routes() {
        // spec C1
        assert_eq!(route("/", "/static"), cat("", None));
        assert_eq!(route("/feed", "/static"), cat("", Some("feed")));
        assert_eq!(route("/blog/", "/static"), cat("blog", None));
        assert_eq!(
            route("/blog/a/feed.xml", "/static"),
            cat("blog/a", Some("feed.xml"))
        );
        assert_eq!(route("/_private/", "/static"), Route::Unavailable);
        assert_eq!(route("/blog/_x/", "/static"), Route::NotFound);
        assert_eq!(route("/blog/_feed", "/static"), Route::NotFound);
    }

    #[test]
    fn entry_routes() {
        // spec C2
        let e = |c: &str, id, s: Option<&str>| Route::Entry {
            category: c.into(),
            id,
            slug: s.map(str::to_string),
        };
        assert_eq!(route("/12", "/static"), e("", 12, None));
        assert_eq!(route("/12-", "/static"), e("", 12, Some("")));
        assert_eq!(
            route("/blog/12-hello-there", "/static"),
            e("blog", 12, Some("hello-there"))
        );
        assert_eq!(route("/12x", "/static"), cat("", Some("12x")));
    }

    #[test]
    fn special_routes() {
        // spec C10, C11, C9
        assert_eq!(
            route("/static/a/b.css", "/static"),
            Route::Static("a/b.css".into())
        );
        assert_eq!(
            route("/old.php.PUBL_PATHALIAS", "/static"),
            Route::ForcedAlias("/old.php".into())
        );
        assert_eq!(route("/_", "/static"), Route::Chit);
        assert_eq!(decode_path("/a%00b"), None);
        assert_eq!(decode_path("/%2e%2e/x").as_deref(), Some("/../x"));
    }
}

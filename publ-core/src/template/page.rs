//! What one render can see: the site's configuration, one catalog
//! snapshot, the request, and the instant it happens at.

use std::sync::Arc;

use crate::config::Config;
use crate::index::catalog::Catalog;
use crate::markup::extensions::Extensions;
use crate::search::SearchIndex;
use crate::template::objects::args::CallArgs;
use crate::template::resolve::TemplateIndex;
use crate::urls::UrlBase;

/// The request as templates see it (`request.*`).
#[derive(Debug, Clone)]
pub struct RequestInfo {
    pub method: String,
    /// Percent-decoded path.
    pub path: String,
    /// Query pairs in order, decoded.
    pub args: Vec<(String, String)>,
    /// The raw query string.
    pub query_string: String,
    pub headers: Vec<(String, String)>,
    /// Flask's `request.remote_addr`.
    pub remote_addr: Option<String>,
    pub base: UrlBase,
    /// Flask's `(request.endpoint, request.url_rule)`, when a route matched.
    pub rule: Option<(&'static str, &'static str)>,
}

impl RequestInfo {
    pub fn arg(&self, name: &str) -> Option<&str> {
        self.args
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// `request.full_path`: path, `?`, query (Flask always adds the `?`).
    pub fn full_path(&self) -> String {
        format!("{}?{}", self.path, self.query_string)
    }

    /// Werkzeug's `request.url`: an IRI, so escapes are decoded except
    /// those of controls, spaces, `%`, and what delimits the part (`/?#`
    /// in the path; `&=+#` in the query).
    pub fn url(&self) -> String {
        use crate::urls::{quote_path, unquote_iri};
        let path = unquote_iri(&quote_path(&self.path), b"/?#");
        let q = if self.query_string.is_empty() {
            String::new()
        } else {
            format!("?{}", unquote_iri(&self.query_string, b"&=+#"))
        };
        self.base.absolute(&format!("{path}{q}"))
    }
}

#[derive(Debug)]
pub struct Page {
    pub config: Arc<Config>,
    pub tz: chrono_tz::Tz,
    pub catalog: Arc<Catalog>,
    pub templates: Arc<TemplateIndex>,
    /// The full-text index, when `search_index` is set (spec O1).
    pub search: Option<Arc<SearchIndex>>,
    pub request: RequestInfo,
    /// UTC seconds: what "now" means for scheduled entries in this render.
    pub now: i64,
    pub images: Arc<crate::image::Images>,
    /// The site's login settings, when it has them (spec N1).
    pub auth: Option<Arc<crate::auth::Auth>>,
    /// Who is asking; `None` for anonymous visitors.
    pub user: Option<Arc<crate::auth::User>>,
}

fn toml_value(value: &toml::Value) -> minijinja::Value {
    use minijinja::Value;
    match value {
        toml::Value::String(s) => Value::from(s.as_str()),
        toml::Value::Integer(i) => Value::from(*i),
        toml::Value::Float(f) => Value::from(*f),
        toml::Value::Boolean(b) => Value::from(*b),
        toml::Value::Datetime(d) => Value::from(d.to_string()),
        toml::Value::Array(items) => Value::from(items.iter().map(toml_value).collect::<Vec<_>>()),
        toml::Value::Table(t) => Value::from(
            t.iter()
                .map(|(k, v)| (k.clone(), toml_value(v)))
                .collect::<std::collections::BTreeMap<_, _>>(),
        ),
    }
}

impl Page {
    /// The call's arguments over the site's `layout` table, as Publ's
    /// Markdown renderer sees its options (spec K16).
    pub fn with_layout(&self, args: &CallArgs) -> CallArgs {
        let mut merged = args.clone();
        for (key, value) in &self.config.layout {
            merged
                .keywords
                .entry(key.clone())
                .or_insert_with(|| toml_value(value));
        }
        merged
    }

    /// Markdown extensions: the call's `markdown_extensions`, else the
    /// site's (spec K1, K2).
    pub fn extensions(&self, args: &CallArgs) -> Extensions {
        let names = |v: minijinja::Value| -> Option<Vec<String>> {
            let items = v.try_iter().ok()?;
            Some(items.map(|i| i.to_string()).collect())
        };
        match args.get(usize::MAX, "markdown_extensions").and_then(names) {
            Some(names) => Extensions::from_names(&names),
            None => Extensions::from_names(&self.config.markdown_extensions),
        }
    }

    pub fn link(&self, path: &str, absolute: bool) -> String {
        self.request.base.link(path, absolute)
    }

    /// Publ's `secure_link`: [`link`](Page::link), but absolute over https
    /// when logins must be (`AUTH_FORCE_HTTPS`; spec E7, E8).
    pub fn secure_link(&self, path: &str, absolute: bool) -> String {
        if self.auth.as_ref().is_some_and(|a| a.force_https) {
            let https = UrlBase {
                scheme: "https".into(),
                ..self.request.base.clone()
            };
            return https.link(path, true);
        }
        self.link(path, absolute)
    }

    /// Link resolution for text found in `search` folders (spec L5).
    pub fn link_resolver(
        &self,
        search: Vec<std::path::PathBuf>,
        absolute: bool,
    ) -> crate::markup::links::LinkResolver<'_> {
        let scope = self.image_scope(search.clone());
        crate::markup::links::LinkResolver {
            catalog: &self.catalog,
            content_dir: self.config.content_dir(),
            search,
            base: &self.request.base,
            static_url_path: &self.config.static_url_path,
            page_url: self.request.url(),
            absolute,
            files: Box::new(move |target, absolute| {
                // Links to images take only their own `{}` options (M19).
                let (path, mut args, _) = crate::image::set::parse_image_spec(target).ok()?;
                args.set("absolute", crate::markup::arglist::Literal::Bool(absolute));
                let image = scope.image(&path);
                image.rendition(&scope, 1.0, &args).ok().map(|(url, _)| url)
            }),
        }
    }

    pub fn static_url(&self, file: &str, absolute: bool) -> String {
        crate::urls::static_url(
            &self.request.base,
            &self.config.static_url_path,
            file,
            absolute,
        )
    }

    /// Where images named from text in `search` folders are found.
    pub fn image_scope(&self, search_path: Vec<std::path::PathBuf>) -> crate::image::Scope {
        crate::image::Scope {
            images: self.images.clone(),
            search_path,
            base: self.request.base.clone(),
            request_url: self.request.url(),
        }
    }
}

//! What one render can see: the site's configuration, one catalog
//! snapshot, the request, and the instant it happens at.

use std::sync::Arc;

use crate::config::Config;
use crate::index::catalog::Catalog;
use crate::search::SearchIndex;
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

    /// Werkzeug's `request.url`: an IRI, so the path reads as requested
    /// (decoded, bar `?` and `#`) and the query keeps only its `&`, `=`,
    /// `+` and `#` escaped.
    pub fn url(&self) -> String {
        let path = self.path.replace('?', "%3F").replace('#', "%23");
        let q = if self.query_string.is_empty() {
            String::new()
        } else {
            format!(
                "?{}",
                crate::urls::unquote_except(&self.query_string, b"&=+#")
            )
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
}

impl Page {
    pub fn link(&self, path: &str, absolute: bool) -> String {
        self.request.base.link(path, absolute)
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

//! The request publ-core answers and the response it gives: plain data, so
//! any HTTP server (or none) can drive a site.

use std::path::PathBuf;

use bytes::Bytes;

#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// The path as sent, still percent-encoded.
    pub path: String,
    /// The raw query string, without `?`.
    pub query: String,
    pub headers: Vec<(String, String)>,
    pub scheme: String,
    /// `Host` as the client (or a trusted proxy) gave it.
    pub host: String,
    /// Path prefix the site is mounted under (`X-Forwarded-Prefix`).
    pub script_root: String,
    /// The client's address (a trusted proxy's `X-Forwarded-For`), when
    /// known: a unix socket has none of its own.
    pub remote_addr: Option<String>,
    /// The request body (login and logout forms post one).
    pub body: Bytes,
}

impl Request {
    /// A GET for `path_and_query` on `http://localhost`, for embedding and tests.
    pub fn get(path_and_query: &str) -> Request {
        let (path, query) = path_and_query
            .split_once('?')
            .unwrap_or((path_and_query, ""));
        Request {
            method: "GET".into(),
            path: path.into(),
            query: query.into(),
            headers: Vec::new(),
            scheme: "http".into(),
            host: "localhost".into(),
            script_root: String::new(),
            remote_addr: None,
            body: Bytes::new(),
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// Shared, so a cached page is sent without copying.
    Bytes(Bytes),
    /// A file to send as it is on disk (static files).
    File(PathBuf),
}

#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Body,
}

impl Response {
    pub fn new(status: u16, content_type: &str, body: impl Into<Bytes>) -> Response {
        Response {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: Body::Bytes(body.into()),
        }
    }

    pub fn redirect(status: u16, location: &str) -> Response {
        let body = format!(
            "<!doctype html>\n<html lang=en>\n<title>Redirecting...</title>\n<h1>Redirecting...</h1>\n<p>You should be redirected automatically to the target URL: <a href=\"{0}\">{0}</a>. If not, click the link.\n",
            crate::markup::html::escape(location)
        );
        let mut r = Response::new(status, "text/html; charset=utf-8", body);
        r.headers.push(("Location".into(), location.into()));
        r
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Response {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The body when it is in memory.
    pub fn bytes(&self) -> &[u8] {
        match &self.body {
            Body::Bytes(b) => b.as_ref(),
            Body::File(_) => &[],
        }
    }
}

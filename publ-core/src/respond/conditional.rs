//! Conditional requests (spec P4): a page whose ETag the client already
//! holds is answered 304, whether it was just rendered or came from the
//! render cache.

use crate::exchange::{Request, Response};

/// `If-None-Match` names `etag` (a quoted or bare tag), or is `*`.
pub fn if_none_match(req: &Request, etag: &str) -> bool {
    let etag = etag.trim_matches('"');
    req.header("If-None-Match").is_some_and(|h| {
        h.split(',').any(|t| {
            let t = t.trim().trim_start_matches("W/").trim_matches('"');
            t == etag || t == "*"
        })
    })
}

/// A 304 for a full page the client has; anything else unchanged. The 304
/// keeps the validators and caching rules, as RFC 9110 asks.
pub fn conditional(req: &Request, response: Response) -> Response {
    if response.status != 200 {
        return response;
    }
    match response.header("ETag") {
        Some(etag) if if_none_match(req, etag) => {
            let keep = ["ETag", "Cache-Control"];
            let mut not_modified = Response::new(304, "", "");
            not_modified.headers = response
                .headers
                .iter()
                .filter(|(k, _)| keep.iter().any(|h| k.eq_ignore_ascii_case(h)))
                .cloned()
                .collect();
            not_modified
        }
        _ => response,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page() -> Response {
        Response::new(200, "text/html", "page")
            .with_header("ETag", "\"abc\"")
            .with_header("Cache-Control", "public")
    }

    fn asking(tags: &str) -> Request {
        let mut req = Request::get("/");
        req.headers.push(("If-None-Match".into(), tags.into()));
        req
    }

    #[test]
    fn a_held_etag_is_a_304_with_its_validators() {
        let r = conditional(&asking("\"x\", \"abc\""), page());
        assert_eq!(r.status, 304);
        assert!(r.bytes().is_empty());
        assert_eq!(r.header("ETag"), Some("\"abc\""));
        assert_eq!(r.header("Cache-Control"), Some("public"));
        assert_eq!(r.header("Content-Type"), None);
        assert_eq!(conditional(&asking("*"), page()).status, 304);
        assert_eq!(conditional(&asking("W/\"abc\""), page()).status, 304);
    }

    #[test]
    fn anything_else_is_the_full_answer() {
        assert_eq!(conditional(&asking("\"other\""), page()).status, 200);
        assert_eq!(conditional(&Request::get("/"), page()).status, 200);
        let missing = Response::new(404, "text/html", "no").with_header("ETag", "\"abc\"");
        assert_eq!(conditional(&asking("\"abc\""), missing).status, 404);
    }
}

//! Who asked, over which scheme, for which host: what `X-Forwarded-*`
//! headers may say when the server sits behind trusted proxies.
//!
//! This is Werkzeug's `ProxyFix(x_for=N, x_proto=N, x_host=N, x_prefix=N)`
//! (spec T2), which the Publ guide has sites add by hand. A client can put
//! anything in these headers, so they count only when the operator says how
//! many proxies to trust (`--trust-proxy N`); each proxy appends its own
//! value, and the Nth from the right is the one the outermost trusted proxy
//! wrote.

/// The request's origin as the site should see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The client's address, when known.
    pub client: Option<String>,
    pub scheme: String,
    pub host: String,
    /// Path prefix the site is mounted under, without a trailing `/`.
    pub script_root: String,
}

/// Resolves the origin of a request from its own connection facts and,
/// when `trusted` proxies are allowed, their `X-Forwarded-*` headers.
///
/// `header` returns every value of a header (a header may be repeated; a
/// WSGI server joins repeats with commas, which this matches).
pub fn origin<'a>(
    trusted: usize,
    peer: Option<String>,
    host: Option<&str>,
    header: impl Fn(&str) -> Vec<&'a str>,
) -> Origin {
    let mut origin = Origin {
        client: peer,
        scheme: "http".to_string(),
        host: host.unwrap_or("localhost").to_string(),
        script_root: String::new(),
    };
    if trusted == 0 {
        return origin;
    }
    let forwarded = |name: &str| nth_from_right(&header(name).join(","), trusted);
    if let Some(client) = forwarded("x-forwarded-for") {
        origin.client = Some(client);
    }
    if let Some(scheme) = forwarded("x-forwarded-proto") {
        origin.scheme = scheme.to_ascii_lowercase();
    }
    if let Some(host) = forwarded("x-forwarded-host") {
        origin.host = host;
    }
    if let Some(prefix) = forwarded("x-forwarded-prefix") {
        origin.script_root = prefix.trim_end_matches('/').to_string();
    }
    origin
}

/// ProxyFix's `_get_real_value`: the `trusted`th comma-separated value from
/// the right, or nothing when fewer proxies than that took part.
fn nth_from_right(value: &str, trusted: usize) -> Option<String> {
    if value.trim().is_empty() {
        return None;
    }
    let values: Vec<&str> = value.split(',').map(str::trim).collect();
    values
        .len()
        .checked_sub(trusted)
        .map(|i| values[i].to_string())
        .filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(trusted: usize, headers: &[(&'static str, &'static str)]) -> Origin {
        origin(
            trusted,
            Some("10.0.0.9".into()),
            Some("example.com"),
            |name| {
                headers
                    .iter()
                    .filter(|(k, _)| k.eq_ignore_ascii_case(name))
                    .map(|(_, v)| *v)
                    .collect()
            },
        )
    }

    const FORGED: &[(&str, &str)] = &[
        ("X-Forwarded-For", "6.6.6.6, 203.0.113.7"),
        ("X-Forwarded-Proto", "https"),
        ("X-Forwarded-Host", "evil.example, publ.example"),
        ("X-Forwarded-Prefix", "/blog/"),
    ];

    #[test]
    fn headers_are_ignored_unless_proxies_are_trusted() {
        let o = resolve(0, FORGED);
        assert_eq!(o.client.as_deref(), Some("10.0.0.9"));
        assert_eq!(o.scheme, "http");
        assert_eq!(o.host, "example.com");
        assert_eq!(o.script_root, "");
    }

    #[test]
    fn one_trusted_proxy_gives_the_last_value() {
        let o = resolve(1, FORGED);
        assert_eq!(o.client.as_deref(), Some("203.0.113.7"));
        assert_eq!(o.scheme, "https");
        assert_eq!(o.host, "publ.example");
        assert_eq!(o.script_root, "/blog");
    }

    #[test]
    fn two_trusted_proxies_reach_one_further_back() {
        let o = resolve(2, FORGED);
        assert_eq!(o.client.as_deref(), Some("6.6.6.6"));
        assert_eq!(o.host, "evil.example");
        // Only one proxy said the scheme: fewer values than trusted hops
        // means none of them is believed (ProxyFix does the same).
        assert_eq!(o.scheme, "http");
    }

    #[test]
    fn repeated_headers_count_as_one_list() {
        let o = resolve(
            1,
            &[
                ("X-Forwarded-For", "6.6.6.6"),
                ("X-Forwarded-For", "198.51.100.2"),
            ],
        );
        assert_eq!(o.client.as_deref(), Some("198.51.100.2"));
    }
}

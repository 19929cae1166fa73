//! Who is asking (spec N1, N2, N5, N11): a bearer token, else the session
//! cookie a login set, else nobody; and which groups the user list puts
//! them in. Tokens and cookies are made as Python Publ (Flask) makes them,
//! with the same `secret_key`, so a site moving over keeps its logins.

pub mod signing;
pub mod users;

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use signing::{dump_json, load_json, Signer};
use users::UserList;

use crate::config::Config;
use crate::exchange::Request;

/// Flask's session cookie and its default lifetime (31 days).
const SESSION_COOKIE: &str = "session";
const SESSION_LIFETIME: i64 = 31 * 24 * 3600;

/// How the user proved who they are (`user.auth_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthType {
    Session,
    Token,
}

impl AuthType {
    pub fn as_str(self) -> &'static str {
        match self {
            AuthType::Session => "session",
            AuthType::Token => "token",
        }
    }
}

/// A logged-in user (Publ's `User`); anonymous visitors have none.
#[derive(Debug, Clone)]
pub struct User {
    pub identity: String,
    pub auth_type: AuthType,
    pub scope: Option<String>,
    /// The identity and every group it is in, for `Auth:` headers.
    pub auth_groups: BTreeSet<String>,
    pub is_admin: bool,
}

impl User {
    /// The groups the user is in, without the identity itself.
    pub fn groups(&self) -> impl Iterator<Item = &String> {
        self.auth_groups.iter().filter(|g| **g != self.identity)
    }

    /// What sets this user's pages apart from another's, for cache keys.
    pub fn cache_key(&self) -> String {
        let groups: Vec<&str> = self.auth_groups.iter().map(String::as_str).collect();
        format!(
            "{}\u{1e}{}\u{1e}{}\u{1e}{}",
            self.identity,
            self.auth_type.as_str(),
            self.scope.as_deref().unwrap_or(""),
            groups.join("\u{1d}")
        )
    }
}

/// Who sends a request: a user, nobody, or credentials refused.
pub type Identity = Result<Option<Arc<User>>, Refusal>;

/// Why a request's credentials were refused: 400 for a malformed
/// `Authorization` header, 401 for a bad or expired token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub status: u16,
    pub message: String,
}

/// A site's authentication settings; a site has them when its `auth`
/// table is not empty and it has a `secret_key` (spec N1).
#[derive(Debug)]
pub struct Auth {
    secret: String,
    admin_group: String,
    users: UserList,
    /// Authl's `TEST_ENABLED`: anyone may log in as any `test:` identity.
    pub test_enabled: bool,
    /// `AUTH_FORCE_HTTPS`: login links are https and the cookie `Secure`.
    pub force_https: bool,
}

impl Auth {
    pub fn from_config(config: &Config, root: &Path) -> Option<Auth> {
        if config.auth.is_empty() {
            return None;
        }
        let Some(secret) = config.secret_key.clone().filter(|s| !s.is_empty()) else {
            tracing::warn!("no secret_key is set; authentication disabled");
            return None;
        };
        let flag = |name: &str| config.auth.get(name).is_some_and(truthy);
        let test_enabled = flag("TEST_ENABLED");
        for provider in [
            "SMTP_HOST",
            "INDIEAUTH_CLIENT_ID",
            "FEDIVERSE_NAME",
            "TWITTER_CLIENT_KEY",
        ] {
            if config.auth.contains_key(provider) {
                tracing::warn!(
                    setting = provider,
                    "this login method is not available in publ-rs yet; bearer tokens and test: logins are"
                );
            }
        }
        Some(Auth {
            secret,
            admin_group: config.admin_group.clone(),
            users: UserList::new(root.join(&config.user_list)),
            test_enabled,
            force_https: flag("AUTH_FORCE_HTTPS") || flag("AUTH_FORCE_SSL"),
        })
    }

    /// The user `identity` is, with their groups as the user list has them
    /// now.
    pub fn user(&self, identity: &str, auth_type: AuthType, scope: Option<String>) -> User {
        let auth_groups = self.users.current().groups_of(identity, true);
        let is_admin = !self.admin_group.is_empty() && auth_groups.contains(&self.admin_group);
        User {
            identity: identity.to_string(),
            auth_type,
            scope,
            auth_groups,
            is_admin,
        }
    }

    /// The user making `req` (Publ's `get_active`): a bearer token wins
    /// over the session cookie. Bots count as anonymous, as in Publ.
    pub fn identify(&self, req: &Request, now: i64) -> Identity {
        if let Some(header) = req.header("Authorization") {
            let (id, scope) = self.parse_authorization(header, now)?;
            return Ok(Some(Arc::new(self.user(&id, AuthType::Token, scope))));
        }
        Ok(self
            .session_identity(req, now)
            .map(|id| Arc::new(self.user(&id, AuthType::Session, None))))
    }

    fn parse_authorization(
        &self,
        header: &str,
        now: i64,
    ) -> Result<(String, Option<String>), Refusal> {
        let refuse = |status, message: &str| Refusal {
            status,
            message: message.to_string(),
        };
        let mut parts = header.split_whitespace();
        let (Some(kind), Some(token)) = (parts.next(), parts.next()) else {
            return Err(refuse(400, "Malformed authorization header"));
        };
        if !kind.eq_ignore_ascii_case("bearer") {
            return Err(refuse(400, &format!("Unknown authorization type '{kind}'")));
        }
        let parsed = self
            .token_signer("")
            .unsign(token)
            .and_then(load_json)
            .and_then(|v| {
                let [ident, expires] =
                    <[serde_json::Value; 2]>::try_from(v.as_array()?.clone()).ok()?;
                let me = ident.get("me")?.as_str()?.to_string();
                let scope = ident
                    .get("scope")
                    .and_then(|s| s.as_str())
                    .map(str::to_string);
                Some((me, scope, expires.as_f64()?))
            });
        let Some((me, scope, expires)) = parsed else {
            tracing::error!("bearer token refused: invalid token");
            return Err(refuse(401, "Invalid token"));
        };
        if expires < now as f64 {
            tracing::info!(identity = %me, "bearer token refused: expired");
            return Err(refuse(401, "Token expired"));
        }
        Ok((me, scope))
    }

    fn token_signer(&self, context: &str) -> Signer {
        Signer::concat(&format!("{}{context}", self.secret), "itsdangerous")
    }

    /// A bearer token for `identity` (`publ token`, `user.token()`),
    /// valid for `lifetime` seconds from `now`.
    pub fn token(&self, identity: &str, lifetime: i64, scope: Option<&str>, now: i64) -> String {
        let mut ident = serde_json::Map::new();
        ident.insert("me".into(), canonical_identity(identity).into());
        if let Some(scope) = scope.filter(|s| !s.is_empty()) {
            ident.insert("scope".into(), scope.into());
        }
        let payload = serde_json::json!([ident, now + lifetime]);
        self.token_signer("").sign(&dump_json(&payload))
    }

    fn session_signer(&self) -> Signer {
        Signer::hmac(&self.secret, "cookie-session")
    }

    fn session_identity(&self, req: &Request, now: i64) -> Option<String> {
        let cookie = req
            .headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("Cookie"))
            .flat_map(|(_, v)| v.split(';'))
            .filter_map(|c| c.trim().split_once('='))
            .find(|(name, _)| *name == SESSION_COOKIE)
            .map(|(_, value)| value.trim_matches('"'))?;
        let payload = self
            .session_signer()
            .unsign_timestamped(cookie, now, SESSION_LIFETIME)?;
        let session = load_json(payload)?;
        Some(session.get("me")?.as_str()?.to_string()).filter(|me| !me.is_empty())
    }

    /// `Set-Cookie` for a session logged in as `identity` (Authl keeps a
    /// permanent Flask session).
    pub fn login_cookie(&self, identity: &str, now: i64) -> String {
        let payload = dump_json(&serde_json::json!({"_permanent": true, "me": identity}));
        let value = self.session_signer().sign_timestamped(&payload, now);
        let expires = chrono::DateTime::from_timestamp(now + SESSION_LIFETIME, 0)
            .unwrap_or_default()
            .format("%a, %d %b %Y %H:%M:%S GMT");
        self.cookie(&format!("{SESSION_COOKIE}={value}; Expires={expires}"))
    }

    /// `Set-Cookie` that ends the session.
    pub fn logout_cookie(&self) -> String {
        self.cookie(&format!(
            "{SESSION_COOKIE}=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0"
        ))
    }

    fn cookie(&self, start: &str) -> String {
        let secure = if self.force_https { "; Secure" } else { "" };
        format!("{start}; HttpOnly; Path=/; SameSite=Lax{secure}")
    }
}

fn truthy(value: &toml::Value) -> bool {
    match value {
        toml::Value::Boolean(b) => *b,
        toml::Value::Integer(i) => *i != 0,
        toml::Value::String(s) => !s.is_empty(),
        _ => true,
    }
}

/// Publ's `canonicize_url`: the host of a URL identity in lower case and
/// an empty path as `/`; other identities (`test:x`, `mailto:`) as given.
pub fn canonical_identity(identity: &str) -> String {
    let Some((scheme, rest)) = identity.split_once("://") else {
        return identity.to_string();
    };
    let (host, path) = match rest.find(['/', '?', '#']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let path = if path.is_empty() || path.starts_with(['?', '#']) {
        format!("/{path}")
    } else {
        path.to_string()
    };
    format!("{scheme}://{}{path}", host.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn auth(users: &str) -> (tempfile::TempDir, Auth) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("users.cfg"), users).unwrap();
        let mut config = Config {
            secret_key: Some("sekrit".into()),
            ..Config::default()
        };
        config
            .auth
            .insert("TEST_ENABLED".into(), toml::Value::Boolean(true));
        let auth = Auth::from_config(&config, dir.path()).expect("auth enabled");
        (dir, auth)
    }

    fn with_header(name: &str, value: &str) -> Request {
        let mut req = Request::get("/");
        req.headers.push((name.into(), value.into()));
        req
    }

    // spec N1: no secret_key, no authentication
    #[test]
    fn needs_a_secret_and_settings() {
        let mut config = Config::default();
        config
            .auth
            .insert("TEST_ENABLED".into(), toml::Value::Boolean(true));
        assert!(Auth::from_config(&config, Path::new(".")).is_none());
        config.secret_key = Some("k".into());
        assert!(Auth::from_config(&config, Path::new(".")).is_some());
        config.auth.clear();
        assert!(Auth::from_config(&config, Path::new(".")).is_none());
    }

    fn bearer(auth: &Auth, token: &str, now: i64) -> Result<Option<Arc<User>>, Refusal> {
        auth.identify(
            &with_header("Authorization", &format!("Bearer {token}")),
            now,
        )
    }

    fn refused(auth: &Auth, header: &str) -> u16 {
        match auth.identify(&with_header("Authorization", header), 1) {
            Err(refusal) => refusal.status,
            Ok(user) => panic!("{header:?} was taken for {user:?}"),
        }
    }

    // spec N11: tokens round-trip, expire, and bad headers are 400/401
    #[test]
    fn bearer_tokens() {
        let (_dir, auth) = auth("[friends]\ntest:alice\n[admin]\ntest:boss\n");
        let token = auth.token("test:alice", 60, Some("read"), 1000);
        let user = bearer(&auth, &token, 1010).unwrap().unwrap();
        assert_eq!(user.identity, "test:alice");
        assert_eq!(user.auth_type, AuthType::Token);
        assert_eq!(user.scope.as_deref(), Some("read"));
        assert!(user.auth_groups.contains("friends") && !user.is_admin);
        assert_eq!(user.groups().collect::<Vec<_>>(), ["friends"]);
        assert_eq!(bearer(&auth, &token, 2000).unwrap_err().status, 401);
        let bad = bearer(&auth, "nope.nope", 1010);
        assert_eq!(bad.unwrap_err().message, "Invalid token");
        assert_eq!(refused(&auth, "Bearer"), 400);
        assert_eq!(refused(&auth, "Basic x"), 400);
        let boss = auth.token("test:boss", 60, None, 1000);
        assert!(bearer(&auth, &boss, 1000).unwrap().unwrap().is_admin);
    }

    // spec N2: the session cookie a login sets identifies the user
    #[test]
    fn session_cookies() {
        let (_dir, auth) = auth("");
        let set = auth.login_cookie("test:bob", 5000);
        assert!(set.contains("HttpOnly; Path=/; SameSite=Lax"), "{set}");
        let value = set.split(';').next().unwrap();
        let req = with_header("Cookie", &format!("theme=dark; {value}"));
        let user = auth.identify(&req, 5001).unwrap().unwrap();
        assert_eq!(user.identity, "test:bob");
        assert_eq!(user.auth_type, AuthType::Session);
        assert!(auth
            .identify(&req, 5000 + SESSION_LIFETIME + 1)
            .unwrap()
            .is_none());
        let payload = value
            .trim_start_matches("session=")
            .split('.')
            .next()
            .unwrap();
        let eve = dump_json(&serde_json::json!({"_permanent": true, "me": "test:eve"}));
        let forged = with_header("Cookie", &value.replace(payload, &eve));
        assert!(auth.identify(&forged, 5001).unwrap().is_none());
        assert!(auth.identify(&Request::get("/"), 5001).unwrap().is_none());
    }

    #[test]
    fn identities_are_canonical() {
        assert_eq!(
            canonical_identity("https://Example.COM"),
            "https://example.com/"
        );
        assert_eq!(
            canonical_identity("https://Example.com/~Me"),
            "https://example.com/~Me"
        );
        assert_eq!(canonical_identity("test:Alice"), "test:Alice");
    }
}

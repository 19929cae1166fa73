//! `request`, `user` and `template` in templates (spec E11, I1, I2).

use std::fmt;
use std::sync::Arc;

use minijinja::value::{Object, ObjectRepr};
use minijinja::{Error, ErrorKind, State, Value};

use super::args::CallArgs;

use crate::auth::{Auth, User};
use crate::template::date::ArrowDate;
use crate::template::page::Page;
use crate::template::resolve::Found;

/// Flask's `request`, as far as templates read it.
#[derive(Debug)]
pub struct RequestObject {
    pub page: Arc<Page>,
}

/// `request.args`: first value per key, like a MultiDict read by key.
#[derive(Debug)]
struct Args(Vec<(String, String)>);

impl Object for Args {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let key = key.as_str()?;
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| Value::from(v.clone()))
    }

    fn enumerate(self: &Arc<Self>) -> minijinja::value::Enumerator {
        let mut keys: Vec<Value> = Vec::new();
        for (k, _) in &self.0 {
            let k = Value::from(k.clone());
            if !keys.contains(&k) {
                keys.push(k);
            }
        }
        minijinja::value::Enumerator::Values(keys)
    }
}

impl Object for RequestObject {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let r = &self.page.request;
        Some(match key.as_str()? {
            "path" => Value::from(r.path.clone()),
            "full_path" => Value::from(r.full_path()),
            "url" => Value::from(r.url()),
            "base_url" => Value::from(r.base.absolute(&crate::urls::quote_path(&r.path))),
            "url_root" | "host_url" => Value::from(r.base.absolute("/")),
            "script_root" => Value::from(r.base.script_root.clone()),
            "host" => Value::from(r.base.host.clone()),
            "scheme" => Value::from(r.base.scheme.clone()),
            "method" => Value::from(r.method.clone()),
            "remote_addr" => Value::from(r.remote_addr.clone()),
            "query_string" => Value::from(r.query_string.clone()),
            "endpoint" => r
                .rule
                .map(|(e, _)| Value::from(e))
                .unwrap_or(Value::from(())),
            "args" => Value::from_object(Args(r.args.clone())),
            "headers" => crate::template::objects::map_value(
                r.headers
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::from(v.clone()))),
            ),
            "url_rule" => r
                .rule
                .map(|(_, u)| Value::from(u))
                .unwrap_or(Value::from(())),
            _ => return None,
        })
    }
}

/// The visitor (spec I2): the logged-in user, or a falsy anonymous one.
#[derive(Debug)]
pub struct UserObject {
    /// `None`: an anonymous visitor, a falsy user with empty fields.
    pub user: Option<Arc<User>>,
    pub auth: Option<Arc<Auth>>,
}

impl UserObject {
    /// `user.token(lifetime, scope=None)`: a bearer token for this user.
    fn token(&self, args: &[Value]) -> Result<Value, minijinja::Error> {
        let args = CallArgs::parse(args)?;
        let (Some(user), Some(auth)) = (&self.user, &self.auth) else {
            return Ok(Value::from(""));
        };
        let lifetime = args
            .get(0, "lifetime")
            .and_then(|v| v.as_i64())
            .unwrap_or(3600);
        let scope = args.string(1, "scope");
        let now = chrono::Utc::now().timestamp();
        Ok(Value::from(auth.token(
            &user.identity,
            lifetime,
            scope.as_deref(),
            now,
        )))
    }
}

impl Object for UserObject {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let user = self.user.as_deref();
        let text = |f: fn(&User) -> String| Value::from(user.map(f).unwrap_or_default());
        let list =
            |groups: Vec<&String>| Value::from(groups.into_iter().cloned().collect::<Vec<_>>());
        Some(match key.as_str()? {
            "identity" => text(|u| u.identity.clone()),
            "name" | "humanize" => text(|u| humanize(&u.identity)),
            "auth_type" => text(|u| u.auth_type.as_str().to_string()),
            "scope" => match user.and_then(|u| u.scope.clone()) {
                Some(scope) => Value::from(scope),
                None => Value::from(()),
            },
            "is_admin" => Value::from(user.is_some_and(|u| u.is_admin)),
            "is_bot" => Value::from(false),
            "groups" => list(user.map(|u| u.groups().collect()).unwrap_or_default()),
            "auth_groups" => list(
                user.map(|u| u.auth_groups.iter().collect())
                    .unwrap_or_default(),
            ),
            "profile" => crate::template::objects::map_value(std::iter::empty::<(String, Value)>()),
            "token" => {
                let this = self.clone();
                Value::from_function(move |args: &[Value]| this.token(args))
            }
            _ => Value::from(()),
        })
    }

    fn is_true(self: &Arc<Self>) -> bool {
        self.user.is_some()
    }

    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.user.as_ref().map_or("", |u| u.identity.as_str()))
    }
}

/// Publ's `User.humanize`: the identity without an http(s) scheme.
fn humanize(identity: &str) -> String {
    match identity.split_once("://") {
        Some(("http" | "https", rest)) => rest.to_string(),
        Some((scheme, rest)) => format!("{scheme}:{rest}"),
        None => identity.to_string(),
    }
}

/// `template` (spec I1).
#[derive(Debug)]
pub struct TemplateObject {
    pub found: Found,
    pub file_path: Option<std::path::PathBuf>,
    /// Images named from the template: the content folder at the
    /// template's own relative path (Publ's `Template.image`).
    pub images: crate::image::Scope,
}

impl Object for TemplateObject {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let mtime = || {
            self.file_path
                .as_ref()
                .and_then(|p| std::fs::metadata(p).ok())
                .and_then(|m| m.modified().ok())
        };
        Some(match key.as_str()? {
            "name" => Value::from(self.found.name.clone()),
            "filename" => Value::from(self.found.filename.clone()),
            "file_path" => match &self.file_path {
                Some(p) => Value::from(p.to_string_lossy().into_owned()),
                None => Value::from(()),
            },
            "mime_type" => Value::from(self.found.mime_type.clone()),
            "content_type" => Value::from(self.found.content_type()),
            "mtime" => match mtime() {
                Some(t) => Value::from(
                    t.duration_since(std::time::UNIX_EPOCH)
                        .map(|d| d.as_secs_f64())
                        .unwrap_or(0.0),
                ),
                None => Value::from(()),
            },
            "last_modified" => match mtime() {
                Some(t) => Value::from_object(ArrowDate::new(
                    chrono::DateTime::<chrono::Utc>::from(t).fixed_offset(),
                )),
                None => Value::from(()),
            },
            _ => return None,
        })
    }

    fn call_method(
        self: &Arc<Self>,
        _state: &mut State<'_, '_>,
        method: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        if method != "image" {
            return Err(Error::from(ErrorKind::UnknownMethod));
        }
        let args = CallArgs::parse(args)?;
        let name = args.string(0, "filename").unwrap_or_default();
        Ok(super::image::ImageObject::value(self.images.clone(), &name))
    }

    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.found.name)
    }
}

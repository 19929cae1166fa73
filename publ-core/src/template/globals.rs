//! Template globals that depend on the page being rendered (spec E1-E11).

use std::sync::Arc;

use minijinja::value::{Object, ObjectRepr};
use minijinja::{Error, ErrorKind, State, Value};

use super::date::{arrow_get, now_in, ArrowClass};
use super::objects::args::{bad_argument, CallArgs};
use super::objects::category::CategoryObject;
use super::objects::entry::EntryObject;
use super::objects::map_value;
use super::objects::member::{Function, Member};
use super::objects::request::{RequestObject, TemplateObject, UserObject};
use super::objects::search::search;
use super::objects::view::{spec_from_keywords, ViewObject};
use super::page::Page;
use super::resolve::{Accept, Found};

/// The `arrow` module (spec E1).
#[derive(Debug)]
struct ArrowModule;

impl Object for ArrowModule {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        (key.as_str()? == "Arrow").then(|| Value::from_object(ArrowClass))
    }

    fn call_method(
        self: &Arc<Self>,
        _state: &mut State<'_, '_>,
        method: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        let args = CallArgs::parse(args)?;
        match method {
            "now" => {
                let tz = match args.string(0, "tz") {
                    Some(name) => name
                        .parse()
                        .map_err(|_| bad_argument(format!("unknown time zone {name:?}")))?,
                    // Arrow's default is the machine's zone, not the site's.
                    None => crate::config::local_timezone(),
                };
                Ok(Value::from_object(now_in(tz)))
            }
            "utcnow" => Ok(Value::from_object(now_in(chrono_tz::UTC))),
            "get" => Ok(Value::from_object(arrow_get(&args.positional)?)),
            _ => Err(Error::from(ErrorKind::UnknownMethod)),
        }
    }
}

/// `url_for(endpoint, **values)` for Publ's own endpoints; `secure` is
/// `secure_url`.
fn url_for(page: &Arc<Page>, args: &CallArgs, secure: bool) -> Result<String, Error> {
    let endpoint = args
        .string(0, "endpoint")
        .ok_or_else(|| bad_argument("url_for() needs an endpoint"))?;
    let absolute = args.flag(usize::MAX, "_external", false);
    let text = |k: &str| args.string(usize::MAX, k).unwrap_or_default();
    let reserved = [
        "endpoint",
        "_external",
        "_scheme",
        "category",
        "template",
        "entry_id",
        "slug_text",
        "filename",
    ];
    let query: Vec<(String, String)> = args
        .keywords
        .iter()
        .filter(|(k, _)| !reserved.contains(&k.as_str()))
        .flat_map(|(k, v)| {
            super::objects::view::value_list(v)
                .into_iter()
                .map(move |v| (k.clone(), v))
        })
        .collect();
    let path = match endpoint.as_str() {
        "category" => crate::urls::category(&text("category"), &text("template"), &query),
        "entry" => {
            let id = args
                .get(usize::MAX, "entry_id")
                .and_then(|v| v.as_i64().or_else(|| v.to_string().parse().ok()))
                .ok_or_else(|| bad_argument("url_for('entry') needs entry_id"))?;
            crate::urls::entry(&text("category"), id, &text("slug_text"), &query)
        }
        "static" => return Ok(page.static_url(&text("filename"), absolute)),
        "login" => format!("/_login/{}", text("redir")),
        "logout" => format!("/_logout/{}", text("redir")),
        "admin" => "/_admin".to_string(),
        "tokens" => "/_tokens".to_string(),
        "chit" => "/_".to_string(),
        other => return Err(bad_argument(format!("unknown endpoint {other:?}"))),
    };
    Ok(if secure {
        page.secure_link(&path, absolute)
    } else {
        page.link(&path, absolute)
    })
}

/// `login`/`logout`: links that come back to this page (spec E7).
fn auth_link(page: &Arc<Page>, endpoint: &'static str) -> Value {
    let page = page.clone();
    Member::value_of(endpoint, move |args| {
        let args = CallArgs::parse(args)?;
        let redir = args
            .string(0, "redir")
            .unwrap_or_else(|| page.request.full_path());
        let redir = redir
            .trim_start_matches('/')
            .trim_end_matches('?')
            .to_string();
        let path = format!("/_{endpoint}/{}", crate::urls::quote_path(&redir));
        Ok(Value::from(
            page.secure_link(&path, args.flag(1, "absolute", false)),
        ))
    })
}

/// `image(path)` (spec E6, F18, G9). Renditions come with the image
/// issue; until then an image is its plain URL (`@` paths are static).
/// Flask's `config`: the site's settings under Publ's key names.
fn config_value(config: &crate::config::Config) -> Value {
    map_value([
        (
            "content_folder",
            Value::from(config.content_folder.to_string_lossy().into_owned()),
        ),
        (
            "template_folder",
            Value::from(config.template_folder.to_string_lossy().into_owned()),
        ),
        (
            "static_folder",
            Value::from(config.static_folder.to_string_lossy().into_owned()),
        ),
        (
            "static_url_path",
            Value::from(config.static_url_path.clone()),
        ),
        (
            "timezone",
            Value::from(config.timezone.clone().unwrap_or_default()),
        ),
    ])
}

/// `get_entry(id)`: the entry, or None when it is not visible (spec E4).
fn get_entry(page: &Arc<Page>, args: &CallArgs) -> Result<Value, Error> {
    let id = args.get(0, "entry_id").unwrap_or(Value::UNDEFINED);
    let id = id
        .as_i64()
        .or_else(|| id.to_string().parse().ok())
        .ok_or_else(|| bad_argument(format!("get_entry: bad entry id {id}")))?;
    let record = page
        .catalog
        .entry(id)
        .ok_or_else(|| bad_argument(format!("get_entry: no entry {id}")))?;
    if !record.visible() || !crate::access::is_authorized(&record.auth, page.user.as_deref()) {
        return Ok(Value::from(()));
    }
    Ok(EntryObject::value(page, record))
}

/// `get_template(name_or_list, relation)`: a template file name that
/// `{% extends %}`/`{% include %}` accept (spec E5).
fn get_template(page: &Arc<Page>, args: &CallArgs) -> Result<Value, Error> {
    let names = super::objects::view::value_list(
        &args
            .get(0, "template")
            .ok_or_else(|| bad_argument("get_template() needs a name"))?,
    );
    let relation = args.get(1, "relation").unwrap_or(Value::from(""));
    let category = match relation.downcast_object_ref::<EntryObject>() {
        Some(entry) => entry.record.category.clone(),
        None => relation.to_string(),
    };
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    Ok(
        match page
            .templates
            .map(&category, &names, &Accept::everything(), true)
        {
            Ok(Some(found)) => Value::from(found.filename),
            _ => Value::from(()),
        },
    )
}

/// `image(path)`: looks in the page entry's folders, the page category's
/// folder, then the template's (spec E6).
fn image_function(
    page: &Arc<Page>,
    vars: &[(&'static str, Value)],
    template_images: std::path::PathBuf,
) -> Value {
    let mut search = Vec::new();
    for (name, value) in vars {
        if let (&"entry", Some(entry)) = (name, value.downcast_object_ref::<EntryObject>()) {
            search.extend(entry.search_path());
        }
        if let (&"category", Some(category)) = (name, value.downcast_object_ref::<CategoryObject>())
        {
            search.push(page.config.content_dir().join(&category.path));
        }
    }
    search.push(template_images);
    let scope = page.image_scope(search);
    Function::value_of("image", move |args| {
        let name = args
            .string(0, "path")
            .ok_or_else(|| bad_argument("image() needs a path"))?;
        Ok(super::objects::image::ImageObject::value(
            scope.clone(),
            &name,
        ))
    })
}

/// Everything a Publ template can name besides its own variables.
pub fn context(page: &Arc<Page>, found: &Found, vars: Vec<(&'static str, Value)>) -> Value {
    let file_path = (!found.is_builtin()).then(|| page.config.template_dir().join(&found.filename));
    let content_dir = page.config.content_dir();
    let template_images = content_dir.join(
        std::path::Path::new(&found.filename)
            .parent()
            .unwrap_or(std::path::Path::new("")),
    );
    let mut items: Vec<(&'static str, Value)> = vec![
        (
            "template",
            Value::from_object(TemplateObject {
                found: found.clone(),
                file_path,
                images: page.image_scope(vec![template_images.clone()]),
            }),
        ),
        (
            "user",
            Value::from_object(UserObject {
                user: page.user.clone(),
                auth: page.auth.clone(),
            }),
        ),
        (
            "request",
            Value::from_object(RequestObject { page: page.clone() }),
        ),
        ("arrow", Value::from_object(ArrowModule)),
        ("login", auth_link(page, "login")),
        ("logout", auth_link(page, "logout")),
        (
            "token_endpoint",
            Value::from(page.secure_link("/_tokens", false)),
        ),
        // Flask's request globals; Publ keeps nothing in them for templates.
        ("session", map_value(std::iter::empty::<(String, Value)>())),
        ("g", map_value(std::iter::empty::<(String, Value)>())),
        ("config", config_value(&page.config)),
    ];
    let function = |name: &'static str, f: fn(&Arc<Page>, &CallArgs) -> Result<Value, Error>| {
        let page = page.clone();
        (name, Function::value_of(name, move |args| f(&page, args)))
    };
    items.extend([
        function("get_view", |p, a| {
            ViewObject::value(p, &spec_from_keywords(&a.keywords))
        }),
        function("get_entry", get_entry),
        function("static", |p, a| {
            let path = a
                .string(0, "path")
                .ok_or_else(|| bad_argument("static() needs a path"))?;
            Ok(Value::from(
                p.static_url(&path, a.flag(1, "absolute", false)),
            ))
        }),
        function("url_for", |p, a| url_for(p, a, false).map(Value::from)),
        function("secure_url", |p, a| url_for(p, a, true).map(Value::from)),
        function("get_template", get_template),
        function("search", search),
        function("get_flashed_messages", |_, _| {
            Ok(Value::from(Vec::<Value>::new()))
        }),
    ]);
    items.push(("image", image_function(page, &vars, template_images)));
    items.extend(vars);
    if !items.iter().any(|(k, _)| *k == "category") {
        items.push(("category", CategoryObject::value(page, "")));
    }
    crate::template::objects::map_value(items.into_iter().map(|(k, v)| (k.to_string(), v)))
}

//! The minijinja environment: loader over the template folder (with the
//! Jinja2 source rewrites), markupsafe-exact escaping, Python method shims
//! and Publ's filters.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use minijinja::{Environment, Error, ErrorKind, Value};

use super::escape::{autoescape_for, markupsafe_formatter};
use super::objects::member::resolve;
use super::resolve::{BUILTINS, BUILTIN_PREFIX};
use super::syntax::rewrite_source;
use crate::markup::html::{first_paragraph, strip_html};

/// A template name as a path inside the template folder; names that would
/// leave it are refused.
fn template_path(root: &Path, name: &str) -> Option<PathBuf> {
    let rel = Path::new(name.trim_start_matches('/'));
    if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
        return None;
    }
    Some(root.join(rel))
}

pub fn build(template_dir: &Path) -> Environment<'static> {
    let mut env = Environment::new();
    let root = template_dir.to_path_buf();
    env.set_loader(move |name| {
        if let Some(builtin) = name.strip_prefix(BUILTIN_PREFIX) {
            return Ok(BUILTINS
                .iter()
                .find(|(n, _)| *n == builtin)
                .map(|(_, src)| rewrite_source(src).into_owned()));
        }
        let Some(path) = template_path(&root, name) else {
            return Ok(None);
        };
        match std::fs::read_to_string(&path) {
            Ok(src) => Ok(Some(rewrite_source(&src).into_owned())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::new(
                ErrorKind::TemplateNotFound,
                format!("cannot read template {}: {e}", path.display()),
            )),
        }
    });
    // `{% extends '/entry.html' %}` names are relative to the template root.
    env.set_path_join_callback(|name, _parent| name.trim_start_matches('/').to_string().into());
    env.set_auto_escape_callback(autoescape_for);
    env.set_formatter(|out, state, value| markupsafe_formatter(out, state, &resolve(value)?));
    super::pymethods::install(&mut env);
    env.add_filter(
        "strip_html",
        |value: Value, remove: Option<Vec<String>>| -> String {
            let remove: Vec<&str> = remove.iter().flatten().map(String::as_str).collect();
            strip_html(&value.to_string(), &remove)
        },
    );
    env.add_filter("first_paragraph", |value: Value| -> Value {
        Value::from_safe_string(first_paragraph(&value.to_string()))
    });
    env
}

/// Shared handle so renders on many threads use one compiled cache.
pub type SharedEnv = Arc<Environment<'static>>;

//! The minijinja environment: loader over the template folder (with the
//! Jinja2 source rewrites), markupsafe-exact escaping, Python method shims
//! and Publ's filters.

use std::path::{Component, Path, PathBuf};

use minijinja::{Environment, Error, ErrorKind, Value};

use super::escape::{autoescape_for, markupsafe_formatter};
use super::objects::member::resolve;
use super::resolve::{BUILTINS, BUILTIN_PREFIX};
use super::syntax::rewrite_source;
use crate::markup::html::{first_paragraph, strip_html, Strip};

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
    env.add_filter("strip_html", strip_html_filter);
    env.add_filter(
        "first_paragraph",
        |value: Value, strip_tag: Option<bool>| -> Value {
            Value::from_safe_string(first_paragraph(
                &value.to_string(),
                strip_tag.unwrap_or(false),
            ))
        },
    );
    env
}

/// `|strip_html(allowed_tags=None, allowed_attrs=None, remove_elements=None)`
/// (spec E12).
fn strip_html_filter(
    value: Value,
    allowed_tags: Option<Vec<String>>,
    allowed_attrs: Option<Vec<String>>,
    remove_elements: Option<Vec<String>>,
) -> String {
    fn strs(v: &Option<Vec<String>>) -> Vec<&str> {
        v.iter().flatten().map(String::as_str).collect()
    }
    let (tags, attrs, remove) = (
        strs(&allowed_tags),
        strs(&allowed_attrs),
        strs(&remove_elements),
    );
    strip_html(
        &value.to_string(),
        Strip {
            allowed_tags: &tags,
            allowed_attrs: &attrs,
            remove_elements: &remove,
        },
    )
}

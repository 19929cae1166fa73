//! Output formatting that produces the same bytes as Jinja2 with markupsafe.
//!
//! minijinja's own HTML escaping differs from markupsafe (`&quot;`, `&#x27;`
//! and an escaped `/`), and its float output is Rust's rather than Python's
//! (`1e20` vs `1e+20`, `NaN` vs `nan`); everything else about value printing
//! (`None`, `True`, `['a', 'b']`, `{'a': 1}`, tuples) already matches Python.

use std::fmt::Write;

use std::collections::BTreeMap;

use minijinja::value::{Tuple, ValueKind};
use minijinja::{AutoEscape, Error, Output, State, Value};

/// Template formatter for [`minijinja::Environment::set_formatter`].
pub fn markupsafe_formatter(
    out: &mut Output,
    state: &mut State,
    value: &Value,
) -> Result<(), Error> {
    match state.auto_escape() {
        AutoEscape::Html if !value.is_safe() => out.write_str(&escape_html(&py_str(value)?))?,
        AutoEscape::Html | AutoEscape::None => out.write_str(&py_str(value)?)?,
        _ => minijinja::escape_formatter(out, state, value)?,
    }
    Ok(())
}

/// Flask turns autoescaping on for these template extensions only.
pub fn autoescape_for(name: &str) -> AutoEscape {
    if [".html", ".htm", ".xml", ".xhtml"]
        .iter()
        .any(|ext| name.ends_with(ext))
    {
        AutoEscape::Html
    } else {
        AutoEscape::None
    }
}

pub use crate::markup::html::escape as escape_html;

/// Python's `str(value)`.
pub(crate) fn py_str(value: &Value) -> Result<String, Error> {
    let mut out = String::new();
    write_py_str(&mut out, value)?;
    Ok(out)
}

fn write_py_str(out: &mut String, value: &Value) -> Result<(), Error> {
    if let Some(f) = as_float(value) {
        out.push_str(&py_float_repr(f));
        return Ok(());
    }
    if is_builtin_container(value) {
        return write_py_repr(out, value);
    }
    write!(out, "{value}").map_err(Error::from)
}

/// Python's `repr(value)`, as used for the items of a printed container.
fn write_py_repr(out: &mut String, value: &Value) -> Result<(), Error> {
    if let Some(f) = as_float(value) {
        out.push_str(&py_float_repr(f));
        return Ok(());
    }
    if value.is_undefined() {
        out.push_str("Undefined");
        return Ok(());
    }
    if !is_builtin_container(value) {
        return if value.kind() == ValueKind::String {
            write!(out, "{value:?}")
        } else {
            write!(out, "{value}")
        }
        .map_err(Error::from);
    }
    if value.kind() == ValueKind::Map {
        out.push('{');
        for (idx, key) in value.try_iter()?.enumerate() {
            if idx > 0 {
                out.push_str(", ");
            }
            write_py_repr(out, &key)?;
            out.push_str(": ");
            write_py_repr(out, &value.get_item(&key)?)?;
        }
        out.push('}');
        return Ok(());
    }
    let is_tuple = value.downcast_object_ref::<Tuple>().is_some();
    out.push(if is_tuple { '(' } else { '[' });
    let mut count = 0;
    for (idx, item) in value.try_iter()?.enumerate() {
        if idx > 0 {
            out.push_str(", ");
        }
        write_py_repr(out, &item)?;
        count += 1;
    }
    if is_tuple && count == 1 {
        out.push(',');
    }
    out.push(if is_tuple { ')' } else { ']' });
    Ok(())
}

fn as_float(value: &Value) -> Option<f64> {
    // Integers also convert to f64, so only take values that are floats.
    if value.kind() == ValueKind::Number && !value.is_integer() {
        f64::try_from(value.clone()).ok()
    } else {
        None
    }
}

/// Only minijinja's own containers are printed Python-style; other objects
/// keep their own `render`. (Were minijinja's `preserve_order` feature ever
/// enabled, maps would be `IndexMap`s and fall back to minijinja's rendering,
/// which differs only in how nested floats print.)
fn is_builtin_container(value: &Value) -> bool {
    value.downcast_object_ref::<Vec<Value>>().is_some()
        || value
            .downcast_object_ref::<BTreeMap<Value, Value>>()
            .is_some()
        || value.downcast_object_ref::<Tuple>().is_some()
}

/// Python's `repr(float)`: shortest round-trip digits, positional notation
/// for decimal exponents in [-4, 16), otherwise `d.ddde+XX`.
pub(crate) fn py_float_repr(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f < 0.0 { "-inf" } else { "inf" }.into();
    }
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if (-4..16).contains(&exp) {
        let mut s = f.to_string();
        if !s.contains('.') {
            s.push_str(".0");
        }
        s
    } else {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exp.abs())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use minijinja::{context, Environment};

    fn env() -> Environment<'static> {
        let mut env = Environment::new();
        env.set_auto_escape_callback(autoescape_for);
        env.set_formatter(markupsafe_formatter);
        env
    }

    fn render(name: &str, src: &str, ctx: Value) -> String {
        let mut env = env();
        env.add_template_owned(name.to_string(), src.to_string())
            .unwrap();
        env.get_template(name).unwrap().render(ctx).unwrap()
    }

    // Expected strings from Jinja2 3.1.6 + markupsafe 3.0.4:
    //   Environment(autoescape=select_autoescape(['html','htm','xml','xhtml'],
    //     default_for_string=False)).from_string(SRC).render(CTX)
    // with `undefined_thing` absent from CTX. (spec E11 / template output)
    const SRC: &str = "{{ s }}|{{ none }}|{{ t }}|{{ f }}|{{ x }}|{{ y }}|{{ big }}|{{ tiny }}|\
                       {{ l }}|{{ d }}|{{ tup }}|{{ one }}|{{ s|safe }}|{{ undefined_thing }}|\
                       {{ 7 }}|{{ [1.5, 1e20, 'it\\'s'] }}|{{ nan }}";

    fn ctx() -> Value {
        context! {
            s => "<a href=\"/x?a=1&b='2'\">",
            none => (),
            t => true,
            f => false,
            x => 1.0,
            y => 0.1,
            big => 1e20,
            tiny => 1e-5,
            l => vec!["a", "<b>"],
            d => context! { a => 1 },
            tup => Value::from(Tuple::from([Value::from(1), Value::from("a")])),
            one => Value::from(Tuple::from([Value::from(2)])),
            nan => f64::NAN,
        }
    }

    #[test]
    fn html_output_matches_markupsafe() {
        assert_eq!(
            render("page.html", SRC, ctx()),
            "&lt;a href=&#34;/x?a=1&amp;b=&#39;2&#39;&#34;&gt;|None|True|False|1.0|0.1|1e+20|1e-05|\
             [&#39;a&#39;, &#39;&lt;b&gt;&#39;]|{&#39;a&#39;: 1}|(1, &#39;a&#39;)|(2,)|\
             <a href=\"/x?a=1&b='2'\">||7|[1.5, 1e+20, &#34;it&#39;s&#34;]|nan"
        );
    }

    #[test]
    fn plain_output_is_python_str() {
        assert_eq!(
            render("robots.txt", SRC, ctx()),
            "<a href=\"/x?a=1&b='2'\">|None|True|False|1.0|0.1|1e+20|1e-05|\
             ['a', '<b>']|{'a': 1}|(1, 'a')|(2,)|\
             <a href=\"/x?a=1&b='2'\">||7|[1.5, 1e+20, \"it's\"]|nan"
        );
    }

    #[test]
    fn autoescape_follows_flask_extensions() {
        for name in ["a.html", "b.htm", "c.xml", "d.xhtml"] {
            assert_eq!(autoescape_for(name), AutoEscape::Html);
        }
        for name in ["robots.txt", "style.css", "feed"] {
            assert_eq!(autoescape_for(name), AutoEscape::None);
        }
    }

    #[test]
    fn float_repr_matches_python() {
        // python3 -c "print([repr(x) for x in [1e16, 1.5e16, 1e15, 1e-4, 1.25e-7, -2.0, 123.456]])"
        let cases = [
            (1e16, "1e+16"),
            (1.5e16, "1.5e+16"),
            (1e15, "1000000000000000.0"),
            (1e-4, "0.0001"),
            (1.25e-7, "1.25e-07"),
            (-2.0, "-2.0"),
            (123.456, "123.456"),
        ];
        for (f, want) in cases {
            assert_eq!(py_float_repr(f), want);
        }
    }
}

//! Jinja2 3.1's filters, tests and globals where minijinja's differ from
//! them or are missing. Each follows Jinja2's (and markupsafe's) Python
//! source; what returns `Markup` there returns a safe string here.
//!
//! minijinja's own `title`, `capitalize`, `trim`, `replace`, `upper`,
//! `lower`, `batch`, `slice`, `groupby`, `map`, `select`/`reject`(`attr`),
//! `unique`, `sum`, `min`/`max`, `round`, `abs`, `first`/`last`,
//! `reverse`, `list`, `string`, `default`, `items`, `length`, `loop.cycle`
//! and `namespace()` attribute assignment already produce Jinja2's bytes
//! (`tests/jinja_compat` checks them), so they are not replaced.
//!
//! Known gaps (minijinja has no hook for them): the `%` operator on
//! strings, macros taking `varargs`/`kwargs`, `loop.length`/`revindex`/
//! `last` over a string, the `attr` filter reading dict items, printing a
//! `namespace` or a method (`'x'.upper is callable` is false), `lipsum()`.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock};

use minijinja::value::{Kwargs, Object, ObjectRepr, Rest, Tuple, ValueKind};
use minijinja::{AutoEscape, Environment, Error, ErrorKind, State, Value};
use regex::Regex;

use super::escape::{escape_html, py_float_repr, py_str};
use super::objects::member::resolve;
use super::pymethods::pad;

/// Registers the filters, tests and globals below over minijinja's.
pub fn install(env: &mut Environment) {
    env.add_filter("sort", sort);
    env.add_filter("dictsort", dictsort);
    env.add_filter("escape", escape);
    env.add_filter("e", escape);
    env.add_filter("forceescape", forceescape);
    env.add_filter("truncate", truncate);
    env.add_filter("wordcount", wordcount);
    env.add_filter("random", random);
    env.add_filter("int", int);
    env.add_filter("float", float);
    env.add_filter("join", join);
    env.add_filter("urlencode", urlencode);
    env.add_filter("tojson", tojson);
    env.add_filter("striptags", striptags);
    env.add_filter("format", format);
    env.add_filter("center", center);
    env.add_filter("indent", indent);
    env.add_filter("wordwrap", wordwrap);
    env.add_filter("filesizeformat", filesizeformat);
    env.add_filter("xmlattr", xmlattr);
    env.add_filter("urlize", urlize);
    env.add_filter("pprint", pprint);
    env.add_test("sequence", is_sequence);
    env.add_test("callable", is_callable);
    env.add_function("cycler", cycler);
    env.add_function("joiner", minijinja_contrib::globals::joiner);
}

fn value_error(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidOperation, msg.into())
}

fn undefined_error() -> Error {
    Error::new(ErrorKind::UndefinedError, "value is undefined")
}

fn autoescaping(state: &State) -> bool {
    !matches!(state.auto_escape(), AutoEscape::None)
}

/// `Markup(s)` when the template autoescapes (Jinja2's `eval_ctx.autoescape`).
fn markup_if_escaping(state: &State, s: String) -> Value {
    if autoescaping(state) {
        Value::from_safe_string(s)
    } else {
        Value::from(s)
    }
}

/// `s` keeping the safety of `like` (Markup methods return Markup).
fn same_safety(like: &Value, s: String) -> Value {
    if like.is_safe() {
        Value::from_safe_string(s)
    } else {
        Value::from(s)
    }
}

/// markupsafe's `escape(value)`, as text.
fn escaped(value: &Value) -> Result<String, Error> {
    let value = &resolve(value)?;
    if value.is_safe() {
        return Ok(value.as_str().unwrap_or_default().to_string());
    }
    Ok(escape_html(&py_str(value)?).into_owned())
}

/// Python's `str.isspace()` for one character.
fn py_isspace(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

/// Python's `str.splitlines(keepends)`.
fn py_splitlines(s: &str, keepends: bool) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let is_break = matches!(
            c,
            '\n' | '\r'
                | '\x0b'
                | '\x0c'
                | '\x1c'
                | '\x1d'
                | '\x1e'
                | '\u{85}'
                | '\u{2028}'
                | '\u{2029}'
        );
        if !is_break {
            continue;
        }
        let mut end = i + c.len_utf8();
        if c == '\r' && chars.peek().is_some_and(|&(_, n)| n == '\n') {
            chars.next();
            end += 1;
        }
        lines.push(&s[start..if keepends { end } else { i }]);
        start = end;
    }
    if start < s.len() {
        lines.push(&s[start..]);
    }
    lines
}

/// Python's iteration: `Undefined` iterates as empty.
fn py_iter(value: &Value) -> Result<Vec<Value>, Error> {
    if value.is_undefined() {
        return Ok(Vec::new());
    }
    Ok(value.try_iter()?.collect())
}

/// Binds positional and keyword arguments to parameter names the way a
/// Python call does.
fn bind(names: &[&str], args: &[Value], kwargs: &Kwargs) -> Result<Vec<Option<Value>>, Error> {
    if args.len() > names.len() {
        return Err(Error::from(ErrorKind::TooManyArguments));
    }
    let mut bound: Vec<Option<Value>> = vec![None; names.len()];
    for (slot, value) in bound.iter_mut().zip(args) {
        *slot = Some(value.clone());
    }
    for (slot, name) in bound.iter_mut().zip(names) {
        // `has` first: an explicit `none` is an argument, as in Python.
        if kwargs.has(name) {
            let value: Value = kwargs.get(name)?;
            if slot.is_some() {
                return Err(value_error(format!(
                    "got multiple values for argument {name:?}"
                )));
            }
            *slot = Some(value);
        }
    }
    kwargs.assert_all_used()?;
    Ok(bound)
}

/// A bound argument unless absent or `none` (Python's `None` default).
fn given(bound: &[Option<Value>], i: usize) -> Option<&Value> {
    bound[i]
        .as_ref()
        .filter(|v| !v.is_none() && !v.is_undefined())
}

fn truthy(bound: &[Option<Value>], i: usize, default: bool) -> bool {
    bound[i].as_ref().map_or(default, Value::is_true)
}

fn int_arg(bound: &[Option<Value>], i: usize, default: i64) -> Result<i64, Error> {
    match &bound[i] {
        None => Ok(default),
        Some(v) if v.kind() == ValueKind::Bool => Ok(i64::from(v.is_true())),
        Some(v) => i64::try_from(v.clone()),
    }
}

// ---------------------------------------------------------------------------
// Sorting

/// Binds Python-style arguments into keyword arguments for minijinja's
/// filter, with the flags Python-truthy (`case_sensitive='date'` is true).
fn keywords(names: &[&'static str], args: &[Value], kwargs: &Kwargs) -> Result<Kwargs, Error> {
    let bound = bind(names, args, kwargs)?;
    Ok(names
        .iter()
        .zip(bound)
        .filter_map(|(&name, value)| {
            let value = value?;
            match name {
                "reverse" | "case_sensitive" => Some((name, Value::from(value.is_true()))),
                "attribute" if value.is_none() => None,
                _ => Some((name, value)),
            }
        })
        .collect())
}

/// Jinja2's `sort(reverse=False, case_sensitive=False, attribute=None)`
/// also takes its arguments positionally (`log|sort(True, 'date')` in
/// Publ's admin page: reverse, case-sensitive); minijinja's only takes
/// keywords.
fn sort(state: &State, value: Value, args: Rest<Value>, kwargs: Kwargs) -> Result<Value, Error> {
    let kwargs = keywords(&["reverse", "case_sensitive", "attribute"], &args, &kwargs)?;
    minijinja::filters::sort(state, resolve(&value)?, kwargs)
}

/// Jinja2's `dictsort(case_sensitive=False, by='key', reverse=False)`,
/// positionally too.
fn dictsort(value: Value, args: Rest<Value>, kwargs: Kwargs) -> Result<Value, Error> {
    let kwargs = keywords(&["case_sensitive", "by", "reverse"], &args, &kwargs)?;
    minijinja::filters::dictsort(&resolve(&value)?, kwargs)
}

// ---------------------------------------------------------------------------
// Escaping

/// markupsafe's `escape()`: leaves safe strings alone and escapes `str()`
/// of anything else with markupsafe's character set (minijinja's own
/// filter writes `&quot;`, `&#x27;` and `&#x2f;`).
fn escape(value: Value) -> Result<Value, Error> {
    let value = resolve(&value)?;
    if value.is_safe() {
        return Ok(value);
    }
    Ok(Value::from_safe_string(escaped(&value)?))
}

/// `forceescape`: escapes even safe strings (missing from minijinja).
fn forceescape(value: Value) -> Result<Value, Error> {
    let value = resolve(&value)?;
    let text = match value.as_str() {
        Some(s) if value.is_safe() => s.to_string(),
        _ => py_str(&value)?,
    };
    Ok(Value::from_safe_string(escape_html(&text).into_owned()))
}

// ---------------------------------------------------------------------------
// Text

/// Jinja2's `truncate(s, length=255, killwords=False, end='...', leeway=5)`;
/// a safe string stays safe, with `end` escaped unless it is safe too.
fn truncate(value: Value, args: Rest<Value>, kwargs: Kwargs) -> Result<Value, Error> {
    let bound = bind(&["length", "killwords", "end", "leeway"], &args, &kwargs)?;
    let value = resolve(&value)?;
    let length = bound[0].clone().map_or(Ok(255), usize::try_from)?;
    let end = bound[2].clone().unwrap_or_else(|| Value::from("..."));
    let leeway = given(&bound, 3).cloned().map_or(Ok(5), usize::try_from)?;
    let end_len = py_len(&end)?;
    if length < end_len {
        return Err(value_error(format!(
            "expected length >= {end_len}, got {length}"
        )));
    }
    if py_len(&value)? <= length + leeway {
        return Ok(value);
    }
    let (Some(s), Some(end_text)) = (value.as_str(), end.as_str()) else {
        return Err(value_error(format!(
            "cannot truncate {} with {}",
            py_type_name(&value),
            py_type_name(&end)
        )));
    };
    let head: String = s.chars().take(length - end_len).collect();
    let head = if truthy(&bound, 1, false) {
        head.as_str()
    } else {
        head.rsplit_once(' ').map_or(head.as_str(), |(h, _)| h)
    };
    Ok(match (value.is_safe(), end.is_safe()) {
        (false, false) => Value::from(format!("{head}{end_text}")),
        (true, true) => Value::from_safe_string(format!("{head}{end_text}")),
        (true, false) => Value::from_safe_string(format!("{head}{}", escape_html(end_text))),
        (false, true) => Value::from_safe_string(format!("{}{end_text}", escape_html(head))),
    })
}

/// Python's `len()`.
fn py_len(value: &Value) -> Result<usize, Error> {
    match value.kind() {
        ValueKind::String => Ok(chars_len(value.as_str().unwrap_or_default())),
        // Jinja2's Undefined has a length of 0.
        ValueKind::Undefined => Ok(0),
        ValueKind::Seq | ValueKind::Map | ValueKind::Bytes => value.len().ok_or_else(|| {
            value_error(format!(
                "object of type '{}' has no len()",
                py_type_name(value)
            ))
        }),
        _ => Err(value_error(format!(
            "object of type '{}' has no len()",
            py_type_name(value)
        ))),
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Jinja2's `wordcount`: the number of `\w+` runs.
fn wordcount(value: Value) -> Result<usize, Error> {
    let s = py_str(&resolve(&value)?)?;
    Ok(s.split(|c: char| !is_word_char(c))
        .filter(|w| !w.is_empty())
        .count())
}

/// `center(width=80)`: CPython's `str.center`; safe strings stay safe.
fn center(value: Value, width: Option<usize>) -> Result<Value, Error> {
    let value = resolve(&value)?;
    let width = width.unwrap_or(80);
    let out = pad(&py_str(&value)?, width, None, |marg| {
        marg / 2 + (marg & width & 1)
    })?;
    Ok(same_safety(&value, out))
}

/// Jinja2's `indent(width=4, first=False, blank=False)`; `width` may be a
/// string, and the trailing-newline quirk is kept.
fn indent(value: Value, args: Rest<Value>, kwargs: Kwargs) -> Result<Value, Error> {
    let bound = bind(&["width", "first", "blank"], &args, &kwargs)?;
    let value = resolve(&value)?;
    if value.is_undefined() {
        return Err(undefined_error());
    }
    let indention = match &bound[0] {
        Some(w) if w.kind() == ValueKind::String => w.as_str().unwrap_or_default().to_string(),
        _ => " ".repeat(usize::try_from(int_arg(&bound, 0, 4)?.max(0)).unwrap_or(0)),
    };
    let s = py_str(&value)? + "\n";
    let lines = py_splitlines(&s, false);
    let mut rv = if truthy(&bound, 2, false) {
        lines.join(&format!("\n{indention}"))
    } else {
        let mut rv = lines[0].to_string();
        for line in &lines[1..] {
            rv.push('\n');
            if !line.is_empty() {
                rv.push_str(&indention);
            }
            rv.push_str(line);
        }
        rv
    };
    if truthy(&bound, 1, false) {
        rv.insert_str(0, &indention);
    }
    Ok(same_safety(&value, rv))
}

/// `striptags`: markupsafe 3.0's `Markup.striptags()` — comments and tags
/// removed, whitespace collapsed, character references decoded.
fn striptags(value: Value) -> Result<String, Error> {
    let value = resolve(&value)?;
    let s = match value.as_str() {
        Some(s) if value.is_safe() => s.to_string(),
        _ => py_str(&value)?,
    };
    // One scan: a comment runs to the next `-->`, a tag to the next `>`;
    // an unclosed one stops the scan and stays.
    let mut untagged = String::with_capacity(s.len());
    let mut pos = 0;
    while let Some(start) = s[pos..].find('<').map(|i| pos + i) {
        let end = if s[start..].starts_with("<!--") {
            s[start + 4..].find("-->").map(|i| start + 4 + i + 3)
        } else {
            s[start..].find('>').map(|i| start + i + 1)
        };
        let Some(end) = end else { break };
        untagged.push_str(&s[pos..start]);
        pos = end;
    }
    untagged.push_str(&s[pos..]);
    let collapsed: Vec<&str> = untagged
        .split(py_isspace)
        .filter(|w| !w.is_empty())
        .collect();
    Ok(html_unescape(&collapsed.join(" ")))
}

/// Python's `html.unescape`, with the HTML 4 entity names (and `apos`)
/// rather than all of HTML5's.
fn html_unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        match charref(after) {
            Some((decoded, used)) => {
                out.push_str(&decoded);
                rest = &after[used..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Decodes the reference after an `&`: the replacement and the bytes used.
fn charref(s: &str) -> Option<(String, usize)> {
    let semi = |at: usize| usize::from(s[at..].starts_with(';'));
    if let Some(num) = s.strip_prefix('#') {
        let (digits, radix, skip) = match num.strip_prefix(['x', 'X']) {
            Some(hex) => (hex, 16, 2),
            None => (num, 10, 1),
        };
        let len = digits
            .find(|c: char| !c.is_digit(radix) || !c.is_ascii())
            .unwrap_or(digits.len());
        if len == 0 {
            return None;
        }
        let code = u32::from_str_radix(&digits[..len], radix).unwrap_or(u32::MAX);
        let used = skip + len + semi(skip + len);
        return Some((numeric_charref(code), used));
    }
    let len: usize = s
        .chars()
        .take_while(|c| !matches!(c, '\t' | '\n' | '\x0c' | ' ' | '<' | '&' | '#' | ';'))
        .take(32)
        .map(char::len_utf8)
        .sum();
    if len == 0 {
        return None;
    }
    let name = &s[..len];
    if semi(len) == 1 {
        if let Some(&(_, c, _)) = ENTITIES.iter().find(|(n, _, _)| *n == name) {
            return Some((c.to_string(), len + 1));
        }
    } else if let Some(&(_, c, _)) = ENTITIES.iter().find(|(n, _, l)| *l && *n == name) {
        return Some((c.to_string(), len));
    }
    // The longest legacy name (no `;` needed) the text starts with.
    let mut cut = name
        .char_indices()
        .map(|(i, _)| i)
        .skip(2)
        .collect::<Vec<_>>();
    cut.reverse();
    cut.into_iter().find_map(|at| {
        ENTITIES
            .iter()
            .find(|(n, _, legacy)| *legacy && *n == &name[..at])
            .map(|&(_, c, _)| (c.to_string(), at))
    })
}

fn numeric_charref(code: u32) -> String {
    const CP1252: [u32; 32] = [
        0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039,
        0x152, 0x8d, 0x17d, 0x8f, 0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
        0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
    ];
    let c = match code {
        0 => 0xfffd,
        0x0d => 0x0d,
        0x80..=0x9f => CP1252[(code - 0x80) as usize],
        0xd800..=0xdfff | 0x110000.. => 0xfffd,
        0x1..=0x8 | 0xb | 0xe..=0x1f | 0x7f | 0xfdd0..=0xfdef => return String::new(),
        _ if code & 0xfffe == 0xfffe => return String::new(),
        _ => code,
    };
    char::from_u32(c).map(String::from).unwrap_or_default()
}

/// HTML 4's entity names plus `apos` and the upper-case legacy forms:
/// (name, character, also valid without `;`).
#[rustfmt::skip]
const ENTITIES: &[(&str, char, bool)] = &[
    ("AElig", '\u{c6}', true), ("AMP", '\u{26}', true), ("Aacute", '\u{c1}', true),
    ("Acirc", '\u{c2}', true), ("Agrave", '\u{c0}', true), ("Alpha", '\u{391}', false),
    ("Aring", '\u{c5}', true), ("Atilde", '\u{c3}', true), ("Auml", '\u{c4}', true),
    ("Beta", '\u{392}', false), ("COPY", '\u{a9}', true), ("Ccedil", '\u{c7}', true),
    ("Chi", '\u{3a7}', false), ("Dagger", '\u{2021}', false), ("Delta", '\u{394}', false),
    ("ETH", '\u{d0}', true), ("Eacute", '\u{c9}', true), ("Ecirc", '\u{ca}', true),
    ("Egrave", '\u{c8}', true), ("Epsilon", '\u{395}', false), ("Eta", '\u{397}', false),
    ("Euml", '\u{cb}', true), ("GT", '\u{3e}', true), ("Gamma", '\u{393}', false),
    ("Iacute", '\u{cd}', true), ("Icirc", '\u{ce}', true), ("Igrave", '\u{cc}', true),
    ("Iota", '\u{399}', false), ("Iuml", '\u{cf}', true), ("Kappa", '\u{39a}', false),
    ("LT", '\u{3c}', true), ("Lambda", '\u{39b}', false), ("Mu", '\u{39c}', false),
    ("Ntilde", '\u{d1}', true), ("Nu", '\u{39d}', false), ("OElig", '\u{152}', false),
    ("Oacute", '\u{d3}', true), ("Ocirc", '\u{d4}', true), ("Ograve", '\u{d2}', true),
    ("Omega", '\u{3a9}', false), ("Omicron", '\u{39f}', false), ("Oslash", '\u{d8}', true),
    ("Otilde", '\u{d5}', true), ("Ouml", '\u{d6}', true), ("Phi", '\u{3a6}', false),
    ("Pi", '\u{3a0}', false), ("Prime", '\u{2033}', false), ("Psi", '\u{3a8}', false),
    ("QUOT", '\u{22}', true), ("REG", '\u{ae}', true), ("Rho", '\u{3a1}', false),
    ("Scaron", '\u{160}', false), ("Sigma", '\u{3a3}', false), ("THORN", '\u{de}', true),
    ("Tau", '\u{3a4}', false), ("Theta", '\u{398}', false), ("Uacute", '\u{da}', true),
    ("Ucirc", '\u{db}', true), ("Ugrave", '\u{d9}', true), ("Upsilon", '\u{3a5}', false),
    ("Uuml", '\u{dc}', true), ("Xi", '\u{39e}', false), ("Yacute", '\u{dd}', true),
    ("Yuml", '\u{178}', false), ("Zeta", '\u{396}', false), ("aacute", '\u{e1}', true),
    ("acirc", '\u{e2}', true), ("acute", '\u{b4}', true), ("aelig", '\u{e6}', true),
    ("agrave", '\u{e0}', true), ("alefsym", '\u{2135}', false), ("alpha", '\u{3b1}', false),
    ("amp", '\u{26}', true), ("and", '\u{2227}', false), ("ang", '\u{2220}', false),
    ("apos", '\u{27}', false), ("aring", '\u{e5}', true), ("asymp", '\u{2248}', false),
    ("atilde", '\u{e3}', true), ("auml", '\u{e4}', true), ("bdquo", '\u{201e}', false),
    ("beta", '\u{3b2}', false), ("brvbar", '\u{a6}', true), ("bull", '\u{2022}', false),
    ("cap", '\u{2229}', false), ("ccedil", '\u{e7}', true), ("cedil", '\u{b8}', true),
    ("cent", '\u{a2}', true), ("chi", '\u{3c7}', false), ("circ", '\u{2c6}', false),
    ("clubs", '\u{2663}', false), ("cong", '\u{2245}', false), ("copy", '\u{a9}', true),
    ("crarr", '\u{21b5}', false), ("cup", '\u{222a}', false), ("curren", '\u{a4}', true),
    ("dArr", '\u{21d3}', false), ("dagger", '\u{2020}', false), ("darr", '\u{2193}', false),
    ("deg", '\u{b0}', true), ("delta", '\u{3b4}', false), ("diams", '\u{2666}', false),
    ("divide", '\u{f7}', true), ("eacute", '\u{e9}', true), ("ecirc", '\u{ea}', true),
    ("egrave", '\u{e8}', true), ("empty", '\u{2205}', false), ("emsp", '\u{2003}', false),
    ("ensp", '\u{2002}', false), ("epsilon", '\u{3b5}', false), ("equiv", '\u{2261}', false),
    ("eta", '\u{3b7}', false), ("eth", '\u{f0}', true), ("euml", '\u{eb}', true),
    ("euro", '\u{20ac}', false), ("exist", '\u{2203}', false), ("fnof", '\u{192}', false),
    ("forall", '\u{2200}', false), ("frac12", '\u{bd}', true), ("frac14", '\u{bc}', true),
    ("frac34", '\u{be}', true), ("frasl", '\u{2044}', false), ("gamma", '\u{3b3}', false),
    ("ge", '\u{2265}', false), ("gt", '\u{3e}', true), ("hArr", '\u{21d4}', false),
    ("harr", '\u{2194}', false), ("hearts", '\u{2665}', false), ("hellip", '\u{2026}', false),
    ("iacute", '\u{ed}', true), ("icirc", '\u{ee}', true), ("iexcl", '\u{a1}', true),
    ("igrave", '\u{ec}', true), ("image", '\u{2111}', false), ("infin", '\u{221e}', false),
    ("int", '\u{222b}', false), ("iota", '\u{3b9}', false), ("iquest", '\u{bf}', true),
    ("isin", '\u{2208}', false), ("iuml", '\u{ef}', true), ("kappa", '\u{3ba}', false),
    ("lArr", '\u{21d0}', false), ("lambda", '\u{3bb}', false), ("lang", '\u{27e8}', false),
    ("laquo", '\u{ab}', true), ("larr", '\u{2190}', false), ("lceil", '\u{2308}', false),
    ("ldquo", '\u{201c}', false), ("le", '\u{2264}', false), ("lfloor", '\u{230a}', false),
    ("lowast", '\u{2217}', false), ("loz", '\u{25ca}', false), ("lrm", '\u{200e}', false),
    ("lsaquo", '\u{2039}', false), ("lsquo", '\u{2018}', false), ("lt", '\u{3c}', true),
    ("macr", '\u{af}', true), ("mdash", '\u{2014}', false), ("micro", '\u{b5}', true),
    ("middot", '\u{b7}', true), ("minus", '\u{2212}', false), ("mu", '\u{3bc}', false),
    ("nabla", '\u{2207}', false), ("nbsp", '\u{a0}', true), ("ndash", '\u{2013}', false),
    ("ne", '\u{2260}', false), ("ni", '\u{220b}', false), ("not", '\u{ac}', true),
    ("notin", '\u{2209}', false), ("nsub", '\u{2284}', false), ("ntilde", '\u{f1}', true),
    ("nu", '\u{3bd}', false), ("oacute", '\u{f3}', true), ("ocirc", '\u{f4}', true),
    ("oelig", '\u{153}', false), ("ograve", '\u{f2}', true), ("oline", '\u{203e}', false),
    ("omega", '\u{3c9}', false), ("omicron", '\u{3bf}', false), ("oplus", '\u{2295}', false),
    ("or", '\u{2228}', false), ("ordf", '\u{aa}', true), ("ordm", '\u{ba}', true),
    ("oslash", '\u{f8}', true), ("otilde", '\u{f5}', true), ("otimes", '\u{2297}', false),
    ("ouml", '\u{f6}', true), ("para", '\u{b6}', true), ("part", '\u{2202}', false),
    ("permil", '\u{2030}', false), ("perp", '\u{22a5}', false), ("phi", '\u{3c6}', false),
    ("pi", '\u{3c0}', false), ("piv", '\u{3d6}', false), ("plusmn", '\u{b1}', true),
    ("pound", '\u{a3}', true), ("prime", '\u{2032}', false), ("prod", '\u{220f}', false),
    ("prop", '\u{221d}', false), ("psi", '\u{3c8}', false), ("quot", '\u{22}', true),
    ("rArr", '\u{21d2}', false), ("radic", '\u{221a}', false), ("rang", '\u{27e9}', false),
    ("raquo", '\u{bb}', true), ("rarr", '\u{2192}', false), ("rceil", '\u{2309}', false),
    ("rdquo", '\u{201d}', false), ("real", '\u{211c}', false), ("reg", '\u{ae}', true),
    ("rfloor", '\u{230b}', false), ("rho", '\u{3c1}', false), ("rlm", '\u{200f}', false),
    ("rsaquo", '\u{203a}', false), ("rsquo", '\u{2019}', false), ("sbquo", '\u{201a}', false),
    ("scaron", '\u{161}', false), ("sdot", '\u{22c5}', false), ("sect", '\u{a7}', true),
    ("shy", '\u{ad}', true), ("sigma", '\u{3c3}', false), ("sigmaf", '\u{3c2}', false),
    ("sim", '\u{223c}', false), ("spades", '\u{2660}', false), ("sub", '\u{2282}', false),
    ("sube", '\u{2286}', false), ("sum", '\u{2211}', false), ("sup", '\u{2283}', false),
    ("sup1", '\u{b9}', true), ("sup2", '\u{b2}', true), ("sup3", '\u{b3}', true),
    ("supe", '\u{2287}', false), ("szlig", '\u{df}', true), ("tau", '\u{3c4}', false),
    ("there4", '\u{2234}', false), ("theta", '\u{3b8}', false), ("thetasym", '\u{3d1}', false),
    ("thinsp", '\u{2009}', false), ("thorn", '\u{fe}', true), ("tilde", '\u{2dc}', false),
    ("times", '\u{d7}', true), ("trade", '\u{2122}', false), ("uArr", '\u{21d1}', false),
    ("uacute", '\u{fa}', true), ("uarr", '\u{2191}', false), ("ucirc", '\u{fb}', true),
    ("ugrave", '\u{f9}', true), ("uml", '\u{a8}', true), ("upsih", '\u{3d2}', false),
    ("upsilon", '\u{3c5}', false), ("uuml", '\u{fc}', true), ("weierp", '\u{2118}', false),
    ("xi", '\u{3be}', false), ("yacute", '\u{fd}', true), ("yen", '\u{a5}', true),
    ("yuml", '\u{ff}', true), ("zeta", '\u{3b6}', false), ("zwj", '\u{200d}', false),
    ("zwnj", '\u{200c}', false),
];

// ---------------------------------------------------------------------------
// Word wrapping: Python's textwrap.TextWrapper(expand_tabs=False,
// replace_whitespace=False), as Jinja2's `wordwrap` uses it.

/// `wordwrap(width=79, break_long_words=True, wrapstring=None,
/// break_on_hyphens=True)`: each existing line wrapped on its own.
fn wordwrap(value: Value, args: Rest<Value>, kwargs: Kwargs) -> Result<Value, Error> {
    const NAMES: [&str; 4] = [
        "width",
        "break_long_words",
        "wrapstring",
        "break_on_hyphens",
    ];
    let bound = bind(&NAMES, &args, &kwargs)?;
    let width = int_arg(&bound, 0, 79)?;
    if width <= 0 {
        return Err(value_error(format!("invalid width {width} (must be > 0)")));
    }
    let width = usize::try_from(width).unwrap_or(usize::MAX);
    let break_long_words = truthy(&bound, 1, true);
    let break_on_hyphens = truthy(&bound, 3, true);
    let s = py_str(&resolve(&value)?)?;
    // A paragraph that wraps to nothing still takes its place in the join.
    let paragraphs: Vec<Vec<String>> = py_splitlines(&s, false)
        .into_iter()
        .map(|line| {
            let chunks = split_chunks(line, break_on_hyphens);
            wrap_chunks(chunks, width, break_long_words, break_on_hyphens)
        })
        .collect();
    match given(&bound, 2) {
        Some(sep) if sep.is_safe() => {
            let sep = sep.as_str().unwrap_or_default();
            let escaped: Vec<String> = paragraphs
                .iter()
                .map(|p| {
                    p.iter()
                        .map(|l| escape_html(l).into_owned())
                        .collect::<Vec<_>>()
                        .join(sep)
                })
                .collect();
            Ok(Value::from_safe_string(escaped.join(sep)))
        }
        sep => {
            let sep = sep.map_or(Ok("\n".to_string()), py_str)?;
            let joined: Vec<String> = paragraphs.iter().map(|p| p.join(&sep)).collect();
            Ok(Value::from(joined.join(&sep)))
        }
    }
}

/// textwrap's whitespace: ASCII only.
fn tw_space(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\x0b' | '\x0c' | '\r' | ' ')
}

/// `[^\d\W]`: a word character that is not a decimal digit.
fn tw_letter(c: char) -> bool {
    is_word_char(c) && decimal_digit(c).is_none()
}

fn tw_word_punct(c: char) -> bool {
    is_word_char(c) || "!\"'&.,?".contains(c)
}

/// textwrap's `wordsep_re` (or `wordsep_simple_re` without hyphen
/// breaking) split, without the empty pieces.
fn split_chunks(text: &str, break_on_hyphens: bool) -> Vec<String> {
    let cs: Vec<char> = text.chars().collect();
    let n = cs.len();
    let at =
        |i: isize| -> Option<char> { usize::try_from(i).ok().and_then(|i| cs.get(i).copied()) };
    let letter = |i: isize| at(i).is_some_and(tw_letter);
    let hyphens_from = |i: usize| cs[i.min(n)..].iter().take_while(|&&c| c == '-').count();
    // `-{2,}\w` starting at `i`
    let em_dash = |i: usize| {
        let run = hyphens_from(i);
        run >= 2 && cs.get(i + run).is_some_and(|&c| is_word_char(c))
    };
    let mut chunks = Vec::new();
    let mut i = 0;
    while i < n {
        let end = if tw_space(cs[i]) {
            i + cs[i..].iter().take_while(|&&c| tw_space(c)).count()
        } else if !break_on_hyphens {
            i + cs[i..].iter().take_while(|&&c| !tw_space(c)).count()
        } else if i > 0 && tw_word_punct(cs[i - 1]) && em_dash(i) {
            i + hyphens_from(i)
        } else {
            let mut j = i + 1;
            loop {
                if j < n && cs[j] == '-' {
                    let p = j as isize;
                    let behind = (letter(p - 2) && letter(p - 1))
                        || (letter(p - 3) && at(p - 2) == Some('-') && letter(p - 1));
                    let ahead = letter(p + 1)
                        && (letter(p + 2) || (at(p + 2) == Some('-') && letter(p + 3)));
                    if behind && ahead {
                        break j + 1;
                    }
                    if tw_word_punct(cs[j - 1]) && em_dash(j) {
                        break j;
                    }
                }
                if j >= n || tw_space(cs[j]) {
                    break j;
                }
                j += 1;
            }
        };
        chunks.push(cs[i..end].iter().collect());
        i = end;
    }
    chunks
}

fn chars_len(s: &str) -> usize {
    s.chars().count()
}

fn is_blank(s: &str) -> bool {
    s.chars().all(py_isspace)
}

/// textwrap's `_wrap_chunks` with empty indents and `drop_whitespace`.
fn wrap_chunks(
    mut chunks: Vec<String>,
    width: usize,
    break_long_words: bool,
    break_on_hyphens: bool,
) -> Vec<String> {
    let mut lines = Vec::new();
    chunks.reverse();
    while !chunks.is_empty() {
        let mut cur_line: Vec<String> = Vec::new();
        let mut cur_len = 0;
        if !lines.is_empty() && chunks.last().is_some_and(|c| is_blank(c)) {
            chunks.pop();
        }
        while let Some(last) = chunks.last() {
            let len = chars_len(last);
            if cur_len + len > width {
                break;
            }
            cur_len += len;
            cur_line.extend(chunks.pop());
        }
        if chunks.last().is_some_and(|c| chars_len(c) > width) {
            // Nothing fits when the line is full: the word moves down whole.
            let space_left = width.saturating_sub(cur_len);
            if break_long_words {
                let chunk: Vec<char> = chunks.pop().unwrap_or_default().chars().collect();
                let mut end = space_left;
                if break_on_hyphens && chunk.len() > space_left {
                    let hyphen = chunk[..space_left].iter().rposition(|&c| c == '-');
                    if let Some(h) =
                        hyphen.filter(|&h| h > 0 && chunk[..h].iter().any(|&c| c != '-'))
                    {
                        end = h + 1;
                    }
                }
                cur_line.push(chunk[..end].iter().collect());
                chunks.push(chunk[end..].iter().collect());
            } else if cur_line.is_empty() {
                cur_line.extend(chunks.pop());
            }
        }
        if cur_line.last().is_some_and(|c| is_blank(c)) {
            cur_line.pop();
        }
        if !cur_line.is_empty() {
            lines.push(cur_line.concat());
        }
    }
    lines
}

// ---------------------------------------------------------------------------
// Numbers

/// Jinja2's `int(default=0, base=10)`: Python's `int()` of the value, then
/// of `float(value)`, else the default.
fn int(value: Value, args: Rest<Value>, kwargs: Kwargs) -> Result<Value, Error> {
    let bound = bind(&["default", "base"], &args, &kwargs)?;
    let default = bound[0].clone().unwrap_or(Value::from(0));
    let value = resolve(&value)?;
    match value.kind() {
        ValueKind::Undefined => Err(undefined_error()),
        ValueKind::Bool => Ok(Value::from(i64::from(value.is_true()))),
        ValueKind::Number if value.is_integer() => Ok(value),
        ValueKind::Number => {
            let f = f64::try_from(value)?;
            if f.is_infinite() {
                return Err(value_error("cannot convert float infinity to integer"));
            }
            Ok(float_to_int(f).unwrap_or(default))
        }
        ValueKind::String => {
            let s = value.as_str().unwrap_or_default();
            let base = int_arg(&bound, 1, 10).ok();
            if let Some(n) = base.and_then(|b| parse_py_int(s, b)) {
                return Ok(Value::from(n));
            }
            Ok(parse_py_float(s).and_then(float_to_int).unwrap_or(default))
        }
        _ => Ok(default),
    }
}

/// `int(f)`, truncating; `None` for NaN and infinities.
fn float_to_int(f: f64) -> Option<Value> {
    if !f.is_finite() {
        return None;
    }
    let t = f.trunc();
    Some(if t.abs() < 9e18 {
        Value::from(t as i64)
    } else if t.abs() < 1.7e38 {
        Value::from(t as i128)
    } else {
        Value::from(t)
    })
}

/// Jinja2's `float(default=0.0)`.
fn float(value: Value, args: Rest<Value>, kwargs: Kwargs) -> Result<Value, Error> {
    let bound = bind(&["default"], &args, &kwargs)?;
    let default = bound[0].clone().unwrap_or(Value::from(0.0));
    let value = resolve(&value)?;
    Ok(match value.kind() {
        ValueKind::Undefined => return Err(undefined_error()),
        ValueKind::Bool => Value::from(if value.is_true() { 1.0 } else { 0.0 }),
        ValueKind::Number => Value::from(value_to_f64(&value)?),
        ValueKind::String => {
            parse_py_float(value.as_str().unwrap_or_default()).map_or(default, Value::from)
        }
        _ => default,
    })
}

fn value_to_f64(value: &Value) -> Result<f64, Error> {
    if value.is_integer() {
        Ok(i128::try_from(value.clone())? as f64)
    } else {
        f64::try_from(value.clone())
    }
}

/// The first code point of each run of ten Unicode decimal digits (category
/// Nd) beyond ASCII, as of Unicode 14 (Python 3.11).
#[rustfmt::skip]
const DIGIT_ZEROS: [u32; 65] = [
    0x660, 0x6f0, 0x7c0, 0x966, 0x9e6, 0xa66, 0xae6, 0xb66, 0xbe6, 0xc66, 0xce6, 0xd66, 0xde6,
    0xe50, 0xed0, 0xf20, 0x1040, 0x1090, 0x17e0, 0x1810, 0x1946, 0x19d0, 0x1a80, 0x1a90, 0x1b50,
    0x1bb0, 0x1c40, 0x1c50, 0xa620, 0xa8d0, 0xa900, 0xa9d0, 0xa9f0, 0xaa50, 0xabf0, 0xff10,
    0x104a0, 0x10d30, 0x11066, 0x110f0, 0x11136, 0x111d0, 0x112f0, 0x11450, 0x114d0, 0x11650,
    0x116c0, 0x11730, 0x118e0, 0x11950, 0x11c50, 0x11d50, 0x11da0, 0x16a60, 0x16ac0, 0x16b50,
    0x1d7ce, 0x1d7d8, 0x1d7e2, 0x1d7ec, 0x1d7f6, 0x1e140, 0x1e2f0, 0x1e950, 0x1fbf0,
];

/// A decimal digit's value (`\d`, `str.isdecimal()`), in any script.
fn decimal_digit(c: char) -> Option<u32> {
    if c.is_ascii() {
        return c.to_digit(10);
    }
    let code = u32::from(c);
    DIGIT_ZEROS
        .iter()
        .find(|&&zero| (zero..zero + 10).contains(&code))
        .map(|&zero| code - zero)
}

/// What Python's `int()` and `float()` parse: decimal digits of any script
/// as ASCII, other whitespace as spaces, anything else non-ASCII invalid.
fn numeric_ascii(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            _ if c.is_ascii() => c,
            _ if py_isspace(c) => ' ',
            _ => decimal_digit(c)
                .and_then(|d| char::from_digit(d, 10))
                .unwrap_or('?'),
        })
        .collect()
}

/// `_`-separated ASCII digits, as Python's numeric literals allow.
fn digit_part(p: &str) -> bool {
    !p.is_empty()
        && !p.starts_with('_')
        && !p.ends_with('_')
        && !p.contains("__")
        && p.chars().all(|c| c.is_ascii_digit() || c == '_')
}

/// Python's `int(s, base)`.
fn parse_py_int(s: &str, base: i64) -> Option<i128> {
    if base != 0 && !(2..=36).contains(&base) {
        return None;
    }
    let s = numeric_ascii(s);
    let s = s.trim_matches(py_isspace);
    let (negative, s) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let prefix = s.get(..2).map(str::to_ascii_lowercase);
    let radix_of_prefix = match prefix.as_deref() {
        Some("0x") => Some(16),
        Some("0o") => Some(8),
        Some("0b") => Some(2),
        _ => None,
    };
    let (radix, digits, prefixed) = match (base, radix_of_prefix) {
        (0, Some(r)) => (r, &s[2..], true),
        (0, None) => (10, s, false),
        (b, Some(r)) if b == i64::from(r) => (r, &s[2..], true),
        (b, _) => (u32::try_from(b).ok()?, s, false),
    };
    let digits = if prefixed {
        digits.strip_prefix('_').unwrap_or(digits)
    } else {
        digits
    };
    if digits.is_empty()
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.contains("__")
    {
        return None;
    }
    let mut n: i128 = 0;
    for c in digits.chars().filter(|&c| c != '_') {
        let d = c.to_digit(radix)?;
        n = n
            .checked_mul(i128::from(radix))?
            .checked_add(i128::from(d))?;
    }
    // Base 0 reads decimals the way Python source does: no leading zeros.
    if base == 0 && !prefixed && n != 0 && digits.starts_with('0') {
        return None;
    }
    Some(if negative { -n } else { n })
}

/// Python's `float(s)`.
fn parse_py_float(s: &str) -> Option<f64> {
    let s = numeric_ascii(s);
    let s = s.trim_matches(py_isspace);
    let (sign, body) = match s.strip_prefix('-') {
        Some(rest) => (-1.0, rest),
        None => (1.0, s.strip_prefix('+').unwrap_or(s)),
    };
    match body.to_ascii_lowercase().as_str() {
        "inf" | "infinity" => return Some(sign * f64::INFINITY),
        "nan" => return Some(f64::NAN),
        _ => {}
    }
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some(("", frac)) => digit_part(frac),
        Some((int, "")) => digit_part(int),
        Some((int, frac)) => digit_part(int) && digit_part(frac),
        None => digit_part(mantissa),
    };
    let exponent_ok = exponent.is_none_or(|e| digit_part(e.strip_prefix(['+', '-']).unwrap_or(e)));
    if !mantissa_ok || !exponent_ok {
        return None;
    }
    body.replace('_', "").parse::<f64>().ok().map(|f| sign * f)
}

/// Jinja2's `filesizeformat(binary=False)`.
fn filesizeformat(value: Value, binary: Option<Value>) -> Result<String, Error> {
    let value = resolve(&value)?;
    let bytes = match value.kind() {
        ValueKind::Undefined => return Err(undefined_error()),
        ValueKind::Bool => f64::from(u8::from(value.is_true())),
        ValueKind::Number => value_to_f64(&value)?,
        ValueKind::String => {
            let s = value.as_str().unwrap_or_default();
            parse_py_float(s)
                .ok_or_else(|| value_error(format!("could not convert string to float: {s:?}")))?
        }
        kind => {
            return Err(value_error(format!(
                "float() argument must be a string or a real number, not {kind}"
            )))
        }
    };
    let binary = binary.is_some_and(|b| b.is_true());
    let base: u32 = if binary { 1024 } else { 1000 };
    let prefixes = if binary {
        ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"]
    } else {
        ["kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"]
    };
    if bytes == 1.0 {
        return Ok("1 Byte".into());
    }
    if bytes < f64::from(base) {
        return Ok(format!("{} Bytes", bytes.trunc() as i64));
    }
    let mut last = (0.0, "");
    for (i, prefix) in prefixes.iter().enumerate() {
        let unit = u128::from(base).pow(i as u32 + 2) as f64;
        last = (unit, prefix);
        if bytes < unit {
            break;
        }
    }
    let (unit, prefix) = last;
    Ok(format!("{:.1} {prefix}", f64::from(base) * bytes / unit))
}

// ---------------------------------------------------------------------------
// Sequences

/// Jinja2's `random`: a random item; undefined for an empty sequence.
fn random(value: Value) -> Result<Value, Error> {
    let value = resolve(&value)?;
    let len = match value.kind() {
        ValueKind::Undefined => return Ok(Value::UNDEFINED),
        ValueKind::String | ValueKind::Seq => value.len().unwrap_or(0),
        kind => return Err(value_error(format!("cannot choose from a {kind}"))),
    };
    if len == 0 {
        return Ok(Value::UNDEFINED);
    }
    let item = value.get_item(&Value::from(random_below(len)))?;
    Ok(match item.as_str() {
        Some(s) if value.is_safe() => Value::from_safe_string(s.to_string()),
        _ => item,
    })
}

fn random_below(n: usize) -> usize {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    hasher.write_u128(now);
    (hasher.finish() % n as u64) as usize
}

/// Jinja2's attribute path: `'a.b'` or `'0'` parts looked up in turn.
fn attribute_getter(attribute: &Value) -> Vec<Value> {
    match attribute.as_str() {
        Some(path) => path
            .split('.')
            .map(|part| match part.parse::<i64>() {
                Ok(n) if part.bytes().all(|b| b.is_ascii_digit()) => Value::from(n),
                _ => Value::from(part),
            })
            .collect(),
        None => vec![attribute.clone()],
    }
}

fn get_path(item: &Value, path: &[Value]) -> Value {
    path.iter().fold(item.clone(), |cur, part| {
        resolve(&cur)
            .and_then(|cur| cur.get_item(part))
            .unwrap_or(Value::UNDEFINED)
    })
}

/// Jinja2's `join(d='', attribute=None)`: any item's `str()`, and the
/// separator escaped when only the items are markup.
fn join(state: &State, value: Value, args: Rest<Value>, kwargs: Kwargs) -> Result<Value, Error> {
    let bound = bind(&["d", "attribute"], &args, &kwargs)?;
    let sep = bound[0].clone().unwrap_or(Value::from(""));
    let mut items = py_iter(&resolve(&value)?)?
        .iter()
        .map(resolve)
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(attribute) = given(&bound, 1) {
        let path = attribute_getter(attribute);
        items = items.iter().map(|item| get_path(item, &path)).collect();
    }
    let plain =
        |items: &[Value]| -> Result<Vec<String>, Error> { items.iter().map(py_str).collect() };
    if !autoescaping(state) {
        return Ok(Value::from(plain(&items)?.join(&py_str(&sep)?)));
    }
    if sep.is_safe() || items.iter().any(Value::is_safe) {
        let parts: Vec<String> = items.iter().map(escaped).collect::<Result<_, _>>()?;
        return Ok(Value::from_safe_string(parts.join(&escaped(&sep)?)));
    }
    Ok(Value::from(plain(&items)?.join(&py_str(&sep)?)))
}

// ---------------------------------------------------------------------------
// URLs and attributes

/// `urllib.parse.quote` over UTF-8, as Jinja2's `url_quote` calls it.
fn url_quote(s: &str, for_qs: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || b"_.-~".contains(&b) || (!for_qs && b == b'/') {
            out.push(char::from(b));
        } else if for_qs && b == b' ' {
            out.push('+');
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// Jinja2's `urlencode`: a string quoted keeping `/`; a dict or sequence of
/// pairs as a query string (`+` for spaces, `str()` of non-strings).
fn urlencode(value: Value) -> Result<String, Error> {
    let value = resolve(&value)?;
    let pairs: Vec<(Value, Value)> = match value.kind() {
        ValueKind::Undefined => return Ok(String::new()),
        ValueKind::Map => value
            .try_iter()?
            .map(|k| Ok((k.clone(), value.get_item(&k)?)))
            .collect::<Result<_, Error>>()?,
        ValueKind::Seq | ValueKind::Iterable => value
            .try_iter()?
            .map(|pair| match py_iter(&pair)?.as_slice() {
                [k, v] => Ok((k.clone(), v.clone())),
                other => Err(value_error(format!(
                    "cannot unpack {} values into a key and a value",
                    other.len()
                ))),
            })
            .collect::<Result<_, Error>>()?,
        _ => return Ok(url_quote(&py_str(&value)?, false)),
    };
    let parts: Vec<String> = pairs
        .iter()
        .map(|(k, v)| {
            Ok(format!(
                "{}={}",
                url_quote(&py_str(k)?, true),
                url_quote(&py_str(v)?, true)
            ))
        })
        .collect::<Result<_, Error>>()?;
    Ok(parts.join("&"))
}

/// Jinja2's `xmlattr(autospace=True)`: `none`/undefined values skipped,
/// keys and values escaped, keys with whitespace, `/`, `>` or `=` refused.
fn xmlattr(state: &State, value: Value, autospace: Option<Value>) -> Result<Value, Error> {
    let value = resolve(&value)?;
    match value.kind() {
        ValueKind::Map => {}
        ValueKind::Undefined => return Err(undefined_error()),
        kind => {
            return Err(value_error(format!(
                "'{kind}' object has no attribute 'items'"
            )))
        }
    }
    let mut items = Vec::new();
    for key in value.try_iter()? {
        let item = value.get_item(&key)?;
        if item.is_none() || item.is_undefined() {
            continue;
        }
        let name = py_str(&key)?;
        if name.chars().any(|c| {
            matches!(
                c,
                ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c' | '/' | '>' | '='
            )
        }) {
            return Err(value_error(format!(
                "Invalid character in attribute name: {}",
                py_repr(&key, false)?
            )));
        }
        items.push(format!("{}=\"{}\"", escaped(&key)?, escaped(&item)?));
    }
    let mut rv = items.join(" ");
    if autospace.is_none_or(|a| a.is_true()) && !rv.is_empty() {
        rv.insert(0, ' ');
    }
    Ok(markup_if_escaping(state, rv))
}

static HTTP_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)^(",
        r"(https?://|www\.)(([\w%-]+\.)+)?([a-z]{2,63}|xn--[\w%]{2,59})",
        r"|([\w%-]{2,63}\.)+(com|net|int|edu|gov|org|info|mil)",
        r"|(https?://)((([\d]{1,3})(\.[\d]{1,3}){3})|(\[([\da-f]{0,4}:){2}([\da-f]{0,4}:?){1,6}\]))",
        r")(?::[\d]{1,5})?(?:[/?#]\S*)?$",
    ))
    .expect("valid regex")
});
static EMAIL_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\S+@\w[\w.-]*\.\w+$").expect("valid regex"));
static LEAD_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:[(<]|&lt;)+").expect("valid regex"));
static TRAIL_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:[)>.,\n]|&gt;)+$").expect("valid regex"));
static SCHEME_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^([\w.+-]{2,}:(/){0,2})$").expect("valid regex"));

/// Jinja2's `urlize(trim_url_limit=None, nofollow=False, target=None,
/// rel=None, extra_schemes=None)`, with its default `rel="noopener"`.
fn urlize(state: &State, value: Value, args: Rest<Value>, kwargs: Kwargs) -> Result<Value, Error> {
    const NAMES: [&str; 5] = [
        "trim_url_limit",
        "nofollow",
        "target",
        "rel",
        "extra_schemes",
    ];
    let bound = bind(&NAMES, &args, &kwargs)?;
    let limit = match given(&bound, 0) {
        Some(v) => Some(usize::try_from(v.clone())?),
        None => None,
    };
    let mut rel: Vec<String> = match given(&bound, 3) {
        Some(r) => py_str(r)?.split_whitespace().map(String::from).collect(),
        None => Vec::new(),
    };
    if truthy(&bound, 1, false) {
        rel.push("nofollow".into());
    }
    rel.push("noopener".into());
    rel.sort();
    rel.dedup();
    let rel_attr = format!(" rel=\"{}\"", escape_html(&rel.join(" ")));
    let target_attr = match given(&bound, 2) {
        Some(t) if t.is_true() => format!(" target=\"{}\"", escaped(t)?),
        _ => String::new(),
    };
    let schemes: Vec<String> = match given(&bound, 4) {
        Some(s) => py_iter(s)?.iter().map(py_str).collect::<Result<_, _>>()?,
        None => Vec::new(),
    };
    if let Some(bad) = schemes.iter().find(|s| !SCHEME_RE.is_match(s)) {
        return Err(value_error(format!(
            "{bad:?} is not a valid URI scheme prefix."
        )));
    }
    let trim = |x: &str| match limit {
        Some(l) if chars_len(x) > l => format!("{}...", x.chars().take(l).collect::<String>()),
        _ => x.to_string(),
    };
    let text = escaped(&resolve(&value)?)?;
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while !rest.is_empty() {
        let ws = rest.find(|c: char| !py_isspace(c)).unwrap_or(rest.len());
        out.push_str(&rest[..ws]);
        rest = &rest[ws..];
        let end = rest.find(py_isspace).unwrap_or(rest.len());
        let word = &rest[..end];
        rest = &rest[end..];
        if word.is_empty() {
            continue;
        }
        let lead = LEAD_RE.find(word).map_or(0, |m| m.end());
        let (head, mut middle) = (&word[..lead], word[lead..].to_string());
        let mut tail = String::new();
        if let Some(m) = TRAIL_RE.find(&middle) {
            tail = middle[m.start()..].to_string();
            middle.truncate(m.start());
        }
        // Prefer balancing parentheses in URLs to dropping a trailing one.
        for (open, close) in [("(", ")"), ("<", ">"), ("&lt;", "&gt;")] {
            let opened = middle.matches(open).count();
            if opened <= middle.matches(close).count() {
                continue;
            }
            for _ in 0..opened.min(tail.matches(close).count()) {
                let Some(at) = tail.find(close) else { break };
                let end = at + close.len();
                middle.push_str(&tail[..end]);
                tail.replace_range(..end, "");
            }
        }
        if HTTP_RE.is_match(&middle) {
            let href = if middle.starts_with("https://") || middle.starts_with("http://") {
                middle.clone()
            } else {
                format!("https://{middle}")
            };
            middle = format!(
                "<a href=\"{href}\"{rel_attr}{target_attr}>{}</a>",
                trim(&middle)
            );
        } else if middle.starts_with("mailto:") && EMAIL_RE.is_match(&middle[7..]) {
            middle = format!("<a href=\"{middle}\">{}</a>", &middle[7..]);
        } else if middle.contains('@')
            && !middle.starts_with("www.")
            && !middle.starts_with('@')
            && !middle.contains(':')
            && EMAIL_RE.is_match(&middle)
        {
            middle = format!("<a href=\"mailto:{middle}\">{middle}</a>");
        } else {
            for scheme in &schemes {
                if middle != *scheme && middle.starts_with(scheme.as_str()) {
                    middle = format!("<a href=\"{middle}\"{rel_attr}{target_attr}>{middle}</a>");
                }
            }
        }
        out.push_str(head);
        out.push_str(&middle);
        out.push_str(&tail);
    }
    Ok(markup_if_escaping(state, out))
}

// ---------------------------------------------------------------------------
// JSON

/// Jinja2's `tojson(indent=None)`: `json.dumps(sort_keys=True)` (ASCII
/// only) with `<`, `>`, `&` and `'` as `\u` escapes, marked safe.
fn tojson(value: Value, args: Rest<Value>, kwargs: Kwargs) -> Result<Value, Error> {
    let bound = bind(&["indent"], &args, &kwargs)?;
    let indent = match given(&bound, 0) {
        None => None,
        Some(v) if v.kind() == ValueKind::String => {
            Some(v.as_str().unwrap_or_default().to_string())
        }
        Some(_) => Some(" ".repeat(usize::try_from(int_arg(&bound, 0, 0)?.max(0)).unwrap_or(0))),
    };
    let mut out = String::new();
    write_json(&mut out, &value, indent.as_deref(), 0)?;
    let out = out
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\'', "\\u0027");
    Ok(Value::from_safe_string(out))
}

fn not_serializable(value: &Value) -> Error {
    value_error(format!(
        "Object of type {} is not JSON serializable",
        py_type_name(value)
    ))
}

fn write_json(
    out: &mut String,
    value: &Value,
    indent: Option<&str>,
    level: usize,
) -> Result<(), Error> {
    let value = resolve(value)?;
    match value.kind() {
        ValueKind::None => out.push_str("null"),
        ValueKind::Bool => out.push_str(if value.is_true() { "true" } else { "false" }),
        ValueKind::Number => out.push_str(&json_number(&value)),
        ValueKind::String => json_string(out, value.as_str().unwrap_or_default()),
        ValueKind::Map => {
            let mut items: Vec<(Value, Value)> = value
                .try_iter()?
                .map(|k| Ok((k.clone(), value.get_item(&k)?)))
                .collect::<Result<_, Error>>()?;
            items.sort_by(|a, b| a.0.cmp(&b.0));
            json_container(out, ('{', '}'), &items, indent, level, |out, (k, v)| {
                json_key(out, k)?;
                out.push_str(": ");
                write_json(out, v, indent, level + 1)
            })?;
        }
        ValueKind::Seq | ValueKind::Iterable => {
            let items = py_iter(&value)?;
            json_container(out, ('[', ']'), &items, indent, level, |out, v| {
                write_json(out, v, indent, level + 1)
            })?;
        }
        _ => return Err(not_serializable(&value)),
    }
    Ok(())
}

fn json_container<T>(
    out: &mut String,
    (open, close): (char, char),
    items: &[T],
    indent: Option<&str>,
    level: usize,
    mut write_item: impl FnMut(&mut String, &T) -> Result<(), Error>,
) -> Result<(), Error> {
    out.push(open);
    if items.is_empty() {
        out.push(close);
        return Ok(());
    }
    let (sep, inner, outer) = match indent {
        None => (", ".to_string(), String::new(), String::new()),
        Some(ind) => (
            format!(",\n{}", ind.repeat(level + 1)),
            format!("\n{}", ind.repeat(level + 1)),
            format!("\n{}", ind.repeat(level)),
        ),
    };
    out.push_str(&inner);
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(&sep);
        }
        write_item(out, item)?;
    }
    out.push_str(&outer);
    out.push(close);
    Ok(())
}

fn json_number(value: &Value) -> String {
    if value.is_integer() {
        return value.to_string();
    }
    match f64::try_from(value.clone()) {
        Ok(f) if f.is_nan() => "NaN".into(),
        Ok(f) if f.is_infinite() => if f > 0.0 { "Infinity" } else { "-Infinity" }.into(),
        Ok(f) => py_float_repr(f),
        Err(_) => value.to_string(),
    }
}

/// Python's JSON object keys: strings, or numbers, booleans and `None`
/// turned into strings.
fn json_key(out: &mut String, key: &Value) -> Result<(), Error> {
    match key.kind() {
        ValueKind::String => json_string(out, key.as_str().unwrap_or_default()),
        ValueKind::Number => json_string(out, &json_number(key)),
        ValueKind::Bool => json_string(out, if key.is_true() { "true" } else { "false" }),
        ValueKind::None => json_string(out, "null"),
        _ => {
            return Err(value_error(format!(
                "keys must be str, int, float, bool or None, not {}",
                py_type_name(key)
            )))
        }
    }
    Ok(())
}

/// `json.dumps` string with `ensure_ascii=True`.
fn json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
        }
    }
    out.push('"');
}

// ---------------------------------------------------------------------------
// Python repr, pprint and %-formatting

fn py_type_name(value: &Value) -> &'static str {
    match value.kind() {
        ValueKind::Undefined => "Undefined",
        ValueKind::None => "NoneType",
        ValueKind::Bool => "bool",
        ValueKind::Number if value.is_integer() => "int",
        ValueKind::Number => "float",
        ValueKind::String if value.is_safe() => "Markup",
        ValueKind::String => "str",
        ValueKind::Bytes => "bytes",
        ValueKind::Seq if value.downcast_object_ref::<Tuple>().is_some() => "tuple",
        ValueKind::Seq => "list",
        ValueKind::Map => "dict",
        ValueKind::Iterable => "generator",
        _ => "object",
    }
}

/// Python's `repr()`; dict keys sorted as `pprint` sorts them when `sorted`.
fn py_repr(value: &Value, sorted: bool) -> Result<String, Error> {
    let mut out = String::new();
    write_repr(&mut out, value, sorted)?;
    Ok(out)
}

fn write_repr(out: &mut String, value: &Value, sorted: bool) -> Result<(), Error> {
    let value = resolve(value)?;
    match value.kind() {
        ValueKind::String if value.is_safe() => {
            out.push_str("Markup(");
            repr_str(out, value.as_str().unwrap_or_default());
            out.push(')');
        }
        ValueKind::String => repr_str(out, value.as_str().unwrap_or_default()),
        ValueKind::Undefined => out.push_str("Undefined"),
        ValueKind::Map => {
            let items = map_items(&value, sorted)?;
            out.push('{');
            for (i, (k, v)) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_repr(out, k, sorted)?;
                out.push_str(": ");
                write_repr(out, v, sorted)?;
            }
            out.push('}');
        }
        ValueKind::Seq | ValueKind::Iterable => {
            let tuple = value.downcast_object_ref::<Tuple>().is_some();
            let items = py_iter(&value)?;
            out.push(if tuple { '(' } else { '[' });
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_repr(out, item, sorted)?;
            }
            if tuple && items.len() == 1 {
                out.push(',');
            }
            out.push(if tuple { ')' } else { ']' });
        }
        _ => out.push_str(&py_str(&value)?),
    }
    Ok(())
}

fn map_items(value: &Value, sorted: bool) -> Result<Vec<(Value, Value)>, Error> {
    let mut items: Vec<(Value, Value)> = value
        .try_iter()?
        .map(|k| Ok((k.clone(), value.get_item(&k)?)))
        .collect::<Result<_, Error>>()?;
    if sorted {
        items.sort_by(|a, b| a.0.cmp(&b.0));
    }
    Ok(items)
}

/// Characters Python's `repr` escapes beyond ASCII controls (an
/// approximation of `str.isprintable()` for the common ranges).
fn py_unprintable(c: char) -> bool {
    matches!(c,
        '\u{80}'..='\u{a0}' | '\u{ad}' | '\u{600}'..='\u{605}' | '\u{61c}' | '\u{6dd}'
        | '\u{70f}' | '\u{1680}' | '\u{180e}' | '\u{2000}'..='\u{200f}'
        | '\u{2028}'..='\u{202f}' | '\u{205f}'..='\u{2064}' | '\u{2066}'..='\u{206f}'
        | '\u{3000}' | '\u{e000}'..='\u{f8ff}' | '\u{feff}' | '\u{fff9}'..='\u{fffb}')
}

/// Python's `repr(str)`.
fn repr_str(out: &mut String, s: &str) {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if c < ' ' || c == '\x7f' || py_unprintable(c) => {
                let code = u32::from(c);
                let _ = match code {
                    0..=0xff => write!(out, "\\x{code:02x}"),
                    0x100..=0xffff => write!(out, "\\u{code:04x}"),
                    _ => write!(out, "\\U{code:08x}"),
                };
            }
            c => out.push(c),
        }
    }
    out.push(quote);
}

/// Python's `ascii(repr)`: non-ASCII characters escaped too.
fn ascii_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let code = u32::from(c);
        let _ = match code {
            0..=0x7f => {
                out.push(c);
                Ok(())
            }
            0x80..=0xff => write!(out, "\\x{code:02x}"),
            0x100..=0xffff => write!(out, "\\u{code:04x}"),
            _ => write!(out, "\\U{code:08x}"),
        };
    }
    out
}

const PPRINT_WIDTH: isize = 80;

/// Jinja2's `pprint`: Python's `pprint.pformat` (width 80, sorted dicts).
fn pprint(value: Value) -> Result<String, Error> {
    let mut out = String::new();
    pformat(&mut out, &value, 0, 0, 0)?;
    Ok(out)
}

fn pformat(
    out: &mut String,
    value: &Value,
    indent: usize,
    allowance: usize,
    level: usize,
) -> Result<(), Error> {
    let value = resolve(value)?;
    let rep = py_repr(&value, true)?;
    let max_width = PPRINT_WIDTH - indent as isize - allowance as isize;
    if chars_len(&rep) as isize > max_width {
        let level = level + 1;
        match value.kind() {
            ValueKind::Map => {
                out.push('{');
                let items = map_items(&value, true)?;
                pformat_dict_items(out, &items, indent, allowance + 1, level)?;
                out.push('}');
                return Ok(());
            }
            ValueKind::Seq => {
                let items = py_iter(&value)?;
                if value.downcast_object_ref::<Tuple>().is_some() {
                    let end = if items.len() == 1 { ",)" } else { ")" };
                    out.push('(');
                    pformat_items(out, &items, indent, allowance + end.len(), level)?;
                    out.push_str(end);
                } else {
                    out.push('[');
                    pformat_items(out, &items, indent, allowance + 1, level)?;
                    out.push(']');
                }
                return Ok(());
            }
            ValueKind::String if !value.is_safe() => {
                pformat_str(
                    out,
                    value.as_str().unwrap_or_default(),
                    indent,
                    allowance,
                    level,
                );
                return Ok(());
            }
            _ => {}
        }
    }
    out.push_str(&rep);
    Ok(())
}

fn pformat_dict_items(
    out: &mut String,
    items: &[(Value, Value)],
    indent: usize,
    allowance: usize,
    level: usize,
) -> Result<(), Error> {
    let indent = indent + 1;
    for (i, (key, value)) in items.iter().enumerate() {
        let last = i + 1 == items.len();
        let rep = py_repr(key, true)?;
        out.push_str(&rep);
        out.push_str(": ");
        let child_indent = indent + chars_len(&rep) + 2;
        pformat(
            out,
            value,
            child_indent,
            if last { allowance } else { 1 },
            level,
        )?;
        if !last {
            out.push_str(",\n");
            out.push_str(&" ".repeat(indent));
        }
    }
    Ok(())
}

fn pformat_items(
    out: &mut String,
    items: &[Value],
    indent: usize,
    allowance: usize,
    level: usize,
) -> Result<(), Error> {
    let indent = indent + 1;
    for (i, item) in items.iter().enumerate() {
        let last = i + 1 == items.len();
        if i > 0 {
            out.push_str(",\n");
            out.push_str(&" ".repeat(indent));
        }
        pformat(out, item, indent, if last { allowance } else { 1 }, level)?;
    }
    Ok(())
}

/// pprint's long strings: split at line ends and then between words into
/// adjacent literals, parenthesised at the top level.
fn pformat_str(out: &mut String, s: &str, indent: usize, allowance: usize, level: usize) {
    let repr = |s: &str| {
        let mut r = String::new();
        repr_str(&mut r, s);
        r
    };
    if s.is_empty() {
        out.push_str(&repr(s));
        return;
    }
    let (indent, allowance) = if level == 1 {
        (indent + 1, allowance + 1)
    } else {
        (indent, allowance)
    };
    let max_width = PPRINT_WIDTH - indent as isize;
    let mut max_width1 = max_width;
    let lines = py_splitlines(s, true);
    let mut chunks = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let last_line = i + 1 == lines.len();
        let rep = repr(line);
        if last_line {
            max_width1 -= allowance as isize;
        }
        if chars_len(&rep) as isize <= max_width1 {
            chunks.push(rep);
            continue;
        }
        let mut parts = Vec::new();
        let mut rest = *line;
        while !rest.is_empty() {
            let word = rest.find(py_isspace).unwrap_or(rest.len());
            let space = rest[word..]
                .find(|c: char| !py_isspace(c))
                .map_or(rest.len(), |i| word + i);
            parts.push(&rest[..space]);
            rest = &rest[space..];
        }
        let mut max_width2 = max_width;
        let mut current = String::new();
        for (j, part) in parts.iter().enumerate() {
            let candidate = format!("{current}{part}");
            if j + 1 == parts.len() && last_line {
                max_width2 -= allowance as isize;
            }
            if chars_len(&repr(&candidate)) as isize > max_width2 {
                if !current.is_empty() {
                    chunks.push(repr(&current));
                }
                current = part.to_string();
            } else {
                current = candidate;
            }
        }
        if !current.is_empty() {
            chunks.push(repr(&current));
        }
    }
    if chunks.len() == 1 {
        out.push_str(&repr(s));
        return;
    }
    if level == 1 {
        out.push('(');
    }
    for (i, chunk) in chunks.iter().enumerate() {
        if i > 0 {
            out.push('\n');
            out.push_str(&" ".repeat(indent));
        }
        out.push_str(chunk);
    }
    if level == 1 {
        out.push(')');
    }
}

/// Jinja2's `format(*args, **kwargs)`: Python's `value % args` (or
/// `% kwargs`); a safe format string escapes what it interpolates.
fn format(value: Value, args: Rest<Value>, kwargs: Kwargs) -> Result<Value, Error> {
    let value = resolve(&value)?;
    let names: Vec<String> = kwargs.args().map(String::from).collect();
    if !args.is_empty() && !names.is_empty() {
        return Err(value_error(
            "can't handle positional and keyword arguments at the same time",
        ));
    }
    let spec = py_str(&value)?;
    let safe = value.is_safe();
    let out = if names.is_empty() {
        percent_format(&spec, &args, None, safe)?
    } else {
        let mut map = std::collections::BTreeMap::new();
        for name in &names {
            map.insert(name.clone(), kwargs.get::<Value>(name)?);
        }
        percent_format(&spec, &[], Some(&Value::from(map)), safe)?
    };
    Ok(same_safety(&value, out))
}

/// Python's integer for `%d`/`%x`/`%c`: ints, bools and (for `%d`)
/// truncated floats; as sign and digits in the conversion's radix.
fn percent_int(arg: &Value, conv: char) -> Result<(bool, String), Error> {
    let digits = |n: i128| {
        let m = n.unsigned_abs();
        let digits = match conv {
            'o' => format!("{m:o}"),
            'x' => format!("{m:x}"),
            'X' => format!("{m:X}"),
            _ => m.to_string(),
        };
        (n < 0, digits)
    };
    match arg.kind() {
        ValueKind::Bool => Ok(digits(i128::from(arg.is_true()))),
        ValueKind::Number if arg.is_integer() => Ok(digits(i128::try_from(arg.clone())?)),
        ValueKind::Number if matches!(conv, 'd' | 'i' | 'u') => {
            let f = f64::try_from(arg.clone())?;
            if f.is_nan() {
                return Err(value_error("cannot convert float NaN to integer"));
            }
            if f.is_infinite() {
                return Err(value_error("cannot convert float infinity to integer"));
            }
            // A whole float prints exactly, however large.
            let t = f.trunc();
            Ok((t < 0.0, format!("{:.0}", t.abs())))
        }
        _ if matches!(conv, 'd' | 'i' | 'u') => Err(value_error(format!(
            "%{conv} format: a real number is required, not {}",
            py_type_name(arg)
        ))),
        _ => Err(value_error(format!(
            "%{conv} format: an integer is required, not {}",
            py_type_name(arg)
        ))),
    }
}

fn percent_float(arg: &Value) -> Result<f64, Error> {
    match arg.kind() {
        ValueKind::Bool => Ok(f64::from(u8::from(arg.is_true()))),
        ValueKind::Number => value_to_f64(arg),
        _ => Err(value_error(format!(
            "must be real number, not {}",
            py_type_name(arg)
        ))),
    }
}

/// `%e` digits: Python writes at least two exponent digits and a sign.
fn exp_format(x: f64, prec: usize, alt: bool) -> String {
    let s = format!("{x:.prec$e}");
    let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let dot = if alt && prec == 0 { "." } else { "" };
    let sign = if exp < 0 { '-' } else { '+' };
    format!("{mantissa}{dot}e{sign}{:02}", exp.abs())
}

fn strip_fraction_zeros(s: &str) -> String {
    if !s.contains('.') {
        return s.to_string();
    }
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// `%e`, `%f` and `%g` of a non-negative (or non-finite) number.
fn float_format(x: f64, conv: char, prec: usize, alt: bool) -> String {
    let s = if x.is_nan() {
        "nan".to_string()
    } else if x.is_infinite() {
        "inf".to_string()
    } else {
        match conv.to_ascii_lowercase() {
            'f' => {
                let mut s = format!("{x:.prec$}");
                if alt && prec == 0 {
                    s.push('.');
                }
                s
            }
            'e' => exp_format(x, prec, alt),
            _ => {
                let p = prec.max(1);
                let exp: i32 = if x == 0.0 {
                    0
                } else {
                    let e = format!("{x:.*e}", p - 1);
                    e.split_once('e')
                        .and_then(|(_, e)| e.parse().ok())
                        .unwrap_or(0)
                };
                if -4 <= exp && exp < p as i32 {
                    let decimals = (p as i32 - 1 - exp).max(0) as usize;
                    let s = format!("{x:.decimals$}");
                    match (alt, s.contains('.')) {
                        (false, _) => strip_fraction_zeros(&s),
                        (true, true) => s,
                        (true, false) => s + ".",
                    }
                } else {
                    let s = exp_format(x, p - 1, alt);
                    if alt {
                        s
                    } else {
                        let (mantissa, exp) = s.split_once('e').unwrap_or((&s, ""));
                        format!("{}e{exp}", strip_fraction_zeros(mantissa))
                    }
                }
            }
        }
    };
    if conv.is_ascii_uppercase() {
        s.to_uppercase()
    } else {
        s
    }
}

/// Python's `format % args`: positional `args`, or a `mapping` that is
/// also the single positional argument.
fn percent_format(
    fmt: &str,
    args: &[Value],
    mapping: Option<&Value>,
    escape: bool,
) -> Result<String, Error> {
    let chars: Vec<char> = fmt.chars().collect();
    let mut out = String::with_capacity(fmt.len());
    let mut next = 0;
    let next_arg = |next: &mut usize| -> Result<Value, Error> {
        let arg = match mapping {
            Some(m) if *next == 0 => Some(m.clone()),
            Some(_) => None,
            None => args.get(*next).cloned(),
        };
        *next += 1;
        arg.ok_or_else(|| value_error("not enough arguments for format string"))
    };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut keyed = None;
        if chars.get(i) == Some(&'(') {
            let mapping = mapping.ok_or_else(|| value_error("format requires a mapping"))?;
            let start = i + 1;
            let mut depth = 1;
            i += 1;
            while i < chars.len() && depth > 0 {
                match chars[i] {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    _ => {}
                }
                i += 1;
            }
            if depth > 0 {
                return Err(value_error("incomplete format key"));
            }
            let key: String = chars[start..i - 1].iter().collect();
            let item = mapping.get_item(&Value::from(key.as_str()))?;
            if item.is_undefined() {
                return Err(value_error(format!("KeyError: {key:?}")));
            }
            keyed = Some(item);
            // Python: a keyed lookup uses up the mapping as positional argument.
            next = next.max(1);
        }
        let (mut left, mut plus, mut space, mut alt, mut zero) =
            (false, false, false, false, false);
        while let Some(&flag) = chars.get(i) {
            match flag {
                '-' => left = true,
                '+' => plus = true,
                ' ' => space = true,
                '#' => alt = true,
                '0' => zero = true,
                _ => break,
            }
            i += 1;
        }
        let mut width = 0;
        if chars.get(i) == Some(&'*') {
            i += 1;
            let w = i64::try_from(next_arg(&mut next)?).map_err(|_| value_error("* wants int"))?;
            left |= w < 0;
            width = usize::try_from(w.unsigned_abs()).unwrap_or(usize::MAX);
        } else {
            while let Some(d) = chars.get(i).and_then(|c| c.to_digit(10)) {
                width = width * 10 + d as usize;
                i += 1;
            }
        }
        let mut prec = None;
        if chars.get(i) == Some(&'.') {
            i += 1;
            if chars.get(i) == Some(&'*') {
                i += 1;
                let p =
                    i64::try_from(next_arg(&mut next)?).map_err(|_| value_error("* wants int"))?;
                prec = Some(usize::try_from(p.max(0)).unwrap_or(0));
            } else {
                let mut p = 0;
                while let Some(d) = chars.get(i).and_then(|c| c.to_digit(10)) {
                    p = p * 10 + d as usize;
                    i += 1;
                }
                prec = Some(p);
            }
        }
        while matches!(chars.get(i), Some('h' | 'l' | 'L')) {
            i += 1;
        }
        let Some(&conv) = chars.get(i) else {
            return Err(value_error("incomplete format"));
        };
        i += 1;
        if conv == '%' {
            out.push('%');
            continue;
        }
        let arg = match keyed {
            Some(item) => item,
            None => next_arg(&mut next)?,
        };
        let arg = resolve(&arg)?;
        // (sign, prefix, digits or text, numeric)
        let (sign, prefix, body, numeric) = match conv {
            's' | 'r' | 'a' => {
                let text = match conv {
                    's' => py_str(&arg)?,
                    'r' => py_repr(&arg, false)?,
                    _ => ascii_escape(&py_repr(&arg, false)?),
                };
                let text = if escape && !(conv == 's' && arg.is_safe()) {
                    escape_html(&text).into_owned()
                } else {
                    text
                };
                let text = match prec {
                    Some(p) => text.chars().take(p).collect(),
                    None => text,
                };
                ("", "", text, false)
            }
            'd' | 'i' | 'u' | 'o' | 'x' | 'X' => {
                let (negative, mut digits) = percent_int(&arg, conv)?;
                if let Some(p) = prec {
                    if digits.len() < p {
                        digits.insert_str(0, &"0".repeat(p - digits.len()));
                    }
                }
                let prefix = match conv {
                    'o' if alt => "0o",
                    'x' if alt => "0x",
                    'X' if alt => "0X",
                    _ => "",
                };
                (number_sign(negative, plus, space), prefix, digits, true)
            }
            'e' | 'E' | 'f' | 'F' | 'g' | 'G' => {
                let x = percent_float(&arg)?;
                let negative = x.is_sign_negative() && !x.is_nan();
                let body = float_format(x.abs(), conv, prec.unwrap_or(6), alt);
                (number_sign(negative, plus, space), "", body, x.is_finite())
            }
            'c' => {
                let ch = match arg.as_str() {
                    Some(s) if s.chars().count() == 1 => s.to_string(),
                    Some(_) => {
                        return Err(value_error("%c requires an int or a unicode character"))
                    }
                    None => {
                        let (negative, code) = percent_int(&arg, 'c')?;
                        code.parse::<u32>()
                            .ok()
                            .filter(|_| !negative)
                            .and_then(char::from_u32)
                            .ok_or_else(|| value_error("%c arg not in range(0x110000)"))?
                            .to_string()
                    }
                };
                ("", "", ch, false)
            }
            other => {
                return Err(value_error(format!(
                    "unsupported format character {other:?} ({:#x}) at index {}",
                    u32::from(other),
                    chars[..i - 1].iter().map(|c| c.len_utf8()).sum::<usize>()
                )))
            }
        };
        let len = sign.len() + prefix.len() + chars_len(&body);
        let fill = width.saturating_sub(len);
        if left {
            let _ = write!(out, "{sign}{prefix}{body}{}", " ".repeat(fill));
        } else if zero && numeric {
            let _ = write!(out, "{sign}{prefix}{}{body}", "0".repeat(fill));
        } else {
            let _ = write!(out, "{}{sign}{prefix}{body}", " ".repeat(fill));
        }
    }
    if mapping.is_none() && next < args.len() {
        return Err(value_error(
            "not all arguments converted during string formatting",
        ));
    }
    Ok(out)
}

fn number_sign(negative: bool, plus: bool, space: bool) -> &'static str {
    match (negative, plus, space) {
        (true, _, _) => "-",
        (false, true, _) => "+",
        (false, false, true) => " ",
        _ => "",
    }
}

// ---------------------------------------------------------------------------
// Tests and globals

/// Jinja2's `sequence` test (`len()` and `[]` work): strings and dicts
/// are sequences too, and so is Jinja2's `Undefined`.
fn is_sequence(value: Value) -> bool {
    matches!(
        value.kind(),
        ValueKind::String
            | ValueKind::Bytes
            | ValueKind::Seq
            | ValueKind::Map
            | ValueKind::Undefined
    )
}

/// Jinja2's `callable` test. minijinja cannot ask an object whether it is
/// callable, so plain objects (functions, Publ's callable members) and
/// macros count as callable, data does not, and undefined does (Jinja2's
/// `Undefined` has a `__call__`).
fn is_callable(value: Value) -> bool {
    match value.kind() {
        ValueKind::Plain | ValueKind::Undefined => true,
        // minijinja's macros are map-like objects (name, arguments, caller)
        ValueKind::Map => value.as_object().is_some() && value.to_string().starts_with("<macro "),
        _ => false,
    }
}

/// Jinja2's `cycler(*items)`: `next()`, `reset()` and `current`.
#[derive(Debug)]
struct Cycler {
    items: Vec<Value>,
    pos: AtomicUsize,
}

impl Object for Cycler {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        match key.as_str()? {
            "current" => Some(self.items[self.pos.load(Ordering::Relaxed)].clone()),
            "items" => Some(Value::from(self.items.clone())),
            _ => None,
        }
    }

    fn call_method(
        self: &Arc<Self>,
        _state: &mut State<'_, '_>,
        method: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        let () = minijinja::value::from_args(args)?;
        match method {
            "next" => {
                let pos = self.pos.load(Ordering::Relaxed);
                self.pos
                    .store((pos + 1) % self.items.len(), Ordering::Relaxed);
                Ok(self.items[pos].clone())
            }
            "reset" => {
                self.pos.store(0, Ordering::Relaxed);
                Ok(Value::from(()))
            }
            _ => Err(Error::from(ErrorKind::UnknownMethod)),
        }
    }
}

fn cycler(items: Rest<Value>) -> Result<Value, Error> {
    if items.is_empty() {
        return Err(value_error("at least one item has to be provided"));
    }
    Ok(Value::from_object(Cycler {
        items: items.0,
        pos: AtomicUsize::new(0),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    use minijinja::context;
    use minijinja::value::Enumerator;

    use crate::template::escape::{autoescape_for, markupsafe_formatter};

    fn env() -> Environment<'static> {
        let mut env = Environment::new();
        env.set_formatter(markupsafe_formatter);
        env.set_auto_escape_callback(autoescape_for);
        crate::template::pymethods::install(&mut env);
        env
    }

    fn render(name: &str, src: &str, ctx: Value) -> Result<String, Error> {
        let mut env = env();
        env.add_template_owned(name.to_string(), src.to_string())?;
        env.get_template(name)?.render(ctx)
    }

    // Expected outputs are Jinja2 3.1.6 + markupsafe 3.0.4's
    //   Environment(autoescape=False).from_string(src).render()   (PLAIN)
    //   Environment(autoescape=True).from_string(src).render()    (HTML)
    const PLAIN: &[(&str, &str)] = &[
        // publ-site index.html
        (
            "{% set taglist = ['a','b','c'] %}{{(taglist[:-1]|join(', '),taglist[-1])|select|join(' and ')}}",
            "a, b and c",
        ),
        (
            "{% set taglist = ['a'] %}{{(taglist[:-1]|join(', '),taglist[-1])|select|join(' and ')}}",
            "a",
        ),
        // Publ's _admin.html
        ("{{ (0, 5-10)|max }}|{{ (3, 7)|min }}", "0|3"),
        (
            "{% for x in [{'d':2,'n':'a'},{'d':1,'n':'b'},{'d':2,'n':'c'}]|sort(attribute='d',reverse=True) %}{{x.n}}{% endfor %}",
            "acb",
        ),
        (
            "{% for x in [3, 1, 2]|sort(True) %}{{x}}{% endfor %}|{% for x in ['b', 'A', 'a']|sort(False, True) %}{{x}}{% endfor %}",
            "321|Aab",
        ),
        (
            "{% for g in [{'d':2,'n':'a'},{'d':1,'n':'b'},{'d':2,'n':'c'}]|groupby('d')|sort %}{{g.grouper}}:{% for x in g.list %}{{x.n}}{% endfor %};{% endfor %}",
            "1:b;2:ac;",
        ),
        (
            "{{ '<a>&\"\\''|e }}|{{ '<a>'|escape }}|{{ ('<a>'|e)|e }}|{{ ['<']|e }}",
            "&lt;a&gt;&amp;&#34;&#39;|&lt;a&gt;|&lt;a&gt;|[&#39;&lt;&#39;]",
        ),
        (
            "{{ 'abcdefghijklmnopqrstuvwxyz'|truncate(10) }}|{{ 'hello big world'|truncate(12, end='…') }}|{{ 'abcdefghijklmnop'|truncate(9, True, leeway=0) }}|{{ 'short'|truncate(3) }}",
            "abcdefg...|hello big world|abcdef...|short",
        ),
        ("{{ 'a b, c_d\\n3'|wordcount }}", "4"),
        (
            "{{ [{'d':2,'n':1},{'d':1,'n':2}]|sort(False, False, 'd')|map(attribute='n')|join }}",
            "21",
        ),
        (
            "{{ {'b':1,'A':2,'a':3}|dictsort(true) }}|{{ {'b':1,'a':2}|dictsort(false, 'value', true) }}",
            "[('A', 2), ('a', 3), ('b', 1)]|[('a', 2), ('b', 1)]",
        ),
        (
            "{{ 'x'|int }}|{{ 'x'|int(5) }}|{{ '0x1A'|int(0, 16) }}|{{ '0x1A'|int(0, 0) }}|{{ '010'|int(7, 0) }}|{{ '3.7'|int }}|{{ -3.7|int }}|{{ none|int }}|{{ ' 1_000 '|int }}|{{ '1e3'|int }}|{{ 'nan'|int }}|{{ [1]|int }}|{{ true|int }}",
            "0|5|26|26|10|3|-3|0|1000|1000|0|0|1",
        ),
        (
            "{{ 'x'|float }}|{{ 'x'|float(1.5) }}|{{ '1.5'|float }}|{{ 3|float }}|{{ none|float }}|{{ ' -1e3 '|float }}|{{ 'Infinity'|float }}|{{ '1_0.5'|float }}|{{ '.5'|float }}|{{ '1__0'|float }}",
            "0.0|1.5|1.5|3.0|0.0|-1000.0|inf|10.5|0.5|0.0",
        ),
        (
            "{{ [{'n':1},{'n':'b'},{'n':none},{}]|join(', ', attribute='n') }}|{{ [[1,2],[3]]|join('-', attribute=0) }}|{{ [{'a':{'b':3}}]|join(attribute='a.b') }}|{{ [1.0, true, none]|join(' ') }}",
            "1, b, None, |1-3|3|1.0 True None",
        ),
        (
            "{{ 'a b&c/d?e=f~é'|urlencode }}|{{ {'a':'b c','d':'é/','n':none}|urlencode }}|{{ [('a', 1), ['b', '<&>']]|urlencode }}|{{ 5|urlencode }}",
            "a%20b%26c/d%3Fe%3Df~%C3%A9|a=b+c&d=%C3%A9%2F&n=None|a=1&b=%3C%26%3E|5",
        ),
        (
            "{{ {'b':1,'a':[1,2.5,'<&>\\'é\\n😀'],'c':none,'d':true}|tojson }}|{{ {'z':{'y':[]}, 'a':{}}|tojson(2) }}|{{ [1, [2]]|tojson(indent='\\t') }}|{{ {2: 'x', 1: 'y'}|tojson }}",
            "{\"a\": [1, 2.5, \"\\u003c\\u0026\\u003e\\u0027\\u00e9\\n\\ud83d\\ude00\"], \"b\": 1, \"c\": null, \"d\": true}|{\n  \"a\": {},\n  \"z\": {\n    \"y\": []\n  }\n}|[\n\t1,\n\t[\n\t\t2\n\t]\n]|{\"1\": \"y\", \"2\": \"x\"}",
        ),
        (
            "{{ '<p>A <b>b</b>\\n <!-- c --> &amp; &lt;x&gt; &nbsp;&copy &notit; &#128; &#x1F600; &bogus; &#;</p>'|striptags }}",
            "A b & <x>  © ¬it; € 😀 &bogus; &#;",
        ),
        (
            "{{ '%s-%d|%5.2f|%-4s|%x|%r|%%|%03d|%+d|%e|%g|%c'|format('a', 3.9, 3.14159, 'ab', 255, 'q', 7, 5, 12345.678, 0.0001, 65) }}",
            "a-3| 3.14|ab  |ff|'q'|%|007|+5|1.234568e+04|0.0001|A",
        ),
        (
            "{{ '%(a)s and %(b)05.1f'|format(a='x', b=2.25) }}|{{ '%s'|format([1, 'a']) }}|{{ '%g|%g|%#g|%.0e|%#x|%G'|format(1e20, 123456789, 1.0, 2.5, 255, 1e-10) }}",
            "x and 002.2|[1, 'a']|1e+20|1.23457e+08|1.00000|2e+00|0xff|1E-10",
        ),
        (
            "[{{ 'ab'|center(7) }}]|[{{ 'abc'|center(6) }}]|[{{ 5|center(4) }}]",
            "[   ab  ]|[ abc  ]|[ 5  ]",
        ),
        (
            "{{ 'a\\nb\\n\\nc'|indent }}|{{ 'a\\nb\\n\\nc'|indent(2, true, true) }}|{{ 'a\\nb'|indent('> ') }}|{{ 'a\\nb\\n'|indent(first=True) }}|{{ 'a\\r\\nb\\rc'|indent(1) }}",
            "a\n    b\n\n    c|  a\n  b\n  \n  c|a\n> b|    a\n    b\n|a\n b\n c",
        ),
        (
            "{{ 'The quick brown fox jumps over the lazy dog'|wordwrap(12) }}|{{ 'abcdefghijklmnopqrstuvwxyz'|wordwrap(10) }}|{{ 'abcdefghijklmnopqrstuvwxyz'|wordwrap(10, false) }}|{{ 'a b c d'|wordwrap(3, wrapstring='<br>') }}",
            "The quick\nbrown fox\njumps over\nthe lazy dog|abcdefghij\nklmnopqrst\nuvwxyz|abcdefghijklmnopqrstuvwxyz|a b<br>c d",
        ),
        (
            "{{ 'a\\n\\nb c d e'|wordwrap(3) }}|{{ 'well-known long-winded words'|wordwrap(6) }}|{{ 'a-b-c-d-e-f'|wordwrap(4, break_on_hyphens=false) }}|{{ '  lead  and   spaces  '|wordwrap(8) }}|{{ 'x -- y--z'|wordwrap(3) }}",
            "a\n\nb c\nd e|well-\nknown\nlong-\nwinded\nwords|a-b-\nc-d-\ne-f|  lead\nand\nspaces|x\n--\ny--\nz",
        ),
        (
            "{{ 100|filesizeformat }}|{{ 1000|filesizeformat }}|{{ 1024|filesizeformat(true) }}|{{ 1500000|filesizeformat }}|{{ 1|filesizeformat }}|{{ 1e30|filesizeformat }}|{{ '2048'|filesizeformat(true) }}|{{ 12345678901|filesizeformat }}|{{ -5|filesizeformat }}|{{ 1.5|filesizeformat }}|{{ 1250|filesizeformat }}",
            "100 Bytes|1.0 kB|1.0 KiB|1.5 MB|1 Byte|1000000.0 YB|2.0 KiB|12.3 GB|-5 Bytes|1 Bytes|1.2 kB",
        ),
        (
            "{{ {'a':1}|pprint }}|{{ [1,'a',none, 1.5, (1,)]|pprint }}|{{ {'b':[1,2],'a':{'c':'<'}}|pprint }}",
            "{'a': 1}|[1, 'a', None, 1.5, (1,)]|{'a': {'c': '<'}, 'b': [1, 2]}",
        ),
        (
            "{{ range(30)|list|pprint }}",
            "[0,\n 1,\n 2,\n 3,\n 4,\n 5,\n 6,\n 7,\n 8,\n 9,\n 10,\n 11,\n 12,\n 13,\n 14,\n 15,\n 16,\n 17,\n 18,\n 19,\n 20,\n 21,\n 22,\n 23,\n 24,\n 25,\n 26,\n 27,\n 28,\n 29]",
        ),
        (
            "{{ {'alpha': 'a'*30, 'beta': ['b'*20, 'c'*20, ('d'*30,)], 'gamma': {'x': 1, 'y': 'z '*40}}|pprint }}",
            "{'alpha': 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',\n 'beta': ['bbbbbbbbbbbbbbbbbbbb',\n          'cccccccccccccccccccc',\n          ('dddddddddddddddddddddddddddddd',)],\n 'gamma': {'x': 1,\n           'y': 'z z z z z z z z z z z z z z z z z z z z z z z z z z z z z z z '\n                'z z z z z z z z z '}}",
        ),
        (
            "{{ 'a'|random }}|{{ []|random }}|{{ [7]|random }}",
            "a||7",
        ),
        (
            "{{ 'a' is sequence }}|{{ {} is sequence }}|{{ 1 is sequence }}|{{ range is callable }}|{{ 1 is callable }}|{{ 'x' is callable }}",
            "True|True|False|True|False|False",
        ),
        (
            "{% set c = cycler('a', 'b') %}{{ c.current }}{{ c.next() }}{{ c.current }}{{ c.next() }}{{ c.next() }}{{ c.reset() }}{{ c.current }}|{% set j = joiner('/') %}{% for x in 'abc' %}{{ j() }}{{ x }}{% endfor %}",
            "aabbaNonea|a/b/c",
        ),
        (
            "{{ ('a'*300)|truncate }}|{{ 'hello world foo'|truncate(11, leeway=0) }}",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...|hello...",
        ),
    ];
    const HTML: &[(&str, &str)] = &[
        (
            "{{ '<b>'|forceescape }}|{{ ('<b>'|safe)|forceescape }}|{{ none|forceescape }}",
            "&lt;b&gt;|&lt;b&gt;|None",
        ),
        (
            "{{ ('<b>hello</b> world'|safe)|truncate(10, leeway=0) }}|{{ 'abcdefgh'|truncate(8, end='&hellip;'|safe, leeway=0) }}|{{ ('<b>xxxxxxx'|safe)|truncate(7, end='<', leeway=0) }}",
            "<b>hell...|abcdefgh|<b>xxx&lt;",
        ),
        (
            "{{ [1,'<a>']|join('<br>') }}|{{ [1,'<a>']|join('<br>'|safe) }}|{{ ['<a>'|safe, '<b>']|join('&') }}|{{ ['<a>', '<b>']|join('&') }}",
            "1&lt;br&gt;&lt;a&gt;|1<br>&lt;a&gt;|<a>&amp;&lt;b&gt;|&lt;a&gt;&amp;&lt;b&gt;",
        ),
        (
            "<p{{ {'class':'a b','id':'<x>','n':none,'t':true,'z':0}|xmlattr }}>|<p{{ {'a':1}|xmlattr(false) }}>|{{ {}|xmlattr }}",
            "<p class=\"a b\" id=\"&lt;x&gt;\" t=\"True\" z=\"0\">|<pa=\"1\">|",
        ),
        (
            "{{ 'see http://example.com/x?a=1&b=2. and www.foo.org, <b>x</b> me@x.com (https://a.b/c) mailto:a@b.cd'|urlize }}",
            "see <a href=\"http://example.com/x?a=1&amp;b=2\" rel=\"noopener\">http://example.com/x?a=1&amp;b=2</a>. and <a href=\"https://www.foo.org\" rel=\"noopener\">www.foo.org</a>, &lt;b&gt;x&lt;/b&gt; <a href=\"mailto:me@x.com\">me@x.com</a> (https://a.b/c) <a href=\"mailto:a@b.cd\">a@b.cd</a>",
        ),
        (
            "{{ 'http://averylongdomain.example.com/path'|urlize(20, true, target='_blank') }}|{{ 'example.net x.org/y (xn--bcher-kva.ch) 1.2.3.4 http://1.2.3.4:80/'|urlize(rel='me') }}|{{ 'tel:123 ftp://x'|urlize(extra_schemes=['tel:', 'ftp://']) }}",
            "<a href=\"http://averylongdomain.example.com/path\" rel=\"nofollow noopener\" target=\"_blank\">http://averylongdoma...</a>|<a href=\"https://example.net\" rel=\"me noopener\">example.net</a> x.org/y (xn--bcher-kva.ch) 1.2.3.4 <a href=\"http://1.2.3.4:80/\" rel=\"me noopener\">http://1.2.3.4:80/</a>|<a href=\"tel:123\" rel=\"noopener\">tel:123</a> <a href=\"ftp://x\" rel=\"noopener\">ftp://x</a>",
        ),
        (
            "{{ '%s|%r'|format('<b>', '<i>') }}|{{ ('<p>%s</p>'|safe)|format('<b>') }}|{{ ('%s'|safe)|format('<b>'|safe) }}",
            "&lt;b&gt;|&#39;&lt;i&gt;&#39;|<p>&lt;b&gt;</p>|<b>",
        ),
        (
            "[{{ ('<a>x'|safe)|center(9) }}]|[{{ '<'|center(3) }}]|{{ ('a<b>\\nx'|safe)|indent(first=true) }}|{{ 'a<b>\\nx'|indent(first=true) }}",
            "[   <a>x  ]|[ &lt; ]|    a<b>\n    x|    a&lt;b&gt;\n    x",
        ),
        (
            "{{ 'a b c'|wordwrap(1, wrapstring='<br>'|safe) }}|{{ 'a<b c'|wordwrap(3) }}|{{ ['<a>'|safe, 'x']|pprint }}|{{ '<x>'|striptags }}|{{ {'a':'<'}|tojson }}",
            "a<br>b<br>c|a&lt;b\nc|[Markup(&#39;&lt;a&gt;&#39;), &#39;x&#39;]||{\"a\": \"\\u003c\"}",
        ),
    ];

    #[test]
    fn filters_match_jinja2() {
        for (name, cases) in [("t.txt", PLAIN), ("t.html", HTML)] {
            for (src, want) in cases {
                assert_eq!(render(name, src, context! {}).unwrap(), *want, "{src}");
            }
        }
    }

    #[test]
    fn python_errors_stay_errors() {
        for src in [
            "{{ [1]|sort(True, False, 'x', 4) }}",
            "{{ [1]|sort(True, reverse=False) }}",
            "{{ missing|int }}",
            "{{ missing|float }}",
            "{{ missing|tojson }}",
            "{{ {'a': missing}|tojson }}",
            "{{ 'abc'|truncate(2) }}",
            "{{ '%s'|format() }}",
            "{{ '%s %s'|format(1) }}",
            "{{ 'abc'|format(1) }}",
            "{{ '%d'|format('x') }}",
            "{{ '%x'|format(3.5) }}",
            "{{ '%(a)s'|format(1) }}",
            "{{ '%s %s'|format(1, b=2) }}",
            "{{ '%q'|format(1) }}",
            "{{ {'a b': 1}|xmlattr }}",
            "{{ 'x'|wordwrap(0) }}",
            "{{ 'x'|filesizeformat }}",
            "{{ 'x'|urlize(extra_schemes=['bad scheme']) }}",
            "{{ cycler() }}",
        ] {
            assert!(render("t.html", src, context! {}).is_err(), "{src}");
        }
    }

    /// A namedtuple-like value: a 2-sequence whose items are also reachable
    /// as `.name` and `.count`, like Publ's tag-count tuples.
    #[derive(Debug)]
    struct TagCount(&'static str, i64);

    impl Object for TagCount {
        fn repr(self: &Arc<Self>) -> ObjectRepr {
            ObjectRepr::Seq
        }
        fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
            match (key.as_str(), key.as_usize()) {
                (Some("name"), _) | (_, Some(0)) => Some(Value::from(self.0)),
                (Some("count"), _) | (_, Some(1)) => Some(Value::from(self.1)),
                _ => None,
            }
        }
        fn enumerate(self: &Arc<Self>) -> Enumerator {
            Enumerator::Seq(2)
        }
    }

    // publ-site index.html tag cloud; Jinja2 with namedtuples
    //   Tag = namedtuple('Tag', 'name count'); items = [Tag('a',1), Tag('b',3), Tag('c',1), Tag('d',2)]
    // renders "b3 d2 a1 c1 " (stable sort, equal counts keep their order).
    #[test]
    fn sort_by_attribute_of_named_tuples() {
        let items: Vec<Value> = [("a", 1), ("b", 3), ("c", 1), ("d", 2)]
            .into_iter()
            .map(|(n, c)| Value::from_object(TagCount(n, c)))
            .collect();
        let src = "{% for name,count in items|sort(attribute='count',reverse=True) %}{{name}}{{count}} {% endfor %}";
        assert_eq!(
            render("t.txt", src, context! { items }).unwrap(),
            "b3 d2 a1 c1 "
        );
    }
}

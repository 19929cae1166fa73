//! Python method compatibility beyond what minijinja and
//! `minijinja_contrib::pycompat` provide.
//!
//! pycompat already covers `str.format` (positional, indexed and keyword
//! fields with format specs), `dict.get(k, default)`, `str.split`,
//! `str.isdigit` and friends; the shims here only fill its gaps. Jinja2's
//! filters, tests and globals are in [`super::filters`].

use minijinja::value::{from_args, Tuple, ValueKind};
use minijinja::{Environment, Error, ErrorKind, Value};

/// Installs the unknown-method callback (pycompat first, then our shims) and
/// the Jinja2-compatible filters, tests and globals.
pub fn install(env: &mut Environment) {
    env.set_unknown_method_callback(|state, value, method, args| {
        match minijinja_contrib::pycompat::unknown_method_callback(state, value, method, args) {
            Err(err) if err.kind() == ErrorKind::UnknownMethod => {
                extra_methods(value, method, args)
            }
            other => other,
        }
    });
    super::filters::install(env);
}

fn value_error(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidOperation, msg.into())
}

fn extra_methods(value: &Value, method: &str, args: &[Value]) -> Result<Value, Error> {
    if let Some(s) = value.as_str() {
        return string_methods(s, method, args);
    }
    if value.kind() == ValueKind::Seq && method == "index" {
        let (needle,): (Value,) = from_args(args)?;
        return value
            .try_iter()?
            .position(|item| item == needle)
            .map(Value::from)
            .ok_or_else(|| value_error(format!("{needle:?} is not in list")));
    }
    Err(Error::from(ErrorKind::UnknownMethod))
}

fn tuple3(a: &str, b: &str, c: &str) -> Value {
    Value::from(Tuple::from([a, b, c].map(Value::from)))
}

/// Python's padding: `width` counts characters, not bytes.
pub(super) fn pad(
    s: &str,
    width: usize,
    fill: Option<&str>,
    left_share: impl Fn(usize) -> usize,
) -> Result<String, Error> {
    let fill = match fill {
        None => ' ',
        Some(f) => {
            let mut chars = f.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => c,
                _ => {
                    return Err(value_error(
                        "the fill character must be exactly one character long",
                    ))
                }
            }
        }
    };
    let len = s.chars().count();
    if width <= len {
        return Ok(s.to_string());
    }
    let left = left_share(width - len);
    let right = width - len - left;
    let mut out: String = std::iter::repeat_n(fill, left).collect();
    out.push_str(s);
    out.extend(std::iter::repeat_n(fill, right));
    Ok(out)
}

fn string_methods(s: &str, method: &str, args: &[Value]) -> Result<Value, Error> {
    match method {
        "partition" | "rpartition" => {
            let (sep,): (&str,) = from_args(args)?;
            if sep.is_empty() {
                return Err(value_error("empty separator"));
            }
            let found = if method == "partition" {
                s.split_once(sep)
            } else {
                s.rsplit_once(sep)
            };
            Ok(match (found, method) {
                (Some((head, tail)), _) => tuple3(head, sep, tail),
                (None, "partition") => tuple3(s, "", ""),
                (None, _) => tuple3("", "", s),
            })
        }
        "zfill" => {
            let (width,): (usize,) = from_args(args)?;
            let len = s.chars().count();
            if width <= len {
                return Ok(Value::from(s));
            }
            let (sign, digits) = match s.chars().next() {
                Some(c @ ('+' | '-')) => (Some(c), &s[1..]),
                _ => (None, s),
            };
            let mut out: String = sign.into_iter().collect();
            out.extend(std::iter::repeat_n('0', width - len));
            out.push_str(digits);
            Ok(Value::from(out))
        }
        "center" | "ljust" | "rjust" => {
            let (width, fill): (usize, Option<&str>) = from_args(args)?;
            let out = match method {
                // CPython's centring puts the odd extra space on the left
                // only when both the margin and the width are odd.
                "center" => pad(s, width, fill, |marg| marg / 2 + (marg & width & 1))?,
                "ljust" => pad(s, width, fill, |_| 0)?,
                _ => pad(s, width, fill, |marg| marg)?,
            };
            Ok(Value::from(out))
        }
        "index" | "rindex" => {
            let (needle,): (&str,) = from_args(args)?;
            let found = if method == "index" {
                s.find(needle)
            } else {
                s.rfind(needle)
            };
            found
                .map(|byte| Value::from(s[..byte].chars().count()))
                .ok_or_else(|| value_error("substring not found"))
        }
        "rsplit" => {
            let (sep, maxsplit): (Option<Option<&str>>, Option<i64>) = from_args(args)?;
            let maxsplit = maxsplit.filter(|&m| m >= 0).map(|m| m as usize);
            let mut parts: Vec<&str> = match sep.flatten() {
                Some("") => return Err(value_error("empty separator")),
                Some(sep) => match maxsplit {
                    Some(m) => s.rsplitn(m + 1, sep).collect(),
                    None => s.rsplit(sep).collect(),
                },
                None => rsplit_whitespace(s, maxsplit),
            };
            parts.reverse();
            Ok(parts.into_iter().map(Value::from).collect())
        }
        "removeprefix" | "removesuffix" => {
            let (affix,): (&str,) = from_args(args)?;
            let stripped = if method == "removeprefix" {
                s.strip_prefix(affix)
            } else {
                s.strip_suffix(affix)
            };
            Ok(Value::from(stripped.unwrap_or(s)))
        }
        "swapcase" => {
            let () = from_args(args)?;
            Ok(Value::from(
                s.chars()
                    .flat_map(|c| -> Box<dyn Iterator<Item = char>> {
                        if c.is_uppercase() {
                            Box::new(c.to_lowercase())
                        } else {
                            Box::new(c.to_uppercase())
                        }
                    })
                    .collect::<String>(),
            ))
        }
        "casefold" => {
            let () = from_args(args)?;
            // Full case folding differs from lowercasing for a few letters.
            Ok(Value::from(s.to_lowercase().replace('ß', "ss")))
        }
        "isdecimal" => {
            let () = from_args(args)?;
            Ok(Value::from(
                !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()),
            ))
        }
        _ => Err(Error::from(ErrorKind::UnknownMethod)),
    }
}

/// `str.rsplit(None, maxsplit)`: runs of whitespace, from the right;
/// returned right-to-left.
fn rsplit_whitespace(s: &str, maxsplit: Option<usize>) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut rest = s.trim_end();
    while !rest.is_empty() {
        if maxsplit.is_some_and(|m| parts.len() == m) {
            parts.push(rest);
            break;
        }
        match rest.rfind(char::is_whitespace) {
            Some(i) => {
                let ws_len = rest[i..].chars().next().map_or(1, char::len_utf8);
                parts.push(&rest[i + ws_len..]);
                rest = rest[..i].trim_end();
            }
            None => {
                parts.push(rest);
                break;
            }
        }
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    use minijinja::context;

    fn env() -> Environment<'static> {
        let mut env = Environment::new();
        env.set_formatter(crate::template::escape::markupsafe_formatter);
        install(&mut env);
        env
    }

    fn render(src: &str, ctx: Value) -> String {
        env().render_str(src, ctx).unwrap()
    }

    // Each case's expected output is Jinja2 3.1.6's
    //   Environment().from_string(src).render()
    const CASES: &[(&str, &str)] = &[
        ("{{ 'a-b-c'.partition('-') }}", "('a', '-', 'b-c')"),
        ("{{ 'a-b-c'.rpartition('-') }}", "('a-b', '-', 'c')"),
        ("{{ 'abc'.partition('x') }}", "('abc', '', '')"),
        ("{{ 'abc'.rpartition('x') }}", "('', '', 'abc')"),
        (
            "{{ '42'.zfill(5) }}|{{ '-42'.zfill(5) }}|{{ '+4'.zfill(4) }}|{{ 'abcdef'.zfill(3) }}",
            "00042|-0042|+004|abcdef",
        ),
        (
            "[{{ 'ab'.center(7, '*') }}]|[{{ 'ab'.center(6) }}]|[{{ 'abc'.center(6) }}]|[{{ 'a'.center(4,'-') }}]",
            "[***ab**]|[  ab  ]|[ abc  ]|[-a--]",
        ),
        (
            "[{{ 'ab'.ljust(5) }}]|[{{ 'ab'.rjust(5, '.') }}]|[{{ 'abcdef'.ljust(2) }}]",
            "[ab   ]|[...ab]|[abcdef]",
        ),
        (
            "{{ [1,2,3].index(2) }}|{{ 'abcb'.index('b') }}|{{ 'abcb'.rindex('b') }}",
            "1|1|3",
        ),
        (
            "{{ 'a b  c'.rsplit(None, 1) }}|{{ 'a,b,c'.rsplit(',', 1) }}|{{ 'a,b,c'.rsplit(',') }}",
            "['a b', 'c']|['a,b', 'c']|['a', 'b', 'c']",
        ),
        (
            "{{ ' a  b c '.rsplit() }}|{{ 'a b c'.split(None, 1) }}",
            "['a', 'b', 'c']|['a', 'b c']",
        ),
        (
            "{{ 'prefix-x'.removeprefix('prefix-') }}|{{ 'x.md'.removesuffix('.md') }}",
            "x|x",
        ),
        (
            "{{ 'Hello'.swapcase() }}|{{ 'Straße'.casefold() }}|{{ '12'.isdigit() }}|{{ '1a'.isdigit() }}|{{ '12'.isdecimal() }}",
            "hELLO|strasse|True|False|True",
        ),
        // pycompat's own str.format and dict.get, as the templates use them
        (
            "{{ '{} and {}'.format(1, 'b') }}|{{ '{0}{0}{1}'.format('x', 2) }}|{{ '{name}!'.format(name='n') }}|{{ '{:>5}|{:.2f}'.format('a', 3.14159) }}",
            "1 and b|xx2|n!|    a|3.14",
        ),
        (
            "{{ {'a':1}.get('b', 2) }}|{{ {'a':1}.get('a') }}|{{ {'a':1}.get('b') }}",
            "2|1|None",
        ),
    ];

    #[test]
    fn methods_match_jinja2() {
        for (src, want) in CASES {
            assert_eq!(render(src, context! {}), *want, "{src}");
        }
    }

    #[test]
    fn python_errors_stay_errors() {
        for src in [
            "{{ 'abc'.partition('') }}",
            "{{ 'abc'.index('x') }}",
            "{{ [1].index(2) }}",
            "{{ 'a'.center(3, 'xy') }}",
            "{{ 'abc'.nosuchmethod() }}",
        ] {
            assert!(env().render_str(src, context! {}).is_err(), "{src}");
        }
    }
}

//! Load-time source rewrites for Jinja2 constructs that minijinja's parser
//! rejects but real Publ templates use.
//!
//! Two constructs: tuple unpacking in a `with` target without parentheses
//! (`{%- with url,value = rsvp.split() -%}`, publ-site's entry template),
//! which minijinja accepts parenthesised with the same scoping; and Python's
//! string formatting operator on a string literal (`"%d items" % n`), which
//! becomes the Jinja2-exact `format` filter (`("%d items"|format(n))`).
//! Everything else, including whitespace control, is left untouched.

use std::borrow::Cow;

/// Rewrites Jinja2-only syntax into the minijinja equivalent; returns the
/// source unchanged (borrowed) when nothing needs rewriting.
pub fn rewrite_source(src: &str) -> Cow<'_, str> {
    let mut out = String::new();
    // Everything before `copied` has been appended to `out` already.
    let mut copied = 0;
    let mut pos = 0;
    let bytes = src.as_bytes();
    while let Some(off) = src[pos..].find('{') {
        let start = pos + off;
        match bytes.get(start + 1) {
            Some(b'#') => {
                pos = find_from(src, start + 2, "#}").map_or(src.len(), |e| e + 2);
            }
            Some(b'{') => {
                let end = tag_end(src, start + 2, "}}");
                let inner_end = end.saturating_sub(2).max(start + 2);
                if let Some(expr) = rewrite_percent(&src[start + 2..inner_end]) {
                    out.push_str(&src[copied..start + 2]);
                    out.push_str(&expr);
                    copied = inner_end;
                }
                pos = end;
            }
            Some(b'%') => {
                let end = tag_end(src, start + 2, "%}");
                let inner_start = start + 2 + usize::from(is_ws_flag(bytes.get(start + 2)));
                let inner_end = end.saturating_sub(2);
                let inner_end = if inner_end > inner_start && is_ws_flag(bytes.get(inner_end - 1)) {
                    inner_end - 1
                } else {
                    inner_end
                };
                let inner = src.get(inner_start..inner_end).unwrap_or("");
                let trimmed = inner.trim_start();
                let lead = inner.len() - trimmed.len();
                match first_word(trimmed) {
                    "raw" => {
                        pos = skip_raw(src, end);
                        continue;
                    }
                    "with" => {
                        let header_start = inner_start + lead + "with".len();
                        if let Some(header) = rewrite_with_header(&src[header_start..inner_end]) {
                            out.push_str(&src[copied..header_start]);
                            out.push_str(&header);
                            copied = inner_end;
                        }
                    }
                    _ => {}
                }
                if copied <= inner_start {
                    if let Some(expr) = rewrite_percent(&src[inner_start..inner_end]) {
                        out.push_str(&src[copied..inner_start]);
                        out.push_str(&expr);
                        copied = inner_end;
                    }
                }
                pos = end;
            }
            _ => pos = start + 1,
        }
    }
    if copied == 0 {
        Cow::Borrowed(src)
    } else {
        out.push_str(&src[copied..]);
        Cow::Owned(out)
    }
}

fn is_ws_flag(b: Option<&u8>) -> bool {
    matches!(b, Some(b'-' | b'+'))
}

fn find_from(src: &str, from: usize, pat: &str) -> Option<usize> {
    src.get(from..)?.find(pat).map(|i| from + i)
}

fn first_word(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

/// Index just past the `close` delimiter of a tag whose contents start at
/// `from`, skipping over string literals (which may contain the delimiter).
fn tag_end(src: &str, from: usize, close: &str) -> usize {
    let bytes = src.as_bytes();
    let mut i = from;
    while i < bytes.len() {
        match bytes[i] {
            q @ (b'\'' | b'"') => i = string_end(bytes, i, q),
            _ if src[i..].starts_with(close) => return i + close.len(),
            _ => i += 1,
        }
    }
    src.len()
}

/// Index just past the closing quote of the string literal opening at `i`.
fn string_end(bytes: &[u8], mut i: usize, quote: u8) -> usize {
    i += 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b if b == quote => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// Index just past the `{% endraw %}` tag matching a raw block whose opening
/// tag ends at `from`; raw content is never rewritten.
fn skip_raw(src: &str, from: usize) -> usize {
    let mut pos = from;
    while let Some(start) = find_from(src, pos, "{%") {
        let end = tag_end(src, start + 2, "%}");
        let inner = src[start + 2..end.saturating_sub(2).max(start + 2)]
            .trim_matches(|c: char| c == '-' || c == '+' || c.is_whitespace());
        if inner == "endraw" {
            return end;
        }
        pos = start + 2;
    }
    src.len()
}

/// `'lit' % operand` -> `('lit'|format(operand))` wherever a string
/// literal is the left side of `%`; `None` when there is none. The operand
/// is what Python binds to `%`: a parenthesised tuple or value, or a
/// name/literal with its attribute, item and call trailers and filters.
fn rewrite_percent(expr: &str) -> Option<String> {
    let bytes = expr.as_bytes();
    let mut out = String::new();
    let (mut copied, mut i) = (0, 0);
    while i < bytes.len() {
        let q = bytes[i];
        if q != b'\'' && q != b'"' {
            i += 1;
            continue;
        }
        let lit_end = string_end(bytes, i, q);
        let mut j = lit_end;
        while bytes.get(j).is_some_and(u8::is_ascii_whitespace) {
            j += 1;
        }
        if bytes.get(j) != Some(&b'%') || matches!(bytes.get(j + 1), Some(b'}' | b'%')) {
            i = lit_end;
            continue;
        }
        let op_start = j + 1 + expr[j + 1..].len() - expr[j + 1..].trim_start().len();
        let op_end = operand_end(expr, op_start);
        if op_end == op_start {
            i = lit_end;
            continue;
        }
        let operand = &expr[op_start..op_end];
        let args = match operand.strip_prefix('(').and_then(|o| o.strip_suffix(')')) {
            Some(inner)
                if bracket_end(bytes, op_start) == op_end
                    && split_top_level(inner, b',').len() > 1 =>
            {
                inner.trim_end().trim_end_matches(',').to_string()
            }
            _ => operand.to_string(),
        };
        out.push_str(&expr[copied..i]);
        out.push_str(&format!("({}|format({args}))", &expr[i..lit_end]));
        copied = op_end;
        i = op_end;
    }
    (copied > 0).then(|| out + &expr[copied..])
}

/// Index just past the bracket group opening at `i`.
fn bracket_end(bytes: &[u8], i: usize) -> usize {
    let mut depth = 0usize;
    let mut k = i;
    while k < bytes.len() {
        match bytes[k] {
            q @ (b'\'' | b'"') => {
                k = string_end(bytes, k, q);
                continue;
            }
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return k + 1;
                }
            }
            _ => {}
        }
        k += 1;
    }
    bytes.len()
}

/// End of the unary operand (with trailers and filters) starting at `i`.
fn operand_end(expr: &str, i: usize) -> usize {
    let bytes = expr.as_bytes();
    let word = |k: usize| {
        k + expr[k..]
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
            .unwrap_or(expr.len() - k)
    };
    let mut k = match bytes.get(i) {
        Some(b'(' | b'[' | b'{') => bracket_end(bytes, i),
        Some(&q @ (b'\'' | b'"')) => string_end(bytes, i, q),
        Some(_) => word(i),
        None => return i,
    };
    loop {
        match bytes.get(k) {
            Some(b'(' | b'[') => k = bracket_end(bytes, k),
            Some(b'.') => k = word(k + 1),
            _ => {
                // Filters bind tighter than `%`: `'%s' % x|upper`.
                let rest = &expr[k..];
                let trimmed = rest.trim_start();
                match trimmed.strip_prefix('|') {
                    Some(after) if !after.starts_with('|') => {
                        let name_start = k + (rest.len() - trimmed.len()) + 1;
                        let name_start = name_start + expr[name_start..].len()
                            - expr[name_start..].trim_start().len();
                        let end = word(name_start);
                        if end == name_start {
                            return k;
                        }
                        k = end;
                    }
                    _ => return k,
                }
            }
        }
    }
}

/// Splits an expression list at commas outside brackets and strings.
fn split_top_level(s: &str, sep: u8) -> Vec<&str> {
    let bytes = s.as_bytes();
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut last = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            q @ (b'\'' | b'"') => {
                i = string_end(bytes, i, q);
                continue;
            }
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b if b == sep && depth == 0 => {
                parts.push(&s[last..i]);
                last = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    parts.push(&s[last..]);
    parts
}

/// Position of a top-level assignment `=` (not `==`, `!=`, `<=`, `>=`).
fn assign_pos(part: &str) -> Option<usize> {
    let bytes = part.as_bytes();
    let mut offset = 0;
    for piece in split_top_level(part, b'=') {
        let end = offset + piece.len();
        if end < bytes.len() {
            let prev = piece.as_bytes().last().copied();
            let next = bytes.get(end + 1).copied();
            if !matches!(prev, Some(b'=' | b'!' | b'<' | b'>')) && next != Some(b'=') {
                return Some(end);
            }
        }
        offset = end + 1;
    }
    None
}

/// Jinja2 parses each `with` target as a possibly unparenthesised tuple
/// (`a, b = expr`); minijinja needs `(a, b) = expr`. Returns the rewritten
/// header only when such a target was found.
fn rewrite_with_header(header: &str) -> Option<String> {
    let mut pending: Vec<&str> = Vec::new();
    let mut assignments = Vec::new();
    let mut changed = false;
    for part in split_top_level(header, b',') {
        match assign_pos(part) {
            None => pending.push(part.trim()),
            Some(eq) => {
                if pending.is_empty() {
                    assignments.push(part.to_string());
                } else {
                    pending.push(part[..eq].trim());
                    assignments.push(format!(" ({}) ={}", pending.join(", "), &part[eq + 1..]));
                    pending.clear();
                    changed = true;
                }
            }
        }
    }
    (changed && pending.is_empty()).then(|| assignments.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;
    use minijinja::{context, Environment};

    fn render(src: &str, ctx: minijinja::Value) -> String {
        let mut env = Environment::new();
        env.set_unknown_method_callback(minijinja_contrib::pycompat::unknown_method_callback);
        let src = rewrite_source(src);
        env.render_str(&src, ctx).unwrap()
    }

    #[test]
    fn unchanged_source_is_borrowed() {
        let src = "{% with a = 1 %}{{ a }}{% endwith %}{# with a, b = c #}";
        assert!(matches!(rewrite_source(src), Cow::Borrowed(_)));
    }

    #[test]
    fn tuple_with_target_gets_parentheses() {
        assert_eq!(
            rewrite_source("{%- with url,value = rsvp.split() -%}x{%- endwith -%}"),
            "{%- with (url, value) = rsvp.split() -%}x{%- endwith -%}"
        );
        assert_eq!(
            rewrite_source("{% with a = 1, b, c = d, e = f(x=1, y='=,') %}"),
            "{% with a = 1, (b, c) = d, e = f(x=1, y='=,') %}"
        );
    }

    // Expected output from Jinja2 3.1.6:
    //   Template(src).render(items=['u1 yes', 'u2 no'])
    #[test]
    fn entry_html_rsvp_loop_renders_like_jinja2() {
        let src = "{%- for rsvp in items -%}\n  {%- with url,value = rsvp.split() -%}\n    \
                   [{{url}}|{{value}}|{{loop.index}}]\n  {%- endwith -%}\n{%- endfor -%}\
                   {{ url }}";
        assert_eq!(
            render(src, context! { items => vec!["u1 yes", "u2 no"] }),
            "[u1|yes|1][u2|no|2]"
        );
    }

    #[test]
    fn strings_comments_and_raw_are_left_alone() {
        let src = "{{ '{% with a, b = c %}' }}{# {% with a, b = c %} #}\
                   {% raw %}{% with a, b = c %}{% endraw %}";
        assert!(matches!(rewrite_source(src), Cow::Borrowed(_)));
        assert_eq!(
            render(src, context! {}),
            "{% with a, b = c %}{% with a, b = c %}"
        );
    }

    #[test]
    fn percent_formatting_becomes_the_format_filter() {
        assert_eq!(
            rewrite_source("{{ '%d of %s' % (n, total|int) ~ 'x' }}"),
            "{{ ('%d of %s'|format(n, total|int)) ~ 'x' }}"
        );
        assert_eq!(
            rewrite_source("{% set t = \"%s!\" % entry.title(markup=False)|upper %}"),
            "{% set t = (\"%s!\"|format(entry.title(markup=False)|upper)) %}"
        );
        assert_eq!(
            rewrite_source("{{ '%.1f' % (x) }}"),
            "{{ ('%.1f'|format((x))) }}"
        );
        // Modulo on numbers and `%` inside strings are not formatting.
        assert!(matches!(
            rewrite_source("{{ n % 2 }}{{ '100%' }}"),
            Cow::Borrowed(_)
        ));
    }

    // Expected output from Jinja2 3.1.6:
    //   Template("{{ '%d/%s' % (3, 'x') }} {{ '%05.1f' % 2.5 }} {{ '%s' % n|upper }}").render(n='a')
    #[test]
    fn percent_formatting_renders_like_jinja2() {
        let mut env = Environment::new();
        crate::template::filters::install(&mut env);
        let src =
            rewrite_source("{{ '%d/%s' % (3, 'x') }} {{ '%05.1f' % 2.5 }} {{ '%s' % n|upper }}");
        assert_eq!(
            env.render_str(&src, context! { n => "a" }).unwrap(),
            "3/x 002.5 A"
        );
    }

    #[test]
    fn comparison_operators_are_not_assignments() {
        assert_eq!(
            rewrite_source("{% with a, b = (x == 1, y >= 2) %}{% endwith %}"),
            "{% with (a, b) = (x == 1, y >= 2) %}{% endwith %}"
        );
    }
}

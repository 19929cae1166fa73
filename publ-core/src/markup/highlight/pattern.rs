//! Pygments' rules are Python `re` patterns. PCRE2 reads that dialect
//! almost unchanged (backtracking, lookbehind, `$` before a final newline,
//! whitespace kept inside classes in verbose mode) and, unlike Rust's
//! engines, anchors a match at an offset while still seeing the text
//! before it, which is how Pygments calls `pattern.match(text, pos)`.

use pcre2::bytes::{Regex, RegexBuilder};

/// A rule's pattern, compiled to match only at the offset it is given.
pub(super) fn compile(pattern: &str, flags: &str) -> Result<Regex, pcre2::Error> {
    let mut builder = RegexBuilder::new();
    builder.utf(true).ucp(true).jit_if_available(true);
    let (inline, body) = leading_flags(pattern);
    let mut verbose = false;
    for flag in flags.chars().chain(inline.chars()) {
        match flag {
            'i' => drop(builder.caseless(true)),
            'm' => drop(builder.multi_line(true)),
            's' => drop(builder.dotall(true)),
            'x' => {
                verbose = true;
                builder.extended(true);
            }
            // `u` (Unicode) is PCRE2's `ucp`, already on; `a`/`L` narrow
            // classes to ASCII/locale, which no lexer we ship relies on.
            _ => {}
        }
    }
    let body = translate(body);
    // A verbose pattern may end in a `#` comment, which would swallow
    // our closing parenthesis.
    let close = if verbose { "\n)" } else { ")" };
    builder.build(&format!("\\G(?:{body}{close}"))
}

/// Python's global inline flags (`(?x)`, `(?ms)`...) at the start of a
/// pattern, split off: inside our wrapping group they would be scoped.
fn leading_flags(mut pattern: &str) -> (String, &str) {
    let mut flags = String::new();
    while let Some(rest) = pattern.strip_prefix("(?") {
        let Some(end) = rest.find(')') else { break };
        let group = &rest[..end];
        if group.is_empty() || !group.chars().all(|c| "aiLmsux".contains(c)) {
            break;
        }
        flags.push_str(group);
        pattern = &rest[end + 1..];
    }
    (flags, pattern)
}

/// The few escapes whose spelling differs between Python and PCRE2.
fn translate(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            // Python's `\Z` is the very end; PCRE2's allows a final newline.
            Some('Z') => out.push_str("\\z"),
            Some(u @ ('u' | 'U')) => {
                let width = if u == 'u' { 4 } else { 8 };
                let hex: String = chars.by_ref().take(width).collect();
                out.push_str(&format!("\\x{{{hex}}}"));
            }
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(pattern: &str, flags: &str, text: &str, pos: usize) -> Option<(usize, usize)> {
        let re = compile(pattern, flags).expect("compiles");
        re.find_at(text.as_bytes(), pos)
            .expect("matches")
            .map(|m| (m.start(), m.end()))
    }

    #[test]
    fn matches_only_at_the_offset() {
        assert_eq!(at("b+", "", "abbb", 1), Some((1, 4)));
        assert_eq!(at("b+", "", "abbb", 0), None);
    }

    #[test]
    fn sees_the_text_before_the_offset() {
        // Python's `^` in multiline mode and `\b`/lookbehind use context.
        assert_eq!(at("^x", "m", "ax\nx", 1), None);
        assert_eq!(at("^x", "m", "ax\nx", 3), Some((3, 4)));
        assert_eq!(at(r"(?<!\.)foo", "", ".foo", 1), None);
        assert_eq!(at(r"\bfoo", "", "afoo", 1), None);
    }

    #[test]
    fn python_spellings() {
        assert_eq!(at(r"a\Z", "", "a\n", 0), None);
        assert_eq!(at(r"a$", "", "a\n", 0), Some((0, 1)));
        assert_eq!(at(r"\u00e9", "", "é", 0), Some((0, 2)));
        assert_eq!(at("(?x) a b # comment", "", "ab", 0), Some((0, 2)));
        assert_eq!(at("(?i)ABC", "", "abc", 0), Some((0, 3)));
        // Verbose mode keeps spaces inside a class, as Python does.
        assert_eq!(at("[ ]x", "x", " x", 0), Some((0, 2)));
    }
}

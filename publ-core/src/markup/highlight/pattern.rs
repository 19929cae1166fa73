//! Pygments' rules are Python `re` patterns. PCRE2 reads that dialect
//! almost unchanged (backtracking, lookbehind, `$` before a final newline,
//! whitespace kept inside classes in verbose mode) and, unlike Rust's
//! engines, anchors a match at an offset while still seeing the text
//! before it, which is how Pygments calls `pattern.match(text, pos)`.

use pcre2::bytes::{Regex, RegexBuilder};

/// A rule's pattern, compiled to match only at the offset it is given.
pub(super) fn compile(pattern: &str, flags: &str) -> Result<Regex, pcre2::Error> {
    build(pattern, flags, true)
}

/// The same without JIT: slower, but not bounded by the JIT's stack, which
/// a long match of a repeated group (a kilobyte-long string, a fenced
/// block in Markdown) exhausts.
pub(super) fn compile_interpreted(pattern: &str, flags: &str) -> Result<Regex, pcre2::Error> {
    build(pattern, flags, false)
}

fn build(pattern: &str, flags: &str, jit: bool) -> Result<Regex, pcre2::Error> {
    let mut builder = RegexBuilder::new();
    builder.utf(true).ucp(true).jit_if_available(jit);
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
    // A verbose pattern may end in a `#` comment, which would swallow
    // our closing parenthesis.
    let close = if verbose { "\n)" } else { ")" };
    let exact = translate(body, verbose, true);
    builder
        .build(&format!("\\G(?:{exact}{close}"))
        .or_else(|_| {
            // Spelt out, Python's `\b` is long: a pattern made of hundreds of
            // them (a `words()` list) outgrows PCRE2, and keeps PCRE2's `\b`,
            // which differs only next to a combining mark.
            let short = translate(body, verbose, false);
            builder.build(&format!("\\G(?:{short}{close}"))
        })
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

/// Python's word characters: letters, digits and `_`. PCRE2 (10.43 on)
/// adds the other connector punctuation and the non-spacing marks, so a
/// decomposed `é` (`e` + U+0301) would stay inside a `\w+` run.
const WORD: &str = r"\p{L}\p{N}_";
/// What PCRE2's `\W` lacks of Python's: the non-spacing marks and the
/// connector punctuation but `_`.
const NOT_WORD_EXTRA: &str =
    r"\p{Mn}\x{203F}\x{2040}\x{2054}\x{FE33}\x{FE34}\x{FE4D}-\x{FE4F}\x{FF3F}";

/// The escapes whose spelling or meaning differs between Python and PCRE2.
fn translate(pattern: &str, verbose: bool, python_boundaries: bool) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut chars = pattern.chars().peekable();
    // Inside `[...]`, and whether a `]` there would still be literal (the
    // first character of a class, as in `[]a]` or `[^]a]`).
    let mut in_class = false;
    let mut class_start = false;
    while let Some(c) = chars.next() {
        if c != '\\' {
            let starting = class_start;
            class_start = false;
            match c {
                '[' if !in_class => {
                    in_class = true;
                    class_start = true;
                    if chars.peek() == Some(&'^') {
                        out.push('[');
                        chars.next();
                        out.push('^');
                        continue;
                    }
                }
                ']' if in_class && !starting => in_class = false,
                // A verbose-mode comment, copied as it is: a `[` in it
                // opens no class.
                '#' if verbose && !in_class => {
                    out.push('#');
                    while let Some(&n) = chars.peek() {
                        if n == '\n' {
                            break;
                        }
                        out.push(n);
                        chars.next();
                    }
                    continue;
                }
                _ => {}
            }
            out.push(c);
            continue;
        }
        class_start = false;
        match chars.next() {
            Some('w') if in_class => out.push_str(WORD),
            Some('w') => out.push_str(&format!("[{WORD}]")),
            Some('W') if in_class => out.push_str(&format!("\\W{NOT_WORD_EXTRA}")),
            Some('W') => out.push_str(&format!("[^{WORD}]")),
            // Word boundaries, with Python's word characters.
            Some('b') if !in_class && python_boundaries => out.push_str(&format!(
                "(?:(?<=[{WORD}])(?![{WORD}])|(?<![{WORD}])(?=[{WORD}]))"
            )),
            Some('B') if !in_class && python_boundaries => out.push_str(&format!(
                "(?:(?<=[{WORD}])(?=[{WORD}])|(?<![{WORD}])(?![{WORD}]))"
            )),
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

    #[test]
    fn python_word_characters() {
        // PCRE2's `\w` and `\b` take in combining marks; Python's do not.
        assert_eq!(at(r"\w+", "", "e\u{301}x", 0), Some((0, 1)));
        assert_eq!(at(r"[^\W\d]+", "", "ae\u{301}", 0), Some((0, 2)));
        assert_eq!(at(r"e\b", "", "e\u{301}", 0), Some((0, 1)));
        assert_eq!(at(r"[]\w]+", "", "]a\u{301}", 0), Some((0, 2)));
        // A `[` in a verbose comment opens no class.
        assert_eq!(at("\\w # [ comment\n \\w", "x", "ab", 0), Some((0, 2)));
    }
}

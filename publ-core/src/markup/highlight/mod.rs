//! Syntax highlighting for fenced code (spec K8), as Publ does it with
//! Pygments: the same lexers (their rule tables, dumped from Pygments and
//! run by `lexer`), the same token classes (`k`, `s2`, `c1`, `nf`, ...),
//! so a site's Pygments stylesheet styles our output unchanged.

mod catalog;
mod grammar;
mod lexer;
mod pattern;
mod yaml;

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use catalog::Found;
use lexer::Kind;

/// Recent results by `(language, code)`.
type Highlighted = HashMap<(String, String), Vec<String>>;

/// The code as highlighted HTML, one string per line. A language Pygments
/// does not know is plain text, as Publ's `TextLexer` fallback makes it.
pub fn highlight(lang: &str, code: &str) -> Vec<String> {
    // Highlighting is the slowest step of rendering an entry, and the same
    // blocks come back on every request (body, toc and footnotes passes,
    // feeds, index pages): keep recent results, bounded.
    const KEEP: usize = 2048;
    static SEEN: OnceLock<Mutex<Highlighted>> = OnceLock::new();
    let seen = SEEN.get_or_init(Default::default);
    let key = (lang.to_string(), code.to_string());
    if let Some(hit) = seen.lock().ok().and_then(|m| m.get(&key).cloned()) {
        return hit;
    }
    let lines = highlight_uncached(lang, code);
    if let Ok(mut m) = seen.lock() {
        if m.len() >= KEEP {
            m.clear();
        }
        m.insert(key, lines.clone());
    }
    lines
}

/// Pygments' input preparation: no byte-order mark, `\n` line ends, a
/// final newline, and no surrounding whitespace with `stripall=True`
/// (how Publ asks for a lexer by name) or else no surrounding blank
/// lines (`stripnl`, the default of the `TextLexer()` Publ falls back to).
fn preprocess(code: &str, stripall: bool) -> String {
    let code = code.strip_prefix('\u{feff}').unwrap_or(code);
    let code = code.replace("\r\n", "\n").replace('\r', "\n");
    let mut code = if stripall {
        code.trim_matches(is_python_space)
    } else {
        code.trim_matches('\n')
    }
    .to_string();
    if !code.ends_with('\n') {
        code.push('\n');
    }
    code
}

/// Python's `str.isspace`, which `str.strip` uses: Unicode white space
/// plus the ASCII separator controls.
fn is_python_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

fn highlight_uncached(lang: &str, code: &str) -> Vec<String> {
    let lang = lang.to_lowercase();
    match catalog::by_alias(&lang) {
        Found::Lexer(lexer) => {
            let code = preprocess(code, true);
            let mut tokens = Vec::new();
            lexer.tokens(&code, &[], &mut tokens);
            to_lines(tokens.iter().map(|(_, kind, text)| {
                let class = match kind {
                    Kind::Class("") => None,
                    Kind::Class(c) => Some(*c),
                    Kind::Other => Some("x"),
                };
                (class, &**text)
            }))
        }
        Found::Unported => {
            let code = preprocess(code, true);
            match grammar::grammar(&lang) {
                Some(syntax) => {
                    let tokens = grammar::lex_grammar(syntax, &code);
                    to_lines(tokens.iter().map(|(class, text)| (*class, text.as_str())))
                }
                None => to_lines([(None, code.as_str())]),
            }
        }
        // Publ's `TextLexer()`, made without `stripall`.
        Found::Unknown => to_lines([(None, preprocess(code, false).as_str())]),
    }
}

/// Splits tokens at newlines and renders each line, merging neighbours
/// of the same class as Pygments' formatter does.
fn to_lines<'a>(tokens: impl IntoIterator<Item = (Option<&'a str>, &'a str)>) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line: Vec<(Option<&str>, String)> = Vec::new();
    for (class, text) in tokens {
        let mut parts = text.split('\n').peekable();
        while let Some(part) = parts.next() {
            if !part.is_empty() {
                match line.last_mut() {
                    Some((c, t)) if *c == class => t.push_str(part),
                    _ => line.push((class, part.to_string())),
                }
            }
            if parts.peek().is_some() {
                lines.push(render_line(std::mem::take(&mut line)));
            }
        }
    }
    if !line.is_empty() {
        lines.push(render_line(line));
    }
    lines
}

fn render_line(tokens: Vec<(Option<&str>, String)>) -> String {
    let mut out = String::new();
    for (class, text) in tokens {
        match class {
            Some(c) => out.push_str(&format!("<span class=\"{c}\">{}</span>", escape(&text))),
            None => out.push_str(&escape(&text)),
        }
    }
    out
}

/// Pygments' `HtmlFormatter` escaping: `html.escape(value, quote=False)`,
/// so quotes stay as they are (token text is element content).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_gets_pygments_classes() {
        // spec K8: the classes of Pygments' default stylesheet
        let lines = highlight("python", "def foo(x):\n    return 'a'  # hi\n");
        assert_eq!(
            lines,
            [
                "<span class=\"k\">def</span><span class=\"w\"> </span><span class=\"nf\">foo</span><span class=\"p\">(</span><span class=\"n\">x</span><span class=\"p\">):</span>",
                "    <span class=\"k\">return</span> <span class=\"s1\">'a'</span>  <span class=\"c1\"># hi</span>",
            ]
        );
    }

    #[test]
    fn unknown_language_is_plain_text() {
        // ... made as Publ makes it, without `stripall`: only blank lines
        // around the code go.
        assert_eq!(
            highlight("no-such-language", "\n  a < b  \n\n"),
            ["  a &lt; b  "]
        );
        // `jinja2` is no Pygments alias: Publ shows such blocks plain.
        assert_eq!(highlight("jinja2", "{{ x }}"), ["{{ x }}"]);
    }

    #[test]
    fn long_matches_outlast_the_jit_stack() {
        // A fenced block in Markdown is one match of a repeated group,
        // too long for PCRE2's default JIT stack past a kilobyte or so.
        let code = format!("```python\n{}```\n", "x = 1\n".repeat(1000));
        let lines = highlight("markdown", &code);
        assert_eq!(lines[0], "<span class=\"sb\">```python</span>");
        assert_eq!(
            lines[1],
            "<span class=\"n\">x</span> <span class=\"o\">=</span> <span class=\"mi\">1</span>"
        );
    }

    #[test]
    fn every_shipped_lexer_compiles() {
        let broken: Vec<String> = catalog::all_names()
            .into_iter()
            .filter(|name| catalog::by_name(name).is_none())
            .collect();
        assert!(broken.is_empty(), "{broken:?}");
    }

    #[test]
    fn any_input_keeps_its_text() {
        let nasty = "{{ a }}{% b\n%}{# c\n\"'<&>\u{e9}\t\u{0}x";
        for lang in [
            "python",
            "bash",
            "html",
            "html+jinja",
            "jinja",
            "markdown",
            "css",
            "yaml",
            "json",
        ] {
            let text: String = highlight(lang, nasty)
                .iter()
                .map(|l| strip(l))
                .collect::<Vec<_>>()
                .join("\n");
            assert_eq!(text, escape(nasty.trim()), "{lang}");
        }
    }

    fn strip(html: &str) -> String {
        let re = regex::Regex::new(r"<[^>]+>").expect("valid");
        re.replace_all(html, "").into_owned()
    }
}

//! Syntax highlighting for fenced code (spec K8): syntect's grammars
//! tokenise, and every token is named with Pygments' short CSS class
//! (`k`, `s2`, `c1`, `nf`, ...) so a site's Pygments stylesheet styles our
//! output unchanged. Jinja templates get a port of Pygments' own Django
//! lexer, since syntect ships no Jinja grammar and Publ sites are full of
//! Jinja examples.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use regex::Regex;
use syntect::parsing::{ParseState, Scope, ScopeStack, SyntaxReference, SyntaxSet};

use super::html::escape;

/// Recent results by `(language, code)`.
type Highlighted = HashMap<(String, String), Option<Vec<String>>>;

/// One highlighted run: its Pygments class (`None` = plain text) and text.
type Token = (Option<&'static str>, String);

fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// A language name as Pygments knows it, resolved to what we can lex.
enum Lexer {
    Grammar(&'static SyntaxReference),
    /// `jinja`/`django`: Jinja tags, the rest left as Pygments' `Other`.
    Jinja,
    /// `html+jinja` and friends: Jinja tags, the rest lexed by a grammar.
    JinjaIn(&'static SyntaxReference),
}

fn grammar(name: &str) -> Option<&'static SyntaxReference> {
    // Pygments aliases whose syntect name or extension differs.
    let token = match name {
        "sh" | "shell" | "zsh" | "ksh" => "bash",
        "py" | "python3" | "py3" => "python",
        "js" | "javascript" => "js",
        "md" => "markdown",
        "yml" => "yaml",
        "c++" => "cpp",
        "rs" => "rust",
        "rb" => "ruby",
        other => other,
    };
    syntaxes().find_syntax_by_token(token)
}

fn lexer(lang: &str) -> Option<Lexer> {
    let lang = lang.to_ascii_lowercase();
    let is_jinja = |l: &str| matches!(l, "jinja" | "jinja2" | "django");
    if is_jinja(&lang) {
        return Some(Lexer::Jinja);
    }
    if let Some((base, over)) = lang.split_once('+') {
        if is_jinja(over) {
            return grammar(base).map(Lexer::JinjaIn);
        }
        // Pygments' `css+php` style delegations: the base language alone
        // is a better guess than plain text.
        return grammar(base).map(Lexer::Grammar);
    }
    grammar(&lang).map(Lexer::Grammar)
}

/// The code as highlighted HTML, one string per line; `None` when the
/// language is unknown (the caller shows plain text, as Pygments'
/// `TextLexer` fallback does).
pub fn highlight(lang: &str, code: &str) -> Option<Vec<String>> {
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

fn highlight_uncached(lang: &str, code: &str) -> Option<Vec<String>> {
    let tokens = match lexer(lang)? {
        Lexer::Grammar(syntax) => lex_grammar(syntax, code),
        Lexer::Jinja => lex_jinja(code, None),
        Lexer::JinjaIn(syntax) => lex_jinja(code, Some(syntax)),
    };
    Some(to_lines(tokens))
}

/// Splits tokens at newlines and renders each line, merging neighbours
/// of the same class as Pygments' formatter does.
fn to_lines(tokens: Vec<Token>) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line: Vec<Token> = Vec::new();
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

fn render_line(tokens: Vec<Token>) -> String {
    let mut out = String::new();
    for (class, text) in tokens {
        match class {
            Some(c) => out.push_str(&format!("<span class=\"{c}\">{}</span>", escape(&text))),
            None => out.push_str(&escape(&text)),
        }
    }
    out
}

fn lex_grammar(syntax: &SyntaxReference, code: &str) -> Vec<Token> {
    let set = syntaxes();
    let mut state = ParseState::new(syntax);
    let mut stack = ScopeStack::new();
    let mut tokens = Vec::new();
    for line in code.split_inclusive('\n') {
        // A grammar that fails on a line leaves the rest plain rather
        // than failing the page.
        let Ok(ops) = state.parse_line(line, set) else {
            tokens.push((None, line.to_string()));
            continue;
        };
        let mut start = 0;
        for (at, op) in ops {
            if at > start {
                tokens.push((class_of(&stack), line[start..at].to_string()));
                start = at;
            }
            if stack.apply(&op).is_err() {
                stack = ScopeStack::new();
            }
        }
        if start < line.len() {
            tokens.push((class_of(&stack), line[start..].to_string()));
        }
    }
    // Whitespace outside strings and comments stays unwrapped, as most
    // Pygments lexers emit it as plain `Text`.
    tokens
        .into_iter()
        .map(|(class, text)| {
            let plain = text.trim().is_empty()
                && !matches!(class.and_then(|c| c.chars().next()), Some('s' | 'c'));
            (if plain { None } else { class }, text)
        })
        .collect()
}

/// The Pygments class for the innermost scope that has one. Punctuation
/// defers to an enclosing string or comment (a string's quotes are part of
/// the string in Pygments) and is `p` otherwise; `meta.` scopes only name
/// what nothing more specific does.
fn class_of(stack: &ScopeStack) -> Option<&'static str> {
    let mut punctuation = false;
    let mut meta = None;
    for scope in stack.as_slice().iter().rev() {
        let name = scope_name(*scope);
        if name.starts_with("punctuation.") {
            punctuation = true;
            continue;
        }
        let Some(class) = pygments_class(&name) else {
            continue;
        };
        if name.starts_with("meta.") {
            meta = meta.or(Some(class));
            continue;
        }
        if punctuation && !class.starts_with(['s', 'c']) {
            return Some("p");
        }
        return Some(class);
    }
    if punctuation {
        Some("p")
    } else {
        meta
    }
}

fn scope_name(scope: Scope) -> String {
    scope.build_string()
}

/// TextMate scope -> Pygments token class, most specific prefix first.
fn pygments_class(scope: &str) -> Option<&'static str> {
    const TABLE: &[(&str, &str)] = &[
        ("comment.line", "c1"),
        ("comment.block.documentation", "sd"),
        ("comment.block", "cm"),
        ("comment", "c"),
        ("string.quoted.single", "s1"),
        ("string.quoted.double", "s2"),
        ("string.quoted.triple", "s2"),
        ("string.regexp", "sr"),
        ("string.unquoted.heredoc", "sh"),
        ("string.interpolated", "sb"),
        ("string", "s"),
        ("constant.character.escape", "se"),
        ("constant.numeric.integer.hexadecimal", "mh"),
        ("constant.numeric.integer.octal", "mo"),
        ("constant.numeric.integer.binary", "mb"),
        ("constant.numeric.float", "mf"),
        ("constant.numeric.integer", "mi"),
        ("constant.numeric", "m"),
        ("constant.language", "kc"),
        ("constant.character", "sc"),
        ("constant.other", "no"),
        ("keyword.operator.word", "ow"),
        ("keyword.operator.logical", "ow"),
        ("keyword.operator", "o"),
        ("keyword.control.import", "kn"),
        ("keyword.declaration", "kd"),
        ("keyword", "k"),
        ("storage.type.function", "k"),
        ("storage.type.class", "k"),
        ("storage.type", "kt"),
        ("storage.modifier", "kd"),
        ("storage", "k"),
        ("entity.name.function", "nf"),
        ("entity.name.class", "nc"),
        ("entity.name.type", "nc"),
        ("entity.other.inherited-class", "nc"),
        ("entity.name.tag", "nt"),
        ("entity.other.attribute-name", "na"),
        ("entity.name.namespace", "nn"),
        ("entity.name.section", "gh"),
        ("entity.name.label", "nl"),
        ("entity.name.constant", "no"),
        ("entity.name", "nx"),
        ("support.function", "nb"),
        ("support.type", "nb"),
        ("support.class", "nc"),
        ("support.constant", "kc"),
        ("support.variable", "nv"),
        ("variable.parameter", "n"),
        ("variable.language", "bp"),
        ("variable.function", "n"),
        ("variable.other", "n"),
        ("variable", "nv"),
        ("meta.preprocessor", "cp"),
        ("meta.generic-name", "n"),
        ("markup.heading", "gh"),
        ("markup.bold", "gs"),
        ("markup.italic", "ge"),
        ("markup.inserted", "gi"),
        ("markup.deleted", "gd"),
        ("markup.raw", "sb"),
        ("markup.underline.link", "nl"),
        ("invalid", "err"),
    ];
    TABLE
        .iter()
        .find(|(prefix, _)| {
            scope.starts_with(prefix)
                && matches!(scope.as_bytes().get(prefix.len()), None | Some(b'.'))
        })
        .map(|(_, class)| *class)
}

/// A token of Pygments' Django lexer: a class, or `Other` text left to
/// the enclosing language.
enum JinjaToken<'a> {
    Class(Option<&'static str>, &'a str),
    Other(&'a str),
}

struct JinjaRules {
    root: Vec<(Regex, Vec<JinjaPart>)>,
    varnames: Vec<(Regex, Vec<JinjaPart>)>,
}

/// What one capture group of a rule emits.
#[derive(Clone, Copy)]
enum JinjaPart {
    Tok(Option<&'static str>),
    Other,
}

fn jinja_rules() -> &'static JinjaRules {
    static RULES: OnceLock<JinjaRules> = OnceLock::new();
    RULES.get_or_init(|| {
        use JinjaPart::{Other, Tok};
        let rule = |re: &str, parts: Vec<JinjaPart>| {
            // The patterns are fixed and tested; a typo fails every test.
            (
                Regex::new(&format!("^(?s:{re})")).expect("valid Jinja lexer rule"),
                parts,
            )
        };
        let (cp, text, kw, c) = (Tok(Some("cp")), Tok(None), Tok(Some("k")), Tok(Some("c")));
        JinjaRules {
            root: vec![
                rule(r"([^{]+)", vec![Other]),
                rule(r"(\{\{)", vec![cp]),
                rule(r"(\{#.*?#\})", vec![c]),
                rule(
                    r"(\{%)(-?\s*)(comment)(\s*-?)(%\})(.*?)(\{%)(-?\s*)(endcomment)(\s*-?)(%\})",
                    vec![cp, text, kw, text, cp, c, cp, text, kw, text, cp],
                ),
                rule(
                    r"(\{%)(-?\s*)(raw)(\s*-?)(%\})(.*?)(\{%)(-?\s*)(endraw)(\s*-?)(%\})",
                    vec![cp, text, kw, text, cp, text, cp, text, kw, text, cp],
                ),
                rule(
                    r"(\{%)(-?\s*)(filter)(\s+)([a-zA-Z_]\w*)",
                    vec![cp, text, kw, text, Tok(Some("nf"))],
                ),
                rule(r"(\{%)(-?\s*)([a-zA-Z_]\w*)", vec![cp, text, kw]),
                rule(r"(\{)", vec![Other]),
            ],
            varnames: vec![
                rule(r"(\|)(\s*)([a-zA-Z_]\w*)", vec![Tok(Some("o")), text, Tok(Some("nf"))]),
                rule(
                    r"(is)(\s+)(not)?(\s+)?([a-zA-Z_]\w*)",
                    vec![kw, text, kw, text, Tok(Some("nf"))],
                ),
                rule(r"(_|true|false|none|True|False|None)\b", vec![Tok(Some("kp"))]),
                rule(
                    r"(in|as|reversed|recursive|not|and|or|is|if|else|import|with(?:(?:out)?\s*context)?|scoped|ignore\s+missing)\b",
                    vec![kw],
                ),
                rule(r"(loop|block|super|forloop)\b", vec![Tok(Some("nb"))]),
                rule(r"([a-zA-Z_][\w-]*)", vec![Tok(Some("nv"))]),
                rule(r"(\.\w+)", vec![Tok(Some("nv"))]),
                rule(r#"(:?"(?:\\\\|\\[^\\]|[^"\\])*")"#, vec![Tok(Some("s2"))]),
                rule(r#"(:?'(?:\\\\|\\[^\\]|[^'\\])*')"#, vec![Tok(Some("s1"))]),
                rule(r"([{}()\[\]+\-*/%,:~]|[><=]=?|!=)", vec![Tok(Some("o"))]),
                rule(
                    r"([0-9](?:\.[0-9]*)?(?:eE[+-][0-9])?[flFLdD]?|0[xX][0-9a-fA-F]+[Ll]?)",
                    vec![Tok(Some("m"))],
                ),
            ],
        }
    })
}

fn emit<'a>(out: &mut Vec<JinjaToken<'a>>, caps: &regex::Captures<'a>, parts: &[JinjaPart]) {
    for (i, part) in parts.iter().enumerate() {
        if let Some(m) = caps.get(i + 1).filter(|m| !m.as_str().is_empty()) {
            out.push(match part {
                JinjaPart::Tok(class) => JinjaToken::Class(*class, m.as_str()),
                JinjaPart::Other => JinjaToken::Other(m.as_str()),
            });
        }
    }
}

/// Pygments' `DjangoLexer` state machine: `root`, then `var` inside
/// `{{ }}` and `block` inside `{% %}`.
fn jinja_tokens(code: &str) -> Vec<JinjaToken<'_>> {
    #[derive(PartialEq)]
    enum State {
        Root,
        Var,
        Block,
    }
    let rules = jinja_rules();
    let mut out = Vec::new();
    let mut state = State::Root;
    let mut pos = 0;
    while pos < code.len() {
        let rest = &code[pos..];
        if state == State::Root {
            let Some((caps, i)) = rules
                .root
                .iter()
                .enumerate()
                .find_map(|(i, (re, _))| re.captures(rest).map(|c| (c, i)))
            else {
                // Only an unmatched `{` lands here, and `(\{)` matches it.
                out.push(JinjaToken::Other(rest));
                break;
            };
            let len = caps.get(0).map_or(0, |m| m.len());
            emit(&mut out, &caps, &rules.root[i].1);
            // `{{` opens `var`, `{% name` (and `{% filter name`) `block`.
            state = match i {
                1 => State::Var,
                5 | 6 => State::Block,
                _ => State::Root,
            };
            pos += len.max(1);
            continue;
        }
        let close = if state == State::Var { "}}" } else { "%}" };
        let ws = rest.len() - rest.trim_start().len();
        if ws > 0 {
            out.push(JinjaToken::Class(None, &rest[..ws]));
            pos += ws;
            continue;
        }
        let dash = usize::from(rest.starts_with('-') && rest[1..].starts_with(close));
        if rest[dash..].starts_with(close) {
            if dash == 1 {
                out.push(JinjaToken::Class(None, "-"));
            }
            out.push(JinjaToken::Class(Some("cp"), &rest[dash..dash + 2]));
            pos += dash + 2;
            state = State::Root;
            continue;
        }
        if let Some((caps, i)) = rules
            .varnames
            .iter()
            .enumerate()
            .find_map(|(i, (re, _))| re.captures(rest).map(|c| (c, i)))
        {
            emit(&mut out, &caps, &rules.varnames[i].1);
            pos += caps.get(0).map_or(1, |m| m.len().max(1));
            continue;
        }
        let ch = rest.chars().next().map_or(1, char::len_utf8);
        if state == State::Block {
            out.push(JinjaToken::Class(Some("p"), &rest[..ch]));
        } else if rest.starts_with('\n') {
            // Pygments resets to `root` on an unmatched newline.
            out.push(JinjaToken::Class(None, "\n"));
            state = State::Root;
        } else {
            out.push(JinjaToken::Class(Some("err"), &rest[..ch]));
        }
        pos += ch;
    }
    out
}

/// Jinja tags over `Other` text that is either left alone (class `x`, as
/// Pygments' `jinja` lexer does) or lexed as one continuous document by
/// the base grammar (Pygments' `DelegatingLexer`).
fn lex_jinja(code: &str, base: Option<&SyntaxReference>) -> Vec<Token> {
    let tokens = jinja_tokens(code);
    let Some(syntax) = base else {
        return tokens
            .into_iter()
            .map(|t| match t {
                JinjaToken::Class(c, s) => (c, s.to_string()),
                JinjaToken::Other(s) => (Some("x"), s.to_string()),
            })
            .collect();
    };
    let other: String = tokens
        .iter()
        .filter_map(|t| match t {
            JinjaToken::Other(s) => Some(*s),
            JinjaToken::Class(..) => None,
        })
        .collect();
    let mut base_tokens = lex_grammar(syntax, &other).into_iter();
    let mut carry: Option<Token> = None;
    let mut out = Vec::new();
    for token in tokens {
        match token {
            JinjaToken::Class(c, s) => out.push((c, s.to_string())),
            JinjaToken::Other(s) => {
                // Take base tokens covering exactly `s.len()` bytes,
                // splitting one that straddles a Jinja tag.
                let mut need = s.len();
                while need > 0 {
                    let Some((class, text)) = carry.take().or_else(|| base_tokens.next()) else {
                        break;
                    };
                    if text.len() <= need {
                        need -= text.len();
                        out.push((class, text));
                    } else {
                        let mut cut = need;
                        while !text.is_char_boundary(cut) {
                            cut += 1;
                        }
                        out.push((class, text[..cut].to_string()));
                        carry = Some((class, text[cut..].to_string()));
                        need = need.saturating_sub(cut);
                    }
                }
            }
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
        let lines = highlight("python", "def foo(x):\n    return 'a'  # hi\n").expect("python");
        assert_eq!(lines.len(), 2);
        assert!(
            lines[0].contains("<span class=\"nf\">foo</span>"),
            "{}",
            lines[0]
        );
        assert!(lines[0].starts_with("<span class=\"k"), "{}", lines[0]);
        assert!(
            lines[1].contains("<span class=\"s1\">&#39;a&#39;</span>"),
            "{}",
            lines[1]
        );
        assert!(
            lines[1].contains("<span class=\"c1\"># hi</span>"),
            "{}",
            lines[1]
        );
    }

    #[test]
    fn unknown_language_is_none() {
        assert!(highlight("no-such-language", "x").is_none());
        assert!(highlight("publ", "x").is_none());
    }

    #[test]
    fn jinja_matches_pygments_django_lexer() {
        // Output of Pygments 2.19's `jinja` lexer for the same input.
        let lines = highlight(
            "jinja",
            "{% set x = entry.title|upper(1, \"a\") %}{# c #}\n<p>{{ x.y and not z }}</p>",
        )
        .expect("jinja");
        assert_eq!(
            lines,
            vec![
                "<span class=\"cp\">{%</span> <span class=\"k\">set</span> <span class=\"nv\">x</span> <span class=\"o\">=</span> <span class=\"nv\">entry.title</span><span class=\"o\">|</span><span class=\"nf\">upper</span><span class=\"o\">(</span><span class=\"m\">1</span><span class=\"o\">,</span> <span class=\"s2\">&#34;a&#34;</span><span class=\"o\">)</span> <span class=\"cp\">%}</span><span class=\"c\">{# c #}</span>",
                "<span class=\"x\">&lt;p&gt;</span><span class=\"cp\">{{</span> <span class=\"nv\">x.y</span> <span class=\"k\">and</span> <span class=\"k\">not</span> <span class=\"nv\">z</span> <span class=\"cp\">}}</span><span class=\"x\">&lt;/p&gt;</span>",
            ]
        );
    }

    #[test]
    fn html_jinja_keeps_the_text_and_marks_both_languages() {
        let code = "<a href=\"{{ y }}\">t</a>\n{% if x %}é{% endif %}";
        let lines = highlight("html+jinja", code).expect("html+jinja");
        let text: Vec<String> = lines.iter().map(|l| strip(l)).collect();
        assert_eq!(text.join("\n"), escape(code));
        assert!(
            lines[0].contains("<span class=\"nt\">a</span>"),
            "{}",
            lines[0]
        );
        assert!(
            lines[0].contains("<span class=\"cp\">{{</span>"),
            "{}",
            lines[0]
        );
        assert!(
            lines[1].contains("<span class=\"k\">if</span>"),
            "{}",
            lines[1]
        );
    }

    #[test]
    fn any_input_keeps_its_text() {
        for (lang, code) in [
            ("bash", "echo \"$HOME\" | grep -v x # c\nls -la"),
            ("jinja", "{{ unclosed\n{% x %}{"),
            ("html+jinja", "{% raw %}{{x}}{% endraw %}<b>{{ 'é' }}</b>{#"),
            ("css", "a { color: red; }\n\n/* c */"),
        ] {
            let lines = highlight(lang, code).expect(lang);
            let text: Vec<String> = lines.iter().map(|l| strip(l)).collect();
            assert_eq!(text.join("\n"), escape(code), "{lang}");
        }
    }

    fn strip(html: &str) -> String {
        Regex::new("<[^>]*>")
            .map(|re| re.replace_all(html, "").into_owned())
            .unwrap_or_default()
    }
}

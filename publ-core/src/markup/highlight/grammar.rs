//! The fallback for languages Pygments lexes with code we have not
//! ported (JSON, YAML, shell sessions...): syntect's grammars tokenise,
//! and each token is named with the nearest Pygments class, so a site's
//! Pygments stylesheet still colours it.

use std::sync::OnceLock;

use syntect::parsing::{ParseState, Scope, ScopeStack, SyntaxReference, SyntaxSet};

/// One highlighted run: its Pygments class (`None` = plain text) and text.
pub(super) type Token = (Option<&'static str>, String);

fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

pub(super) fn grammar(name: &str) -> Option<&'static SyntaxReference> {
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

pub(super) fn lex_grammar(syntax: &SyntaxReference, code: &str) -> Vec<Token> {
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

//! Pygments' `RegexLexer` and `DelegatingLexer` machines, run over the
//! rule tables dumped from Pygments itself, so tokens come out exactly
//! as Pygments makes them.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;

use pcre2::bytes::{CaptureLocations, Regex};
use serde::Deserialize;
use serde_json::Value;

use super::catalog::{self, Found};
use super::{grammar, pattern, yaml};

/// A token's kind: a Pygments CSS class (`""` for plain text), or
/// `Other`, the text a delegating lexer hands to its root lexer.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Kind {
    Class(&'static str),
    Other,
}

/// A token: where it starts in the text lexed, its kind and its text.
pub(super) type Token<'t> = (usize, Kind, Cow<'t, str>);

#[derive(Deserialize)]
pub(super) struct LexerData {
    #[serde(default)]
    states: HashMap<String, Vec<(String, String, Value, Value)>>,
    delegate: Option<(String, String)>,
}

pub(super) enum Lexer {
    Regex(RegexLexer),
    /// Pygments' `DelegatingLexer(root, language)`.
    Delegating {
        root: String,
        language: String,
    },
}

pub(super) struct RegexLexer {
    /// State names, `root` first; `using(..., state=...)` names them.
    names: Vec<String>,
    states: Vec<Vec<Rule>>,
}

struct Rule {
    re: Regex,
    /// The pattern again, without JIT, for the long matches that exhaust
    /// the JIT's stack (Python's `re` has no such limit): compiled when
    /// first needed.
    interpreted: OnceLock<Option<Regex>>,
    source: String,
    flags: String,
    action: Action,
    next: Next,
}

impl Rule {
    /// `pattern.match(text, pos)`: the match's end, its groups in `loc`.
    fn match_at(&self, loc: &mut CaptureLocations, text: &[u8], pos: usize) -> Option<usize> {
        match self.re.captures_read_at(loc, text, pos) {
            Ok(found) => found.map(|m| m.end()),
            Err(_) => {
                let slow = self
                    .interpreted
                    .get_or_init(|| pattern::compile_interpreted(&self.source, &self.flags).ok());
                let slow = slow.as_ref()?;
                let mut slow_loc = slow.capture_locations();
                match slow.captures_read_at(&mut slow_loc, text, pos) {
                    Ok(found) => {
                        let end = found.map(|m| m.end());
                        *loc = slow_loc;
                        end
                    }
                    Err(err) => {
                        tracing::warn!(pattern = %self.source, %err, "highlighting rule failed");
                        None
                    }
                }
            }
        }
    }
}

enum Action {
    Skip,
    Emit(Kind),
    Groups(Vec<Action>),
    /// `using(this)` (`lexer: None`) or `using(OtherLexer)`.
    Using {
        lexer: Option<String>,
        stack: Vec<String>,
    },
    MarkdownCodeblock,
    /// One of `YamlLexer`'s indentation callbacks.
    Yaml(yaml::Callback),
}

enum Next {
    Stay,
    /// `#pop:n` (and `#pop` as 1).
    Pop(usize),
    Push,
    /// A tuple of states, each pushed in turn (`#pop`/`#push` allowed).
    Steps(Vec<Step>),
}

enum Step {
    Pop,
    Push,
    Enter(usize),
}

const ROOT: usize = 0;

/// A pattern that keeps matching the empty string without changing state
/// would hang Pygments; we step past a character instead.
const MAX_EMPTY_STEPS: usize = 64;

impl Lexer {
    pub(super) fn build(data: LexerData) -> Result<Lexer, String> {
        if let Some((root, language)) = data.delegate {
            return Ok(Lexer::Delegating { root, language });
        }
        // `root` first, so state 0 is where lexing starts.
        let mut names: Vec<&String> = data.states.keys().collect();
        names.sort_by_key(|n| (n.as_str() != "root", n.as_str()));
        if names.first().map(|n| n.as_str()) != Some("root") {
            return Err("no root state".into());
        }
        let ids: HashMap<&str, usize> = names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.as_str(), i))
            .collect();
        let mut states = Vec::with_capacity(names.len());
        for state in &names {
            let mut rules = Vec::new();
            for (source, flags, action, next) in &data.states[*state] {
                let re = pattern::compile(source, flags)
                    .map_err(|e| format!("state {state}: pattern {source:?}: {e}"))?;
                rules.push(Rule {
                    re,
                    interpreted: OnceLock::new(),
                    source: source.clone(),
                    flags: flags.clone(),
                    action: action_of(action)?,
                    next: next_of(next, &ids)?,
                });
            }
            states.push(rules);
        }
        Ok(Lexer::Regex(RegexLexer {
            names: names.into_iter().cloned().collect(),
            states,
        }))
    }

    /// Pygments' `get_tokens_unprocessed`, from the given state stack.
    pub(super) fn tokens<'t>(
        &'static self,
        text: &'t str,
        stack: &[String],
        out: &mut Vec<Token<'t>>,
    ) {
        match self {
            Lexer::Regex(lexer) => lexer.tokens(text, stack, out),
            Lexer::Delegating { root, language } => delegate(root, language, text, out),
        }
    }
}

fn action_of(value: &Value) -> Result<Action, String> {
    Ok(match value {
        Value::Null => Action::Emit(Kind::Other),
        Value::Number(_) => Action::Skip,
        Value::String(class) => Action::Emit(Kind::Class(intern(class))),
        Value::Object(map) => {
            if let Some(Value::Array(groups)) = map.get("groups") {
                Action::Groups(groups.iter().map(action_of).collect::<Result<_, _>>()?)
            } else if let Some(Value::String(target)) = map.get("using") {
                let stack = match map.get("stack") {
                    Some(Value::Array(s)) => s
                        .iter()
                        .filter_map(|v| v.as_str().map(String::from))
                        .collect(),
                    _ => Vec::new(),
                };
                Action::Using {
                    lexer: (target != "this").then(|| target.clone()),
                    stack,
                }
            } else if map.contains_key("yaml") {
                Action::Yaml(yaml::Callback::from_json(map, |v| match v {
                    Value::String(class) => Kind::Class(intern(class)),
                    _ => Kind::Class(""),
                })?)
            } else if map.get("callback").and_then(Value::as_str)
                == Some("MarkdownLexer._handle_codeblock")
            {
                Action::MarkdownCodeblock
            } else {
                return Err(format!("unknown action {value}"));
            }
        }
        other => return Err(format!("unknown action {other}")),
    })
}

fn next_of(value: &Value, ids: &HashMap<&str, usize>) -> Result<Next, String> {
    let state = |name: &str| match name {
        "#pop" => Ok(Step::Pop),
        "#push" => Ok(Step::Push),
        other => ids
            .get(other)
            .map(|&i| Step::Enter(i))
            .ok_or_else(|| format!("unknown state {other}")),
    };
    Ok(match value {
        Value::Null => Next::Stay,
        Value::Number(n) => Next::Pop(n.as_i64().map_or(1, |n| n.unsigned_abs() as usize)),
        Value::String(s) if s == "#push" => Next::Push,
        Value::String(s) => Next::Steps(vec![state(s)?]),
        Value::Array(steps) => Next::Steps(
            steps
                .iter()
                .map(|s| {
                    s.as_str()
                        .ok_or("bad state")
                        .map_err(String::from)
                        .and_then(state)
                })
                .collect::<Result<_, _>>()?,
        ),
        other => return Err(format!("unknown state change {other}")),
    })
}

/// CSS class names, shared by every lexer (there are a few dozen).
fn intern(class: &str) -> &'static str {
    use std::sync::{Mutex, OnceLock};
    static CLASSES: OnceLock<Mutex<HashMap<String, &'static str>>> = OnceLock::new();
    let classes = CLASSES.get_or_init(Default::default);
    let Ok(mut classes) = classes.lock() else {
        return "";
    };
    if let Some(c) = classes.get(class) {
        return c;
    }
    let leaked: &'static str = Box::leak(class.to_string().into_boxed_str());
    classes.insert(class.to_string(), leaked);
    leaked
}

impl RegexLexer {
    fn tokens<'t>(&'static self, text: &'t str, start: &[String], out: &mut Vec<Token<'t>>) {
        let bytes = text.as_bytes();
        let mut stack: Vec<usize> = if start.is_empty() {
            vec![ROOT]
        } else {
            start.iter().filter_map(|s| self.state_id(s)).collect()
        };
        if stack.is_empty() {
            stack.push(ROOT);
        }
        let mut locs: HashMap<(usize, usize), CaptureLocations> = HashMap::new();
        let mut yaml = yaml::Context::default();
        let mut pos = 0;
        let mut stalled = 0;
        loop {
            let state = stack.last().copied().unwrap_or(ROOT);
            let mut matched = None;
            for (i, rule) in self.states[state].iter().enumerate() {
                let loc = locs
                    .entry((state, i))
                    .or_insert_with(|| rule.re.capture_locations());
                if let Some(end) = rule.match_at(loc, bytes, pos) {
                    matched = Some((i, end));
                    break;
                }
            }
            // Rules that match nothing and go nowhere would loop forever
            // (in Pygments too); step over a character instead.
            stalled = match matched {
                Some((_, end)) if end == pos => stalled + 1,
                _ => 0,
            };
            let Some((i, end)) = matched.filter(|_| stalled <= MAX_EMPTY_STEPS) else {
                // Pygments: an unmatched newline resets to `root`, any
                // other character is an error token.
                let Some(c) = text[pos..].chars().next() else {
                    break;
                };
                let one = Cow::Borrowed(&text[pos..pos + c.len_utf8()]);
                if c == '\n' {
                    stack = vec![ROOT];
                    out.push((pos, Kind::Class("w"), one));
                } else {
                    out.push((pos, Kind::Class("err"), one));
                }
                pos += c.len_utf8();
                stalled = 0;
                continue;
            };
            let rule = &self.states[state][i];
            if let Some(loc) = locs.get(&(state, i)) {
                let mut run = Run {
                    stack: &mut stack,
                    yaml: &mut yaml,
                };
                let set = self.act(&rule.action, text, &rule.re, &|g| loc.get(g), &mut run, out);
                // Pygments' `ExtendedRegexLexer` lets a callback decide where
                // lexing goes on; every other action moves past the match.
                pos = match rule.action {
                    Action::Yaml(_) => set.unwrap_or(pos),
                    _ => end,
                };
            }
            apply(&rule.next, &mut stack);
        }
    }

    fn state_id(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    /// Emits a matched rule's tokens; a YAML callback says where lexing
    /// goes on (`None`: where it was).
    fn act<'t>(
        &'static self,
        action: &Action,
        text: &'t str,
        re: &Regex,
        group: &dyn Fn(usize) -> Option<(usize, usize)>,
        run: &mut Run<'_>,
        out: &mut Vec<Token<'t>>,
    ) -> Option<usize> {
        let whole = group(0);
        match action {
            Action::Yaml(callback) => {
                let (start, end) = whole?;
                let matched = yaml::Matched {
                    start,
                    end,
                    text: &text[start..end],
                    group1: group(1).map(|(s, e)| &text[s..e]),
                };
                return callback.run(&matched, run.yaml, run.stack, out);
            }
            Action::Skip => {}
            Action::Emit(kind) => {
                if let Some((s, e)) = whole.filter(|(s, e)| e > s) {
                    out.push((s, *kind, Cow::Borrowed(&text[s..e])));
                }
            }
            Action::Groups(actions) => {
                for (n, action) in actions.iter().enumerate() {
                    let Some((s, e)) = group(n + 1) else { continue };
                    match action {
                        Action::Emit(_) if e == s => {}
                        Action::Groups(_) | Action::MarkdownCodeblock => {}
                        _ => {
                            let part = |g: usize| (g == 0).then_some((s, e));
                            self.act(action, text, re, &part, run, out);
                        }
                    }
                }
            }
            Action::Using { lexer, stack } => {
                let (s, e) = whole?;
                let mut inner = Vec::new();
                match lexer {
                    None => self.tokens(&text[s..e], stack, &mut inner),
                    Some(name) => match catalog::by_name(name) {
                        Some(other) => other.tokens(&text[s..e], stack, &mut inner),
                        None => inner.push((0, Kind::Class(""), Cow::Borrowed(&text[s..e]))),
                    },
                }
                out.extend(inner.into_iter().map(|(p, k, v)| (p + s, k, v)));
            }
            Action::MarkdownCodeblock => markdown_codeblock(text, re, group, out),
        }
        None
    }
}

/// What a run of the lexer keeps besides its position.
struct Run<'a> {
    stack: &'a mut Vec<usize>,
    yaml: &'a mut yaml::Context,
}

fn apply(next: &Next, stack: &mut Vec<usize>) {
    match next {
        Next::Stay => {}
        Next::Pop(n) => {
            if *n >= stack.len() {
                stack.truncate(1);
            } else {
                stack.truncate(stack.len() - n);
            }
        }
        Next::Push => {
            if let Some(&top) = stack.last() {
                stack.push(top);
            }
        }
        Next::Steps(steps) => {
            for step in steps {
                match step {
                    Step::Pop => {
                        if stack.len() > 1 {
                            stack.pop();
                        }
                    }
                    Step::Push => {
                        if let Some(&top) = stack.last() {
                            stack.push(top);
                        }
                    }
                    Step::Enter(id) => stack.push(*id),
                }
            }
        }
    }
}

/// `MarkdownLexer._handle_codeblock`: a fenced block inside Markdown is
/// lexed with the lexer its info string names, when Pygments has one.
fn markdown_codeblock<'t>(
    text: &'t str,
    re: &Regex,
    group: &dyn Fn(usize) -> Option<(usize, usize)>,
    out: &mut Vec<Token<'t>>,
) {
    let named = |name: &str| {
        re.capture_names()
            .iter()
            .position(|n| n.as_deref() == Some(name))
            .and_then(group)
    };
    let push = |out: &mut Vec<Token<'t>>, class: &'static str, part: Option<(usize, usize)>| {
        if let Some((s, e)) = part.filter(|(s, e)| e > s) {
            out.push((s, Kind::Class(class), Cow::Borrowed(&text[s..e])));
        }
    };
    push(out, "sb", named("initial"));
    push(out, "sb", named("lang"));
    if named("afterlang").is_some() {
        push(out, "w", named("whitespace"));
        push(out, "", named("extra"));
    }
    push(out, "w", named("newline"));
    let lang = named("lang").map_or("", |(s, e)| text[s..e].trim());
    let (start, end) = named("code").unwrap_or((0, 0));
    match catalog::by_alias(lang) {
        Found::Lexer(lexer) => {
            let mut inner = Vec::new();
            lexer.tokens(&text[start..end], &[], &mut inner);
            out.extend(inner.into_iter().map(|(p, k, v)| (p + start, k, v)));
        }
        // `TextLexer`, all one `Text` token.
        Found::Unported if lang.eq_ignore_ascii_case("text") => push(out, "", Some((start, end))),
        // Pygments runs a lexer we do not have: approximate it as the
        // fences of that language are.
        Found::Unported => match grammar::grammar(&lang.to_lowercase()) {
            Some(syntax) => {
                let mut at = start;
                for (class, value) in grammar::lex_grammar(syntax, &text[start..end]) {
                    let len = value.len();
                    out.push((at, Kind::Class(class.unwrap_or("")), Cow::Owned(value)));
                    at += len;
                }
            }
            None => push(out, "", Some((start, end))),
        },
        // `get_lexer_by_name` failed: the block is one `String` token.
        Found::Unknown => push(out, "s", Some((start, end))),
    }
    push(out, "sb", named("terminator"));
}

/// `DelegatingLexer`: the language lexer runs first; its `Other` text,
/// joined, is lexed by the root lexer, and the language's own tokens are
/// put back where they were (Pygments' `do_insertions`).
fn delegate<'t>(root: &str, language: &str, text: &'t str, out: &mut Vec<Token<'t>>) {
    let (Some(root), Some(language)) = (catalog::by_name(root), catalog::by_name(language)) else {
        out.push((0, Kind::Class(""), Cow::Borrowed(text)));
        return;
    };
    let mut own = Vec::new();
    language.tokens(text, &[], &mut own);
    let mut buffered = String::new();
    let mut insertions: Vec<(usize, Vec<Token<'t>>)> = Vec::new();
    let mut pending: Vec<Token<'t>> = Vec::new();
    for (at, kind, value) in own {
        if kind == Kind::Other {
            if !pending.is_empty() {
                insertions.push((buffered.len(), std::mem::take(&mut pending)));
            }
            buffered.push_str(&value);
        } else {
            pending.push((at, kind, value));
        }
    }
    if !pending.is_empty() {
        insertions.push((buffered.len(), pending));
    }
    let mut rooted = Vec::new();
    root.tokens(&buffered, &[], &mut rooted);
    let mut insertions = insertions.into_iter().peekable();
    let mut realpos = None;
    for (at, kind, value) in rooted {
        let real = realpos.get_or_insert(at);
        let mut done = 0;
        while let Some((index, _)) = insertions.peek() {
            if at + value.len() < *index {
                break;
            }
            let cut = index.saturating_sub(at).max(done);
            if cut > done {
                out.push((*real, kind, Cow::Owned(value[done..cut].to_string())));
                *real += cut - done;
            }
            if let Some((_, tokens)) = insertions.next() {
                for (_, k, v) in tokens {
                    let len = v.len();
                    out.push((*real, k, v));
                    *real += len;
                }
            }
            done = cut;
        }
        if done < value.len() {
            out.push((*real, kind, Cow::Owned(value[done..].to_string())));
            *real += value.len() - done;
        }
    }
    let mut real = realpos.unwrap_or(0);
    for (_, tokens) in insertions {
        for (_, k, v) in tokens {
            let len = v.len();
            out.push((real, k, v));
            real += len;
        }
    }
}
